import { toGatehouseError } from '../errors/index';
import { createTupleStore } from '../store/TupleStore';
import type { TupleKey } from '../store/types';
import { assemble, compileValidated } from './build';
import type { Snapshot, SnapshotData, SnapshotOptions } from './types';
import { checkModelId, checkRevision, checkTuples, malformed } from './validate';

/**
 * Builds an immutable {@link Snapshot} from a full load: validates the payload's shape, validates
 * and compiles the model, and indexes every tuple. Tuples the model does not allow (a type or
 * relation it does not define, a restriction it does not list) are kept aside and ignored, as
 * OpenFGA ignores stored tuples that no longer fit its model; they are counted in
 * {@link Snapshot.ignoredCount}.
 *
 * Pure: the input is not modified, and nothing is shared with any other snapshot.
 *
 * @param options.maxDepth the evaluator's resolution depth limit (default 25).
 * @param options.now the clock for `loadedAt` (default `Date.now()`).
 * @throws {GatehouseError} `invalid_bundle` for a malformed payload (revision, modelId, a tuple that
 *   is not `{ user, relation, object }` strings), naming the field or `tuples[i]`.
 * @throws {ModelValidationError} `invalid_authorization_model` when the model is invalid.
 * @example
 * const snapshot = createSnapshot({ model, modelId: 'm1', revision: '1', tuples });
 * snapshot.evaluator.check({ user: 'user:anne', relation: 'viewer', object: 'track:t1' });
 * @see docs/guide/authorizer.md
 */
export function createSnapshot(data: SnapshotData, options: SnapshotOptions = {}): Snapshot {
  if (data === null || typeof data !== 'object') throw malformed('snapshot: expected an object with model, modelId, revision and tuples');
  const revision = checkRevision(data.revision, 'snapshot');
  const modelId = checkModelId(data.modelId, `snapshot ${revision}`);
  const tuples = checkTuples(data.tuples, `snapshot ${revision}: tuples`, true);
  try {
    const compiled = compileValidated(data.model);
    const store = createTupleStore(compiled, lastWins(tuples), { invalid: 'skip' });
    return assemble(revision, modelId, compiled, store, options);
  } catch (error) {
    // Anything but a typed error is a bug on the way: report it as `internal`, never as a TypeError.
    throw toGatehouseError(error);
  }
}

/**
 * The tuples from last to first. The store keeps the first of two entries for the same tuple; a
 * snapshot's rule is that the later one wins (as a second write would), so it reads them backwards.
 */
function* lastWins(tuples: readonly TupleKey[]): Generator<TupleKey> {
  for (let i = tuples.length - 1; i >= 0; i--) yield tuples[i]!;
}
