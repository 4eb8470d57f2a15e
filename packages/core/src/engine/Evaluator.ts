import { GatehouseError, isGatehouseError, toGatehouseError } from '../errors/index';
import { TypeCache } from '../model/TypeCache';
import type { CompiledModel } from '../model/compile';
import { conditionSetOf } from '../store/conditionSet';
import { isValidIdRange } from '../store/EntityTable';
import type { TupleStore } from '../store/TupleStore';
import type { ConditionContext, TupleKey } from '../store/types';
import { Checker, CYCLE, ERROR, FALSE, TRUE, USER_OBJECT, USER_USERSET, USER_WILDCARD } from './Checker';
import type { ConditionEvaluator } from './conditions';
import { explainCheck } from './explain';
import type { Explanation } from './explain';
import { listObjects } from './listObjects';
import { listUsers } from './listUsers';
import { checkContext, parseObjectRef, parseUserRef, relationOf, RequestIds } from './parse';
import type { ObjectRefParsed, UserRefParsed } from './parse';
import type {
  BatchCheckItem,
  CheckRequest,
  CheckResult,
  EvaluatorOptions,
  ListObjectsRequest,
  ListObjectsResult,
  ListUsersRequest,
  ListUsersResult,
} from './types';

/** OpenFGA's default resolution depth limit. */
export const DEFAULT_MAX_DEPTH = 25;

const ALLOWED: CheckResult = Object.freeze({ allowed: true });
const DENIED: CheckResult = Object.freeze({ allowed: false });

/**
 * Evaluates checks and lists against one compiled model and one tuple store. Every call is
 * synchronous: a check is a plain function call.
 */
export interface Evaluator {
  /** The compiled model. */
  readonly compiled: CompiledModel;
  /** The tuple store read. */
  readonly store: TupleStore;
  /**
   * Whether `user` has `relation` on `object`, with OpenFGA's Check semantics.
   *
   * @throws {GatehouseError} `validation_error` for an invalid user, object or relation (OpenFGA
   *   answers 2000, the specific problem is the error's `cause`); `invalid_tuple` for a bad
   *   contextual tuple; `condition_evaluation_error` when a condition needed on the way cannot be
   *   evaluated (e.g. a missing parameter); `authorization_model_resolution_too_complex` past the depth limit.
   */
  check(request: CheckRequest): CheckResult;
  /**
   * Many checks at once, sharing work: sub-results computed for one check are reused by the
   * others with the same user, context and contextual tuples. Each item is answered on its own;
   * one failing check yields an `error` item and does not fail the batch.
   */
  batchCheck(requests: readonly CheckRequest[]): BatchCheckItem[];
  /**
   * Every object of `type` on which `user` has `relation`: exactly the objects for which `check`
   * allows, complete. With `limit`, pages sorted by object id, with a continuation token.
   *
   * @throws {GatehouseError} `type_not_found` / `relation_not_found` for the type and relation,
   *   `validation_error` for an invalid user, `invalid_tuple` for a bad contextual tuple,
   *   `condition_evaluation_error`, `authorization_model_resolution_too_complex`,
   *   `invalid_continuation_token`.
   */
  listObjects(request: ListObjectsRequest): ListObjectsResult;
  /**
   * Every user matching `userFilters` who has `relation` on `object`, as OpenFGA's ListUsers
   * returns them: objects, typed wildcards (`user:*`) and usersets (`group:eng#member`).
   *
   * @throws {GatehouseError} `type_not_found` / `relation_not_found`, `validation_error`,
   *   `invalid_tuple`, `condition_evaluation_error`, `authorization_model_resolution_too_complex`.
   */
  listUsers(request: ListUsersRequest): ListUsersResult;
  /**
   * Why a check is allowed or denied: the evaluation as a tree of rewrite steps and tuples, with
   * a compact text rendering. Its `allowed` always equals {@link Evaluator.check}'s answer.
   *
   * @throws {GatehouseError} as {@link Evaluator.check}.
   */
  explain(request: CheckRequest): Explanation;
}

/**
 * Creates an {@link Evaluator} for `compiled` over `store` (which must be indexed for the same
 * compiled model).
 *
 * @param options.maxDepth resolution depth limit, default 25 (OpenFGA's).
 * @param options.conditions condition evaluator, default the model's conditions compiled once.
 * @example
 * const compiled = compileModel(parseModel(json));
 * const evaluator = createEvaluator(compiled, createTupleStore(compiled, tuples));
 * evaluator.check({ user: 'user:anne', relation: 'viewer', object: 'doc:1' }); // { allowed: true }
 */
export function createEvaluator(compiled: CompiledModel, store: TupleStore, options: EvaluatorOptions = {}): Evaluator {
  if (store.compiled !== compiled) {
    throw new GatehouseError('validation_error', 'the tuple store is indexed for another compiled model: use store.withModel(compiled)');
  }
  return new EvaluatorImpl(compiled, store, options);
}

/** The parts of an evaluator the list and explain operations share. @internal */
export interface EvaluatorInternals {
  readonly compiled: CompiledModel;
  readonly maxDepth: number;
  /** A checker free for use (a fresh one when the main one is busy, e.g. re-entrant calls). */
  acquire(): Checker;
  release(checker: Checker): void;
  /** The store overlaid with contextual tuples (validated), or the store itself. */
  view(contextualTuples: readonly TupleKey[] | undefined): TupleStore;
  /** Validates a check request's tuple key and context. */
  prepareCheck(request: CheckRequest): PreparedCheck;
  /** The contextual view of a check, with Check's error codes. */
  checkView(contextualTuples: readonly TupleKey[] | undefined): TupleStore;
  /** Evaluates a prepared check. */
  execCheck(checker: Checker, prepared: PreparedCheck, store: TupleStore): boolean;
}

/** A validated check request. @internal */
export interface PreparedCheck {
  readonly user: UserRefParsed;
  readonly object: ObjectRefParsed;
  readonly rel: number;
  readonly context: ConditionContext | undefined;
}

class EvaluatorImpl implements Evaluator, EvaluatorInternals {
  readonly compiled: CompiledModel;
  readonly store: TupleStore;
  readonly maxDepth: number;
  private readonly conditions: ConditionEvaluator | undefined;
  private readonly checker: Checker;
  private readonly relIds: readonly ReadonlyMap<string, number>[];
  private busy = false;
  private readonly types: TypeCache;

  constructor(compiled: CompiledModel, store: TupleStore, options: EvaluatorOptions) {
    this.compiled = compiled;
    this.types = new TypeCache(compiled.typeIds);
    this.store = store;
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.conditions = options.conditions ?? (compiled.conditionNames.size > 0 ? conditionSetOf(compiled) : undefined);
    this.checker = new Checker(compiled, store, this.maxDepth, this.conditions);
    this.relIds = compiled.types.map((t) => t.relations);
  }

  acquire(): Checker {
    if (this.busy) return new Checker(this.compiled, this.store, this.maxDepth, this.conditions);
    this.busy = true;
    return this.checker;
  }

  release(checker: Checker): void {
    if (checker === this.checker) {
      checker.memo = null;
      checker.tracer = null;
      this.busy = false;
    }
  }

  view(contextualTuples: readonly TupleKey[] | undefined): TupleStore {
    if (contextualTuples === undefined || contextualTuples === null) return this.store;
    if (!Array.isArray(contextualTuples)) throw new GatehouseError('validation_error', 'contextualTuples must be an array');
    return this.store.withContextualTuples(contextualTuples);
  }

  // Kept small so it inlines into callers: the request's fields are read here and passed on as
  // strings, so a request built at the call site (`check({ user, relation, object })`) need not be
  // allocated at all.
  check(request: CheckRequest): CheckResult {
    if (request !== null && typeof request === 'object' && request.contextualTuples === undefined) {
      const status = this.quickCheck(request.user, request.relation, request.object, request.context);
      if (status === TRUE) return ALLOWED;
      if (status === FALSE || status === CYCLE) return DENIED;
      if (status === ERROR) return this.fail();
    }
    return this.fullCheck(request);
  }

  private fail(): never {
    throw this.checker.error ?? new GatehouseError('internal', 'check failed without an error');
  }

  private fullCheck(request: CheckRequest): CheckResult {
    const checker = this.acquire();
    try {
      return this.runCheck(checker, request, null) ? ALLOWED : DENIED;
    } finally {
      this.release(checker);
    }
  }

  /**
   * The common check, without allocating: known types, relation and ids (every id the store
   * holds was validated when written), no contextual tuples, the main checker free. Returns a
   * status (an ERROR leaves its error on the main checker), or -1 to take the validating path
   * (which also produces any error).
   */
  private quickCheck(user: unknown, relation: unknown, object: unknown, context: unknown): number {
    if (this.busy || typeof object !== 'string' || typeof user !== 'string' || typeof relation !== 'string') return -1;
    if (context !== undefined && (context === null || typeof context !== 'object' || Array.isArray(context))) return -1;
    const oc = object.indexOf(':');
    if (oc <= 0) return -1;
    const ot = this.types.typeOf(object, oc);
    if (ot < 0) return -1;
    const rel = this.relIds[ot]!.get(relation);
    if (rel === undefined) return -1;
    const uc = user.indexOf(':');
    if (uc <= 0) return -1;
    const ut = this.types.typeOf(user, uc);
    if (ut < 0) return -1;
    const store = this.store;
    const hash = user.indexOf('#', uc + 1);
    let kind = USER_OBJECT;
    let urel = -1;
    let uid = 0;
    if (hash >= 0) {
      const r = this.relIds[ut]!.get(user.slice(hash + 1));
      if (r === undefined) return -1;
      kind = USER_USERSET;
      urel = r;
      uid = store.entityIdOfTypedRange(ut, user, hash);
    } else if (user.length === uc + 2 && user.charCodeAt(uc + 1) === 42) {
      kind = USER_WILDCARD;
    } else {
      uid = store.entityIdOfTyped(ut, user);
    }
    // Ids no tuple mentions get request-local negative numbers, as `RequestIds` hands them out
    // (the user first; the object shares the user's number when it names the same object).
    if (uid < 0) {
      if (!isValidIdRange(user, uc + 1, hash >= 0 ? hash : user.length)) return -1;
      uid = -1;
    }
    let oid = store.entityIdOfTyped(ot, object);
    if (oid < 0) {
      if (!isValidIdRange(object, oc + 1, object.length)) return -1;
      const sameAsUser = ut === ot && kind !== USER_WILDCARD && (hash >= 0 ? object.length === hash && user.startsWith(object) : object === user);
      oid = uid !== -1 || sameAsUser ? -1 : -2;
    }
    const checker = this.checker;
    this.busy = true;
    try {
      checker.begin(store, kind, ut, uid, urel, context as ConditionContext | undefined);
      return checker.resolve(rel, oid, 0);
    } finally {
      checker.memo = null;
      checker.tracer = null;
      this.busy = false;
    }
  }



  /** Validates a check's tuple key and context (OpenFGA order: the key first). */
  prepareCheck(request: CheckRequest): PreparedCheck {
    if (request === null || typeof request !== 'object') throw new GatehouseError('validation_error', 'invalid check request: expected an object');
    const { compiled } = this;
    try {
      const user = parseUserRef(compiled, request.user);
      const object = parseObjectRef(compiled, request.object);
      const rel = relationOf(compiled, object.type, request.relation);
      return { user, object, rel, context: checkContext(request.context) };
    } catch (error) {
      // OpenFGA's Check reports every problem with the tuple key as a validation error (2000).
      const cause = toGatehouseError(error);
      throw new GatehouseError('validation_error', `invalid check request: ${cause.message}`, { cause });
    }
  }

  /** The contextual view of a check: its problems are all `invalid_tuple` (2027) in Check. */
  checkView(contextualTuples: readonly TupleKey[] | undefined): TupleStore {
    try {
      return this.view(contextualTuples);
    } catch (error) {
      if (isGatehouseError(error) && error.code === 'validation_error') {
        throw new GatehouseError('invalid_tuple', error.message, { cause: error });
      }
      throw error;
    }
  }

  /** Evaluates a prepared check on `store` with `checker`. */
  execCheck(checker: Checker, prepared: PreparedCheck, store: TupleStore): boolean {
    const { user, object, rel, context } = prepared;
    const ids = new RequestIds();
    const userId = user.kind === USER_WILDCARD ? 0 : ids.id(store, user.type, user.object);
    const objectId = ids.id(store, object.type, object.object);
    checker.begin(store, user.kind, user.type, userId, user.rel, context);
    const status = checker.resolve(rel, objectId, 0);
    if (status === ERROR) throw checker.error ?? new GatehouseError('internal', 'check failed without an error');
    return status === TRUE;
  }

  private runCheck(checker: Checker, request: CheckRequest, view: TupleStore | null): boolean {
    const prepared = this.prepareCheck(request);
    return this.execCheck(checker, prepared, view ?? this.checkView(request.contextualTuples));
  }

  batchCheck(requests: readonly CheckRequest[]): BatchCheckItem[] {
    const checker = this.acquire();
    try {
      const views = new Map<string, TupleStore | GatehouseError>();
      const memos = new Map<string, Map<number, number>>();
      return requests.map((request): BatchCheckItem => {
        try {
          const prepared = this.prepareCheck(request);
          // Work is shared between checks of the same user under the same context and contextual tuples.
          const scope =
            request.context !== undefined || request.contextualTuples !== undefined
              ? JSON.stringify([request.context ?? null, request.contextualTuples ?? null])
              : '';
          let view = views.get(scope);
          if (view === undefined) {
            try {
              view = scope === '' ? this.store : this.checkView(request.contextualTuples);
            } catch (error) {
              view = toGatehouseError(error);
            }
            views.set(scope, view);
          }
          if (view instanceof GatehouseError) throw view;
          const memoKey = `${scope}\u0000${request.user}`;
          let memo = memos.get(memoKey);
          if (memo === undefined) memos.set(memoKey, (memo = new Map()));
          checker.memo = memo;
          return { allowed: this.execCheck(checker, prepared, view) };
        } catch (error) {
          return { error: toGatehouseError(error) };
        } finally {
          checker.memo = null;
        }
      });
    } finally {
      this.release(checker);
    }
  }

  listObjects(request: ListObjectsRequest): ListObjectsResult {
    return listObjects(this, request);
  }

  listUsers(request: ListUsersRequest): ListUsersResult {
    return listUsers(this, request);
  }

  explain(request: CheckRequest): Explanation {
    return explainCheck(this, request);
  }
}
