import { forbidden, notFound, redirect, unauthorized, unstable_rethrow } from 'next/navigation';
import { GatehouseError, toGatehouseError } from '@gatehouse/core';
import type { Authorizer, ObjectString, ObjectType, RelationOf, Schema, TupleConditionContext, TupleKey } from '@gatehouse/core';
import { computeDecisions, decidePermission, problemFor, problemResponse } from '@gatehouse/core/http';
import type { ComputeDecisionsOptions, DecisionQuery, DecisionSet, ErrorStatus, PermissionDecision, PermissionRequest } from '@gatehouse/core/http';
import { authorizerOf, availability, errorStatusOf, unavailable } from './authorizerOf';
import { PermissionError } from './PermissionError';

/**
 * Register your model's schema to type `can`, `assert` and `withPermission` across the app:
 * `declare module '@gatehouse/next' { interface Register { schema: InferSchema<typeof model> } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The registered schema (see {@link Register}), or any schema when none is registered. */
export type RegisteredSchema = Register extends { schema: infer S extends Schema } ? S : Schema;

/** A relation of type `T` of schema `S`; any string when `S` is the unregistered, open schema. */
export type RelationArg<S extends Schema, T extends ObjectType<S>> = string extends ObjectType<S> ? string : RelationOf<S, T>;

/** An object `T:id` of schema `S`; any string when `S` is the unregistered, open schema. */
export type ObjectArg<S extends Schema, T extends ObjectType<S>> = string extends ObjectType<S> ? string : ObjectString<S, T>;

/** Options of {@link createGatehouse}. */
export interface GatehouseNextOptions {
  /**
   * The authorizer, or a function returning one (or a promise of one), e.g. a module-level
   * singleton awaiting `ready()`. A function that throws, or an authorizer with no snapshot yet,
   * fails closed with status 503.
   */
  readonly authorizer: Authorizer | (() => Authorizer | Promise<Authorizer>);
  /** The signed-in user (`user:ada`), or `undefined`: e.g. from `(await cookies()).get('session')`. */
  readonly getUser: () => string | undefined | Promise<string | undefined>;
  /** The status of a failed evaluation: `403` (default) or `503`. No snapshot at all is always 503. */
  readonly errorStatus?: ErrorStatus;
  /** Condition context for every check, e.g. `() => ({ current_time: new Date().toISOString() })`. */
  readonly context?: () => TupleConditionContext | undefined;
  /**
   * Whether `assert` may call Next.js's `forbidden()` and `unauthorized()`. They exist from Next.js
   * 15.1 and, up to 16.x, work only with `experimental.authInterrupts: true` in next.config (without
   * it they throw a plain error, a 500). Default: what the build says (Next.js inlines the flag
   * into server bundles); `false` throws {@link PermissionError} instead.
   */
  readonly authInterrupts?: boolean;
  /**
   * The most checks and lists one `decisions(query)` may ask, default 1 000 and 50 (see
   * `computeDecisions`). A larger query is refused with `validation_error` before any evaluation:
   * a refresh server action takes its query from the browser.
   */
  readonly decisionLimits?: Pick<ComputeDecisionsOptions, 'maxChecks' | 'maxLists'>;
}

/** Per-call condition context and contextual tuples. */
export interface CheckOptions {
  /** Condition context for this check (merged over the `context` option). */
  readonly context?: TupleConditionContext;
  /** Tuples that hold for this check only. */
  readonly contextualTuples?: readonly TupleKey[];
}

/** Options of {@link Gatehouse.assert}. */
export interface AssertOptions extends CheckOptions {
  /**
   * A denial (or malformed object, or failed check answered 403): `'forbidden'` (default) calls
   * `forbidden()` when auth interrupts are on, else throws; `'notFound'` calls `notFound()` (hides
   * that the object exists; every Next.js version); `'throw'` throws {@link PermissionError}.
   */
  readonly onDenied?: 'forbidden' | 'notFound' | 'throw';
  /**
   * No user: `'unauthorized'` (default) calls `unauthorized()` when auth interrupts are on, else
   * throws; `{ redirect: '/sign-in' }` calls `redirect()`; `'throw'` throws {@link PermissionError}.
   */
  readonly onUnauthenticated?: 'unauthorized' | 'throw' | { readonly redirect: string };
}

/** What a guarded route handler receives after the route's own arguments. */
export interface PermissionGrant {
  /** The signed-in user the permission was checked for. */
  readonly user: string;
}

/** Where {@link Gatehouse.withPermission} finds the object: a fixed string or a function of the route's arguments. */
export type RouteObject<S extends Schema, T extends ObjectType<S>, R extends Request, C> =
  | ObjectArg<S, T>
  | ((request: R, context: C) => string | undefined | Promise<string | undefined>);

/** The server-side helpers of {@link createGatehouse}, typed from schema `S`. */
export interface Gatehouse<S extends Schema = RegisteredSchema> {
  /**
   * Whether the current user has `relation` on `object`. Never throws for a refusal: `false` when
   * signed out, denied, malformed, or when the check fails (fail closed).
   */
  can<T extends ObjectType<S>>(relation: RelationArg<S, T>, object: ObjectArg<S, T>, options?: CheckOptions): Promise<boolean>;
  /**
   * Returns when the current user has `relation` on `object`; otherwise stops the render or
   * action: `unauthorized()` / `forbidden()` (auth interrupts on), `notFound()`, `redirect()`, or a
   * thrown {@link PermissionError}. A failed check answered 503 always throws.
   *
   * @throws {PermissionError} `unauthenticated` or `forbidden`, when no Next.js interrupt applies.
   */
  assert<T extends ObjectType<S>>(relation: RelationArg<S, T>, object: ObjectArg<S, T>, options?: AssertOptions): Promise<void>;
  /**
   * Wraps a `route.ts` handler: it runs only when the current user has `relation` on the object;
   * otherwise the response is an RFC 9457 problem (401, 400, 403, or 503), as `@gatehouse/express` answers.
   */
  withPermission<T extends ObjectType<S>, R extends Request = Request, C = unknown>(
    relation: RelationArg<S, T>,
    object: RouteObject<S, T, R, C>,
    handler: (request: R, context: C, grant: PermissionGrant) => Response | Promise<Response>,
  ): (request: R, context: C) => Promise<Response>;
  /**
   * The current user's answers to `query`, for `<GatehouseProvider decisions>` of `@gatehouse/react`:
   * decisions only, never tuples. Every answer is `false` (lists empty) when signed out or when
   * the authorizer is unavailable.
   *
   * @throws {GatehouseError} `validation_error` for a query that is not one or asks more than
   *   `decisionLimits` allow.
   */
  decisions(query: DecisionQuery): Promise<DecisionSet>;
}

function authInterruptsFromBuild(): boolean {
  // Next.js replaces this expression at build time (define), as it does in its own forbidden().
  return typeof process !== 'undefined' && Boolean(process.env.__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS);
}

/**
 * Creates the server-side guards for server components, server actions and route handlers,
 * typed from the registered schema (see {@link Register}).
 *
 * @throws {GatehouseError} `validation_error` for missing `authorizer`/`getUser`, a bad `errorStatus`
 *   or bad `decisionLimits`.
 * @example
 * // lib/gatehouse.ts
 * export const gatehouse = createGatehouse({
 *   authorizer: getAuthorizer, // () => Promise<Authorizer>
 *   getUser: async () => userFromSession((await cookies()).get('session')?.value),
 * });
 * // app/artists/[id]/edit/page.tsx
 * await gatehouse.assert('editor', `artist:${id}`);
 * @see docs/integrations/nextjs.md
 */
export function createGatehouse<S extends Schema = RegisteredSchema>(options: GatehouseNextOptions): Gatehouse<S> {
  if (typeof options !== 'object' || options === null) throw new GatehouseError('validation_error', 'createGatehouse: options must be an object');
  if (options.authorizer === undefined || options.authorizer === null) throw new GatehouseError('validation_error', 'createGatehouse: authorizer is required');
  if (typeof options.getUser !== 'function') throw new GatehouseError('validation_error', 'createGatehouse: getUser must be a function');
  const errorStatus = errorStatusOf(options.errorStatus, 'createGatehouse');
  const limits: Pick<ComputeDecisionsOptions, 'maxChecks' | 'maxLists'> = {
    ...(options.decisionLimits?.maxChecks === undefined ? {} : { maxChecks: options.decisionLimits.maxChecks }),
    ...(options.decisionLimits?.maxLists === undefined ? {} : { maxLists: options.decisionLimits.maxLists }),
  };
  // An empty query with the limits: refuses bad limits now rather than on the first request.
  computeDecisions(undefined, undefined, {}, limits);

  // Every catch below first lets Next.js's own control-flow errors through (redirect(),
  // notFound(), the bail-out a dynamic API such as cookies() throws while prerendering): swallowing
  // one would render a signed-in page as signed out, or statically.

  async function decide(relation: string, object: string | undefined, extra: CheckOptions = {}): Promise<{ decision: PermissionDecision; request: PermissionRequest }> {
    let request: PermissionRequest = { user: undefined, relation, object };
    try {
      const user = await options.getUser();
      const base = options.context?.();
      const context = base === undefined && extra.context === undefined ? undefined : { ...base, ...extra.context };
      request = {
        user,
        relation,
        object,
        ...(context === undefined ? {} : { context }),
        ...(extra.contextualTuples === undefined ? {} : { contextualTuples: extra.contextualTuples }),
      };
    } catch (error) {
      unstable_rethrow(error);
      // A resolver that throws must not open the door: a failed evaluation.
      return { decision: { kind: 'error', status: errorStatus, error: toGatehouseError(error) }, request };
    }
    if (request.user === undefined || request.user === '') return { decision: { kind: 'unauthenticated', status: 401 }, request };
    let authorizer: Authorizer;
    try {
      authorizer = await authorizerOf(options.authorizer);
    } catch (error) {
      unstable_rethrow(error);
      return { decision: unavailable(toGatehouseError(error)), request };
    }
    return { decision: availability(decidePermission(authorizer, request, errorStatus)), request };
  }

  const interrupts = (): boolean => options.authInterrupts ?? authInterruptsFromBuild();

  return {
    async can(relation, object, checkOptions) {
      const { decision } = await decide(relation, object, checkOptions);
      return decision.kind === 'allow';
    },

    async assert(relation, object, assertOptions = {}) {
      const { decision, request } = await decide(relation, object, assertOptions);
      if (decision.kind === 'allow') return;
      const error = new PermissionError(decision, relation, object, problemFor(decision, request).detail);
      if (decision.kind === 'unauthenticated') {
        const answer = assertOptions.onUnauthenticated ?? 'unauthorized';
        if (typeof answer === 'object') redirect(answer.redirect);
        if (answer === 'unauthorized' && interrupts()) unauthorized();
        throw error;
      }
      if (decision.status === 503) throw error;
      const answer = assertOptions.onDenied ?? 'forbidden';
      if (answer === 'notFound') notFound();
      if (answer === 'forbidden' && interrupts()) forbidden();
      throw error;
    },

    withPermission(relation, object, handler) {
      return async (request, context) => {
        const instance = new URL(request.url).pathname;
        let resolved: string | undefined;
        try {
          resolved = typeof object === 'function' ? await object(request, context) : object;
        } catch (error) {
          unstable_rethrow(error);
          // A resolver that throws must not open the door: a failed evaluation.
          return problemResponse({ kind: 'error', status: errorStatus, error: toGatehouseError(error) }, { relation, object: undefined }, instance);
        }
        const { decision, request: described } = await decide(relation, resolved);
        if (decision.kind !== 'allow') return problemResponse(decision, described, instance);
        return handler(request, context, { user: described.user as string });
      };
    },

    async decisions(query) {
      let user: string | undefined;
      let context: TupleConditionContext | undefined;
      try {
        user = await options.getUser();
        context = options.context?.();
      } catch (error) {
        unstable_rethrow(error);
        return computeDecisions(undefined, undefined, query, limits);
      }
      if (user === undefined || user === '') return computeDecisions(undefined, undefined, query, limits);
      let authorizer: Authorizer | undefined;
      try {
        authorizer = await authorizerOf(options.authorizer);
      } catch (error) {
        unstable_rethrow(error);
        // Unavailable: computeDecisions answers every check false.
        authorizer = undefined;
      }
      return computeDecisions(authorizer, user, query, context === undefined ? limits : { ...limits, context });
    },
  };
}
