import type { Authorizer } from '../authorizer/index';
import type { CheckRequest } from '../engine/index';
import { httpStatusOf, toGatehouseError } from '../errors/index';
import type { GatehouseError } from '../errors/index';
import type { ConditionContext as TupleConditionContext, TupleKey } from '../store/index';
import { tryParseObject, tryParseUser } from '../tuples/ids';

// The framework-free half of every HTTP integration (Express, Next.js): from a described request
// to a decision and an RFC 9457 body. Adapters only read their framework's request and write its
// response, so every integration answers alike.

/**
 * A permission check described without any framework: who, what, and the request's condition
 * context and contextual tuples. `user`/`object` are `undefined` when the request did not carry them.
 */
export interface PermissionRequest {
  /** The user string (`user:anne`), or `undefined` for an anonymous request. */
  readonly user: string | undefined;
  /** The relation to check. */
  readonly relation: string;
  /** The object string (`track:t1`), or `undefined` when the request did not name one. */
  readonly object: string | undefined;
  /** Condition context for this request (request time, ip, ...). */
  readonly context?: TupleConditionContext;
  /** Tuples that hold for this request only. */
  readonly contextualTuples?: readonly TupleKey[];
}

/** The outcome of {@link decidePermission}; `status` is the HTTP status to answer with (200 to go on). */
export type PermissionDecision =
  | { readonly kind: 'allow'; readonly status: 200 }
  | { readonly kind: 'unauthenticated'; readonly status: 401 }
  | { readonly kind: 'malformed'; readonly status: 400; readonly detail: string }
  | { readonly kind: 'deny'; readonly status: 403 }
  | { readonly kind: 'error'; readonly status: 403 | 503; readonly error: GatehouseError };

/** How an evaluation error is answered: `403` (deny, the default) or `503` (unavailable). */
export type ErrorStatus = 403 | 503;

/**
 * Decides a permission request against an authorizer, synchronously. Never throws: malformed
 * input is `malformed` (400), a failed evaluation is `error` and fails closed with `errorStatus`.
 * The authorizer itself reports failed evaluations through its `error` event.
 *
 * @param errorStatus - the status of a failed evaluation, default `403`.
 * @example
 * const d = decidePermission(authorizer, { user: 'user:ada', relation: 'viewer', object: 'track:t1' });
 * if (d.kind !== 'allow') return new Response(null, { status: d.status });
 */
export function decidePermission(
  authorizer: Authorizer,
  request: PermissionRequest,
  errorStatus: ErrorStatus = 403,
): PermissionDecision {
  if (request.user === undefined || request.user === '') return { kind: 'unauthenticated', status: 401 };
  if (tryParseUser(request.user) === undefined) {
    return { kind: 'malformed', status: 400, detail: `The user "${request.user}" is not a valid user string.` };
  }
  if (request.object === undefined || request.object === '') {
    return { kind: 'malformed', status: 400, detail: 'The request does not name the object to authorize.' };
  }
  if (tryParseObject(request.object) === undefined) {
    return { kind: 'malformed', status: 400, detail: `The object "${request.object}" is not a valid object id (type:id).` };
  }
  const check: CheckRequest = {
    user: request.user,
    relation: request.relation,
    object: request.object,
    ...(request.context === undefined ? {} : { context: request.context }),
    ...(request.contextualTuples === undefined ? {} : { contextualTuples: request.contextualTuples }),
  };
  try {
    return authorizer.check(check).allowed ? { kind: 'allow', status: 200 } : { kind: 'deny', status: 403 };
  } catch (thrown) {
    return { kind: 'error', status: errorStatus, error: toGatehouseError(thrown) };
  }
}

/** An RFC 9457 problem details body (`application/problem+json`). */
export interface ProblemDetails {
  /** A URI naming the problem type. */
  readonly type: string;
  /** A short, stable summary of the problem type. */
  readonly title: string;
  /** The HTTP status. */
  readonly status: number;
  /** What went wrong for this request. */
  readonly detail: string;
  /** The request path, when known. */
  readonly instance?: string;
  /** The Gatehouse error code, for evaluation errors and malformed requests. */
  readonly code?: string;
}

/** The media type of {@link ProblemDetails} bodies. */
export const PROBLEM_JSON = 'application/problem+json';

const TITLES = {
  unauthenticated: 'Unauthenticated',
  malformed: 'Malformed request',
  deny: 'Forbidden',
  error: 'Authorization unavailable',
} as const;

/**
 * The RFC 9457 body for a decision that is not `allow`. Evaluation errors keep their code but not
 * their message, which may name internals; the error itself goes to the authorizer's events.
 *
 * @param instance - the request path, reported as `instance`.
 */
export function problemFor(
  decision: Exclude<PermissionDecision, { kind: 'allow' }>,
  request: Pick<PermissionRequest, 'relation' | 'object'>,
  instance?: string,
): ProblemDetails {
  const base = { type: `https://gatehouse.dev/problems/${decision.kind}`, title: TITLES[decision.kind], status: decision.status };
  const at = instance === undefined ? {} : { instance };
  switch (decision.kind) {
    case 'unauthenticated':
      return { ...base, ...at, detail: 'No authenticated user: sign in to access this resource.' };
    case 'malformed':
      return { ...base, ...at, code: 'validation_error', detail: decision.detail };
    case 'deny':
      return { ...base, ...at, detail: `Missing the "${request.relation}" permission on ${request.object ?? 'the object'}.` };
    case 'error':
      return {
        ...base,
        ...at,
        code: decision.error.code,
        detail: `The permission check for "${request.relation}" failed (${decision.error.code}, would be HTTP ${httpStatusOf(decision.error.code)}); access is denied.`,
      };
  }
}

/**
 * A Web-standard `Response` carrying {@link problemFor}'s body, for fetch-style handlers (Next.js
 * route handlers, the Edge runtime).
 *
 * @param instance - the request path, reported as `instance`.
 */
export function problemResponse(
  decision: Exclude<PermissionDecision, { kind: 'allow' }>,
  request: Pick<PermissionRequest, 'relation' | 'object'>,
  instance?: string,
): Response {
  return new Response(JSON.stringify(problemFor(decision, request, instance)), {
    status: decision.status,
    headers: { 'content-type': PROBLEM_JSON },
  });
}
