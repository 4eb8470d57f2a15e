import type { Evaluator } from '../engine/Evaluator';
import type { CompiledModel } from '../model/compile';
import type { AuthorizationModel } from '../model/types';
import type { TupleStore } from '../store/TupleStore';
import type { TupleKey } from '../store/types';

/**
 * A snapshot revision: the decimal string of a non-negative integer in canonical form (`"0"`,
 * `"42"`, never `"042"` or `"+1"`). Revisions only grow within one upstream, and every change to
 * the model or the tuples produces a greater one.
 *
 * They are strings, not numbers, because the PostgreSQL store counts them in a `bigint`, which a
 * JSON number cannot carry past 2^53 without losing digits. Canonical form makes equal revisions
 * equal strings; {@link compareRevisions} orders them numerically.
 *
 * @see docs/reference/bundle-format.md
 */
export type Revision = string;

/** A tuple without its condition: how deletes name a tuple (a tuple's identity is object, relation and user). */
export interface TupleKeyWithoutCondition {
  /** The user: `user:anne`, `user:*` or `team:core#member`. */
  readonly user: string;
  /** The relation. */
  readonly relation: string;
  /** The object: `type:id`. */
  readonly object: string;
}

/**
 * Everything needed to evaluate checks at one revision: the model, its id and every tuple. This
 * is what a full bundle carries and what a source hands its sink on a full load.
 *
 * Tuples are unique by object, relation and user; if a list repeats one, the later entry wins, as a
 * write would. The model is validated (structure and OpenFGA's semantic rules) and compiled when
 * a snapshot is built from it. Tuples whose type the model no longer defines are kept (OpenFGA keeps them across
 * model changes) and simply never match.
 */
export interface SnapshotData {
  /** The authorization model. */
  readonly model: AuthorizationModel;
  /** The model's id (a ULID in OpenFGA); a new model gets a new id. */
  readonly modelId: string;
  /** The revision this snapshot is at. */
  readonly revision: Revision;
  /** Every relationship tuple. */
  readonly tuples: readonly TupleKey[];
}

/**
 * What changed between two revisions. Applying it to the snapshot at `from` yields the snapshot at
 * `to`, atomically: first the model (when present), then `deletes`, then `writes`. A write
 * replaces a tuple with the same object, relation and user (that is how a condition changes).
 *
 * `writes` and `deletes` never name the same tuple: a change set is the net effect of everything
 * between the two revisions (see `mergeChangeSets`). An empty change set (`from === to`) means
 * "nothing new".
 */
export interface ChangeSet {
  /** The revision this change set applies to. */
  readonly from: Revision;
  /** The revision it produces; `>= from`. */
  readonly to: Revision;
  /** Tuples added or replaced. */
  readonly writes: readonly TupleKey[];
  /** Tuples removed; a delete of an absent tuple does nothing. */
  readonly deletes: readonly TupleKeyWithoutCondition[];
  /** A new model, when the model changed; present together with `modelId`. */
  readonly model?: AuthorizationModel;
  /** The new model's id; present together with `model`. */
  readonly modelId?: string;
}

/**
 * One immutable version of the policy: the compiled model, the indexed tuples, an evaluator over
 * them, and where it came from. Nothing in it ever changes; an update produces a new snapshot
 * (see {@link applyChanges}) that shares every unchanged part with this one, so holding on to an
 * old snapshot is cheap and always gives the answers of its revision.
 *
 * @see docs/guide/authorizer.md
 */
export interface Snapshot {
  /** The revision the snapshot is at. */
  readonly revision: string;
  /** The model's id. */
  readonly modelId: string;
  /** The validated model. */
  readonly model: AuthorizationModel;
  /** The model compiled for evaluation. */
  readonly compiled: CompiledModel;
  /** The indexed tuples. */
  readonly store: TupleStore;
  /** Evaluates checks and lists against this snapshot, synchronously. */
  readonly evaluator: Evaluator;
  /** When the snapshot was built, in ms since the epoch (the `now` option's clock). */
  readonly loadedAt: number;
  /** The number of tuples indexed for the model. */
  readonly tupleCount: number;
  /**
   * The number of tuples kept aside because the model does not allow them (a type or relation it
   * no longer defines): OpenFGA keeps such tuples and ignores them, and so does a snapshot. A later
   * model that allows them brings them back.
   */
  readonly ignoredCount: number;
}

/** Options of {@link createSnapshot} and {@link applyChanges}. */
export interface SnapshotOptions {
  /** The resolution depth limit of the evaluator (OpenFGA's default: 25). */
  readonly maxDepth?: number;
  /** The clock for {@link Snapshot.loadedAt}, in ms since the epoch. Default `Date.now()`. */
  readonly now?: () => number;
}
