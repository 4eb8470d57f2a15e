/**
 * `@gatehouse/core/http`: Web-standard building blocks shared by the HTTP integrations: decide a
 * described request against an authorizer, and answer with RFC 9457 problem details.
 *
 * @packageDocumentation
 */
export { decidePermission, PROBLEM_JSON, problemFor, problemResponse } from './decide';
export type { ErrorStatus, PermissionDecision, PermissionRequest, ProblemDetails } from './decide';
