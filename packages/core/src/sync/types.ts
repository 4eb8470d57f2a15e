import type { AuthorizationModel } from '../model/types';
import type { TupleKey } from '../store/types';
import type { Revision } from './revision';

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
 * write would. Tuples whose type the model no longer defines are kept (OpenFGA keeps them across
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
