import type { TupleStore } from './TupleStore';

/**
 * Condition parameter values by name, JSON-like (numbers, strings, booleans, null, arrays, plain
 * objects; `bigint` for `int`/`uint` and `Date` for `timestamp` are accepted too), as stored with a
 * tuple or sent with a request.
 */
export type ConditionContext = Readonly<Record<string, unknown>>;

/** The condition a tuple is written with: `{ name: 'in_region', context: { region: 'eu' } }`. */
export interface RelationshipCondition {
  /** The condition's name, as declared in the model. */
  readonly name: string;
  /** Parameter values stored with the tuple; request context fills the rest. */
  readonly context?: ConditionContext;
}

/**
 * A relationship tuple, OpenFGA's `TupleKey`: `user` has `relation` on `object`, optionally only
 * when `condition` holds. `user` is `type:id`, a typed wildcard `type:*`, or a userset
 * `type:id#relation`; `object` is `type:id`.
 */
export interface TupleKey {
  /** The user: `user:anne`, `user:*` or `group:eng#member`. */
  readonly user: string;
  /** The relation, e.g. `viewer`. */
  readonly relation: string;
  /** The object: `document:roadmap`. */
  readonly object: string;
  /** The condition the tuple holds under, if any. */
  readonly condition?: RelationshipCondition;
}

/**
 * The tuples to add and remove in one write, all or nothing: {@link TupleStore.write}, and the
 * stores that persist tuples (`PostgresStore.write` in `@gatehouse/postgres`).
 */
export interface TupleWrite {
  /** Tuples to add. */
  readonly writes?: readonly TupleKey[];
  /** Tuples to remove (matched on object, relation and user; the condition is ignored). */
  readonly deletes?: readonly TupleKey[];
}

/** How {@link TupleStore.write} treats writes of existing tuples and deletes of missing ones. */
export interface TupleWriteOptions {
  /**
   * `error` (default, as OpenFGA): writing a tuple that exists fails with
   * `write_failed_due_to_invalid_input`. `ignore`: it is skipped (OpenFGA's `on_duplicate: ignore`).
   */
  readonly onDuplicate?: 'error' | 'ignore';
  /**
   * `error` (default): deleting a tuple that does not exist fails with
   * `write_failed_due_to_invalid_input`. `ignore`: it is skipped (OpenFGA's `on_missing: ignore`).
   */
  readonly onMissing?: 'error' | 'ignore';
  /**
   * `throw` (default, as OpenFGA's Write): a tuple the model does not allow fails the write.
   * `skip`: it is stored aside, unindexed (see {@link TupleStore.ignored}), as a snapshot load keeps
   * tuples an older model allowed; a later model may accept it.
   */
  readonly invalid?: 'throw' | 'skip';
}

/** Options of {@link createTupleStore}. */
export interface TupleStoreOptions {
  /**
   * What to do with a tuple the model does not allow. `throw` (default) rejects the load with
   * OpenFGA's write error. `skip` keeps it aside, unindexed (see {@link TupleStore.ignored}), as
   * OpenFGA ignores stored tuples that no longer fit the current model; a later model may accept it.
   */
  readonly invalid?: 'throw' | 'skip';
}
