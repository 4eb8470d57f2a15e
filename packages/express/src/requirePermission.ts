import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { toGatehouseError } from '@gatehouse/core';
import type {
  Authorizer,
  GatehouseError,
  ListObjectsResult,
  ObjectString,
  ObjectType,
  RelationOf,
  Schema,
  TupleConditionContext,
  TupleKey,
} from '@gatehouse/core';
import { decidePermission, problemFor, PROBLEM_JSON } from '@gatehouse/core/http';
import type { ErrorStatus, PermissionDecision, PermissionRequest, ProblemDetails } from '@gatehouse/core/http';

/**
 * Register your model's schema to type `req.authz` and `requirePermission` across the app:
 * `declare module '@gatehouse/express' { interface Register { schema: InferSchema<typeof model> } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The registered schema (see {@link Register}), or any schema when none is registered. */
export type RegisteredSchema = Register extends { schema: infer S extends Schema } ? S : Schema;

/** Where a guard finds the object: a fixed object string or a function of the request. */
export type ObjectResolver = string | ((req: Request) => string | undefined);

/** Options shared by {@link gatehouse} and {@link requirePermission}. */
export interface GatehouseExpressOptions {
  /** The authorizer to check with (synchronous, local). */
  readonly authorizer: Authorizer;
  /** The authenticated user string (`user:anne`), or `undefined` for an anonymous request (401). */
  readonly getUser: (req: Request) => string | undefined;
  /** Condition context for the request, e.g. `{ current_time: new Date().toISOString(), ip: req.ip }`. */
  readonly context?: (req: Request) => TupleConditionContext | undefined;
  /** Tuples that hold for this request only. */
  readonly contextualTuples?: (req: Request) => readonly TupleKey[] | undefined;
  /** The status of a failed evaluation: `403` (default) or `503`. Either way the request is refused. */
  readonly errorStatus?: ErrorStatus;
  /** Called with every failed evaluation (the authorizer also emits its `error` event). */
  readonly onError?: (error: GatehouseError, req: Request) => void;
  /** Rewrites the problem body before it is sent (add links, change wording). */
  readonly problem?: (problem: ProblemDetails, req: Request) => ProblemDetails;
}

/** The `req.authz` helpers: checks and lists for the current user, never throwing. */
export interface AuthzHelpers<S extends Schema = RegisteredSchema> {
  /** The current user, or `undefined` for an anonymous request. */
  readonly user: string | undefined;
  /** Whether the current user has `relation` on `object`; `false` when anonymous or on any error (fail closed). */
  can<T extends ObjectType<S>>(relation: RelationOf<S, T>, object: ObjectString<S, T>): boolean;
  /** The ids (`type:id`) of every `type` object the user has `relation` on; empty when anonymous or on any error. */
  listObjects<T extends ObjectType<S>>(relation: RelationOf<S, T>, type: T): readonly ObjectString<S, T>[];
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Gatehouse helpers for this request, set by `gatehouse()` or `requirePermission()`. */
      authz?: AuthzHelpers;
    }
  }
}

// The options a request was guarded with, kept beside the request rather than on it: adding a
// property to Express's request object costs more than the whole check (measured: 9.3% fewer
// requests/s with a symbol property, 3.2% with this map, 3.0% for the bare decision).
const attached = new WeakMap<Request, GatehouseExpressOptions>();

function reportError(options: GatehouseExpressOptions, error: GatehouseError, req: Request): void {
  options.onError?.(error, req);
}

function createHelpers(options: GatehouseExpressOptions, req: Request): AuthzHelpers {
  // Resolved on first use: most guarded handlers never call the helpers, so they cost nothing.
  let resolved: { user: string | undefined; extra: Pick<PermissionRequest, 'context' | 'contextualTuples'> } | undefined;
  const resolve = () => {
    if (resolved === undefined) {
      const context = options.context?.(req);
      const contextualTuples = options.contextualTuples?.(req);
      resolved = {
        user: options.getUser(req),
        extra: {
          ...(context === undefined ? {} : { context }),
          ...(contextualTuples === undefined ? {} : { contextualTuples }),
        },
      };
    }
    return resolved;
  };
  return {
    get user() {
      return resolve().user;
    },
    can(relation, object) {
      const { user, extra } = resolve();
      const decision = decidePermission(options.authorizer, { user, relation, object, ...extra });
      if (decision.kind === 'error') reportError(options, decision.error, req);
      return decision.kind === 'allow';
    },
    listObjects(relation, type) {
      const { user, extra } = resolve();
      if (user === undefined) return [];
      try {
        const result: ListObjectsResult = options.authorizer.listObjects({ user, relation, type, ...extra });
        return result.objects as readonly ObjectString<RegisteredSchema, typeof type>[];
      } catch (thrown) {
        reportError(options, toGatehouseError(thrown), req);
        return [];
      }
    },
  };
}

// Request prototypes whose `authz` getter is installed (one per Express app).
const lazyAuthz = new WeakSet<object>();

/**
 * Makes `req.authz` a getter on the request's prototype (the app's `request` object, where Express
 * keeps its own request methods) that builds the helpers on first read. Building them eagerly,
 * closures and all, on every guarded request cost more than the check itself (measured: 16.6%
 * fewer requests/s against 4.5% without it).
 */
function installLazyAuthz(req: Request): void {
  const proto: unknown = Object.getPrototypeOf(req);
  if (typeof proto !== 'object' || proto === null || lazyAuthz.has(proto)) return;
  lazyAuthz.add(proto);
  Object.defineProperty(proto, 'authz', {
    configurable: true,
    get(this: Request): AuthzHelpers | undefined {
      const options = attached.get(this);
      if (options === undefined) return undefined;
      const helpers = createHelpers(options, this);
      Object.defineProperty(this, 'authz', { value: helpers, writable: true, configurable: true, enumerable: true });
      return helpers;
    },
    set(this: Request, value: unknown) {
      Object.defineProperty(this, 'authz', { value, writable: true, configurable: true, enumerable: true });
    },
  });
}

function attach(options: GatehouseExpressOptions, req: Request): void {
  installLazyAuthz(req);
  attached.set(req, options);
}

/**
 * Middleware that sets `req.authz` (and the options the `@RequirePermission` decorator uses) for
 * every request. Mount it before controllers.
 *
 * @example
 * app.use(gatehouse({ authorizer, getUser: (req) => req.get('x-user') && `user:${req.get('x-user')}` }));
 */
export function gatehouse(options: GatehouseExpressOptions): RequestHandler {
  return (req, _res, next) => {
    attach(options, req);
    next();
  };
}

/** Sends an RFC 9457 problem body for a refused decision. */
function refuse(
  options: GatehouseExpressOptions,
  decision: Exclude<PermissionDecision, { kind: 'allow' }>,
  request: PermissionRequest,
  req: Request,
  res: Response,
): void {
  if (decision.kind === 'error') reportError(options, decision.error, req);
  const body = problemFor(decision, request, req.originalUrl);
  const final = options.problem === undefined ? body : options.problem(body, req);
  res.status(final.status).type(PROBLEM_JSON).send(JSON.stringify(final));
}

function resolveObject(object: ObjectResolver, req: Request): string | undefined {
  return typeof object === 'string' ? object : object(req);
}

/** Runs the check for a request; calls `next()` when allowed, answers the problem otherwise. */
export function guardRequest(
  options: GatehouseExpressOptions,
  relation: string,
  object: ObjectResolver,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  let request: PermissionRequest;
  try {
    request = {
      user: options.getUser(req),
      relation,
      object: resolveObject(object, req),
      ...(options.context === undefined ? {} : { context: options.context(req) }),
      ...(options.contextualTuples === undefined ? {} : { contextualTuples: options.contextualTuples(req) }),
    };
  } catch (thrown) {
    // A resolver that throws must not open the door: treat it as a failed evaluation.
    const error = toGatehouseError(thrown);
    refuse(options, { kind: 'error', status: options.errorStatus ?? 403, error }, { user: undefined, relation, object: undefined }, req, res);
    return;
  }
  const decision = decidePermission(options.authorizer, request, options.errorStatus ?? 403);
  if (decision.kind === 'allow') {
    if (!attached.has(req)) attach(options, req);
    next();
    return;
  }
  refuse(options, decision, request, req, res);
}

/**
 * Express 5 middleware that lets the request through only when the user has `relation` on the
 * object. Answers 401 without a user, 400 for a malformed object or user, 403 when denied, and
 * fails closed (403, or `errorStatus`) when the evaluation fails, with an RFC 9457 problem body.
 *
 * @param relation - the relation to require, e.g. `viewer`.
 * @param object - an object string, or a resolver such as {@link param}`('id', 'track')`.
 * @param options - the authorizer, `getUser`, and optional context, tuples, error status.
 * @example
 * app.get('/tracks/:id', requirePermission('viewer', param('id', 'track'), options), (req, res) => res.json({ ok: true }));
 * @see docs/integrations/express.md
 */
export function requirePermission(relation: string, object: ObjectResolver, options: GatehouseExpressOptions): RequestHandler {
  return (req, res, next) => guardRequest(options, relation, object, req, res, next);
}

/** The options `gatehouse()` attached to a request, if any (used by the decorator). */
export function optionsOf(req: Request): GatehouseExpressOptions | undefined {
  return attached.get(req);
}

function fromRecord(source: (req: Request) => unknown, name: string, type: string): (req: Request) => string | undefined {
  return (req) => {
    const record = source(req);
    if (record === null || typeof record !== 'object') return undefined;
    const value: unknown = (record as Record<string, unknown>)[name];
    return typeof value === 'string' && value !== '' ? `${type}:${value}` : undefined;
  };
}

/** The object `type:<req.params[name]>`. @example param('id', 'track') // 'track:' + req.params.id */
export function param(name: string, type: string): (req: Request) => string | undefined {
  return fromRecord((req) => req.params, name, type);
}

/** The object `type:<req.query[name]>` (a single string value only). */
export function query(name: string, type: string): (req: Request) => string | undefined {
  return fromRecord((req) => req.query, name, type);
}

/** The object `type:<req.body[name]>` (needs a body parser such as `express.json()`). */
export function body(name: string, type: string): (req: Request) => string | undefined {
  return fromRecord((req) => req.body as unknown, name, type);
}
