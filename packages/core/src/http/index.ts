/**
 * `@gatehouse/core/http`: Web-standard building blocks shared by the HTTP integrations: decide a
 * described request against an authorizer, answer with RFC 9457 problem details, and compute the
 * decisions (never the tuples) a browser may be sent.
 *
 * @packageDocumentation
 */
export { decidePermission, PROBLEM_JSON, problemFor, problemResponse } from './decide';
export type { ErrorStatus, PermissionDecision, PermissionRequest, ProblemDetails } from './decide';
export { computeDecisions, decisionKey, DEFAULT_MAX_CHECKS, DEFAULT_MAX_LISTS, listKey } from './decisions';
export type { ComputeDecisionsOptions, DecisionCheck, DecisionList, DecisionQuery, DecisionSet } from './decisions';
