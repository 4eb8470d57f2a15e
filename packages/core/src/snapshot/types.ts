import type { Evaluator } from '../engine/Evaluator';
import type { CompiledModel } from '../model/compile';
import type { AuthorizationModel } from '../model/types';
import type { TupleStore } from '../store/TupleStore';
import type { TupleKey } from '../store/types';

// The input shapes below are structurally the sync layer's `SnapshotData`, `ChangeSet` and
// `TupleKeyWithoutCondition`: snapshot sits to the left of sync in core's import order, so it
// states what it accepts itself (a type test keeps the two in step).

/** A tuple's identity: object, relation and user, without the condition. How a delete names a tuple. */
export interface SnapshotTupleRef {
  /** The user: `user:anne`, `user:*` or `team:core#member`. */
  readonly user: string;
  /** The relation. */
  readonly relation: string;
  /** The object: `type:id`. */
  readonly object: string;
}

/**
 * Everything a snapshot is built from: the model, its id, the revision and every tuple. The sync
 * layer's `SnapshotData` has this shape.
 */
export interface SnapshotInput {
  /** The authorization model. It is validated (structure and OpenFGA's semantic rules) and compiled. */
  readonly model: AuthorizationModel;
  /** The model's id. */
  readonly modelId: string;
  /** The revision: a non-negative integer in canonical decimal form (`"42"`). */
  readonly revision: string;
  /** Every tuple. If a tuple (object, relation, user) appears twice, the later entry wins. */
  readonly tuples: readonly TupleKey[];
}

/**
 * What changed between two revisions: the sync layer's `ChangeSet`. Applied atomically: the model
 * first (when present), then `deletes`, then `writes`; a write replaces a tuple with the same
 * object, relation and user.
 */
export interface SnapshotChanges {
  /** The revision the changes apply to: must be the snapshot's. */
  readonly from: string;
  /** The revision they produce; `>= from`. */
  readonly to: string;
  /** Tuples added or replaced. */
  readonly writes: readonly TupleKey[];
  /** Tuples removed; removing an absent tuple does nothing. */
  readonly deletes: readonly SnapshotTupleRef[];
  /** A new model; present together with `modelId`. */
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
