import { GatehouseError, isGatehouseError, toGatehouseError } from '../errors/index';
import type { CompiledModel } from '../model/compile';
import { createTupleStore } from '../store/TupleStore';
import type { TupleStore } from '../store/TupleStore';
import type { TupleKey } from '../store/types';
import { assemble, compileValidated } from './build';
import type { Snapshot, ChangeSet, SnapshotOptions, TupleKeyWithoutCondition } from './types';
import { checkModelId, checkRevision, checkTuples, compareCanonical, malformed, tupleId } from './validate';

/**
 * Produces the snapshot at `changes.to` from `snapshot` (at `changes.from`): the model first (when
 * the change set carries one), then the deletes, then the writes. `snapshot` is not modified; the
 * result shares every unchanged index with it (copy-on-write), so a delta costs about its own size,
 * while a model change re-indexes every tuple for the new model.
 *
 * Semantics match a full load at `changes.to`: a write replaces the tuple with the same object,
 * relation and user (that is how a condition changes), a delete of an absent tuple does nothing, and
 * a tuple the model does not allow is kept aside and ignored, never rejected.
 *
 * Returns `snapshot` itself for an empty change set at its own revision (`from === to`, nothing
 * in it), and a snapshot that shares its store for an empty one that only advances the revision.
 *
 * @param options as {@link createSnapshot}.
 * @throws {GatehouseError} `validation_error` when `changes.from` is not the snapshot's revision;
 *   `invalid_bundle` for a malformed change set (bad revisions, `to < from`, content in an empty
 *   range, a malformed tuple, `model` without `modelId` or the reverse); `invalid_authorization_model`
 *   (a `ModelValidationError`) for an invalid new model. Nothing is applied then.
 * @example
 * const next = applyChanges(snapshot, { from: '1', to: '2', writes: [tuple], deletes: [] });
 * next.revision; // '2'; snapshot.revision is still '1'
 * @see docs/guide/authorizer.md
 */
export function applyChanges(snapshot: Snapshot, changes: ChangeSet, options: SnapshotOptions = {}): Snapshot {
  if (changes === null || typeof changes !== 'object') throw malformed('change set: expected an object with from, to, writes and deletes');
  const from = checkRevision(changes.from, 'change set: from');
  const to = checkRevision(changes.to, `change set ${from}→?: to`);
  const where = `change set ${from}→${to}`;
  if (from !== snapshot.revision) {
    throw new GatehouseError('validation_error', `${where} does not apply to the snapshot at revision ${snapshot.revision}`);
  }
  if (compareCanonical(to, from) < 0) throw malformed(`${where}: to must not be less than from`);
  const writes = checkTuples(changes.writes, `${where}: writes`, true);
  const deletes = checkTuples(changes.deletes, `${where}: deletes`, false);
  const hasModel = changes.model !== undefined;
  if (hasModel !== (changes.modelId !== undefined)) throw malformed(`${where}: model and modelId must be given together`);
  const modelId = hasModel ? checkModelId(changes.modelId, where) : snapshot.modelId;
  const empty = writes.length === 0 && deletes.length === 0 && !hasModel;
  if (from === to) {
    if (!empty) throw malformed(`${where}: an empty range (from = to) cannot carry changes`);
    return snapshot;
  }
  try {
    if (empty) return assemble(to, modelId, snapshot.compiled, snapshot.store, options, snapshot.evaluator);
    const compiled = hasModel ? compileValidated(changes.model) : snapshot.compiled;
    const base = hasModel ? snapshot.store.withModel(compiled) : snapshot.store;
    const store = writeTuples(compiled, base, writes, deletes);
    return assemble(to, modelId, compiled, store, options);
  } catch (error) {
    throw toGatehouseError(error);
  }
}

/**
 * Applies deletes, then writes, to `base` with the change-set rules, on top of the store's
 * OpenFGA-style write (which refuses a write of an existing tuple and a delete of a missing one).
 */
function writeTuples(compiled: CompiledModel, base: TupleStore, writes: readonly TupleKey[], deletes: readonly TupleKeyWithoutCondition[]): TupleStore {
  // Later writes of the same tuple win; a replaced tuple is deleted first.
  const written = new Map<string, TupleKey>();
  for (const t of writes) written.set(tupleId(t), t);
  const removed = new Map<string, TupleKeyWithoutCondition>();
  for (const t of deletes) removed.set(tupleId(t), { user: t.user, relation: t.relation, object: t.object });
  let overlap = false;
  for (const [id, t] of written) {
    if (removed.has(id)) overlap = true;
    else if (base.has(t)) {
      removed.set(id, { user: t.user, relation: t.relation, object: t.object });
      overlap = true;
    }
  }
  const toWrite = [...written.values()];
  const toDelete = [...removed.values()];
  try {
    // The store refuses one write naming a tuple twice, so a replacement takes two steps.
    if (!overlap) return base.write({ writes: toWrite, deletes: toDelete }, { onMissing: 'ignore' });
    const cleared = toDelete.length === 0 ? base : base.write({ deletes: toDelete }, { onMissing: 'ignore' });
    return toWrite.length === 0 ? cleared : cleared.write({ writes: toWrite });
  } catch (error) {
    // A tuple the model does not allow: the store's write refuses it, but a snapshot keeps it
    // aside instead, as a full load would. Rebuild with it set aside (rare, and linear in size).
    if (isGatehouseError(error) && (error.code === 'invalid_tuple' || error.code === 'validation_error')) {
      return createTupleStore(compiled, merged(base, removed, written), { invalid: 'skip' });
    }
    throw error;
  }
}

/** `base`'s tuples without the removed and replaced ones, then the writes. */
function* merged(base: TupleStore, removed: ReadonlyMap<string, TupleKeyWithoutCondition>, written: ReadonlyMap<string, TupleKey>): Generator<TupleKey> {
  for (const t of base.tuples()) {
    const id = tupleId(t);
    if (!removed.has(id) && !written.has(id)) yield t;
  }
  yield* written.values();
}
