import type { GatehouseError } from '../errors/index';
import type { ConditionContext, TupleKey } from '../store/types';
import type { ConditionEvaluator } from './conditions';

/** A check: does `user` have `relation` on `object`? */
export interface CheckRequest {
  /** The user: `user:anne`, `user:*` or `group:eng#member`. */
  readonly user: string;
  /** The relation, e.g. `viewer`. */
  readonly relation: string;
  /** The object, `type:id`. */
  readonly object: string;
  /** Request context for conditions (merged with each tuple's own context). */
  readonly context?: ConditionContext;
  /** Tuples that hold for this request only, validated like writes. */
  readonly contextualTuples?: readonly TupleKey[];
}

/** The answer to a {@link CheckRequest}. */
export interface CheckResult {
  /** Whether the user has the relation. */
  readonly allowed: boolean;
}

/** One answer of a batch check: a result, or the error that check raised (the others still run). */
export type BatchCheckItem =
  | { readonly allowed: boolean; readonly error?: undefined }
  | { readonly allowed?: undefined; readonly error: GatehouseError };

/** Every object of `type` on which `user` has `relation`. */
export interface ListObjectsRequest {
  /** The user: `user:anne`, `user:*` or `group:eng#member`. */
  readonly user: string;
  /** The relation. */
  readonly relation: string;
  /** The object type to list. */
  readonly type: string;
  /** Request context for conditions. */
  readonly context?: ConditionContext;
  /** Tuples that hold for this request only. */
  readonly contextualTuples?: readonly TupleKey[];
  /**
   * Page size. Without it (and without a token) every object is returned in one go. With it,
   * objects come sorted by id and the result carries a token for the next page.
   */
  readonly limit?: number;
  /** The token of the previous page, to continue after it. */
  readonly continuationToken?: string;
}

/** The answer to a {@link ListObjectsRequest}. */
export interface ListObjectsResult {
  /** The objects, `type:id`. Complete unless a `limit` cut the page short. */
  readonly objects: readonly string[];
  /** Present when more objects follow: pass it back to get the next page. */
  readonly continuationToken?: string;
}

/** A user filter of listUsers: a type (`user`) or a userset type (`group#member`). */
export interface UserTypeFilter {
  /** The user type. */
  readonly type: string;
  /** For userset results, the relation (`member` in `group#member`). */
  readonly relation?: string;
}

/** Every user of the filtered types who has `relation` on `object`. */
export interface ListUsersRequest {
  /** The object, `type:id`. */
  readonly object: string;
  /** The relation. */
  readonly relation: string;
  /** Which users to return: types (`user`) or userset types (`group#member`). */
  readonly userFilters: readonly UserTypeFilter[];
  /** Request context for conditions. */
  readonly context?: ConditionContext;
  /** Tuples that hold for this request only. */
  readonly contextualTuples?: readonly TupleKey[];
}

/** The answer to a {@link ListUsersRequest}, in OpenFGA's user forms. */
export interface ListUsersResult {
  /** Users as strings: `user:anne`, the wildcard `user:*`, or usersets `group:eng#member`. */
  readonly users: readonly string[];
}

/** Options of {@link createEvaluator}. */
export interface EvaluatorOptions {
  /** The resolution depth limit (OpenFGA's default: 25). Deeper checks fail with `authorization_model_resolution_too_complex`. */
  readonly maxDepth?: number;
  /**
   * Evaluates the model's conditions. Defaults to the model's own conditions compiled with
   * `compileConditions`; pass one to share a compiled set or to instrument evaluation.
   */
  readonly conditions?: ConditionEvaluator;
}
