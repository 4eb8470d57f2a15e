import { GatehouseError } from '@gatehouse/core';
import type { PermissionDecision } from '@gatehouse/core/http';

/** Why a guard refused: the kind of the refusing `PermissionDecision` of `@gatehouse/core/http`. */
export type PermissionErrorReason = Exclude<PermissionDecision, { kind: 'allow' }>['kind'];

/**
 * Thrown by `assert` of {@link createGatehouse} when it does not (or cannot) stop the render with
 * Next.js's own `unauthorized()` / `forbidden()` / `notFound()`. Catch it in an `error.tsx`
 * boundary, or branch on `code` in a server action.
 *
 * - `code: 'unauthenticated'` (status 401): no signed-in user.
 * - `code: 'forbidden'`: the user lacks the relation (`reason: 'deny'`, 403), the object
 *   is malformed (`'malformed'`, 400), or the check failed and so failed closed (`'error'`, 403 or
 *   503, with the evaluation error as `cause`).
 */
export class PermissionError extends GatehouseError {
  /** `unauthenticated` or `forbidden`. */
  declare readonly code: 'unauthenticated' | 'forbidden';
  /** The decision kind that refused. */
  readonly reason: PermissionErrorReason;
  /** The HTTP status a transport should answer with. */
  readonly status: 400 | 401 | 403 | 503;
  /** The relation that was required. */
  readonly relation: string;
  /** The object it was required on, when known. */
  readonly object: string | undefined;

  constructor(decision: Exclude<PermissionDecision, { kind: 'allow' }>, relation: string, object: string | undefined, message: string) {
    super(decision.kind === 'unauthenticated' ? 'unauthenticated' : 'forbidden', message, decision.kind === 'error' ? { cause: decision.error } : {});
    this.name = 'PermissionError';
    this.reason = decision.kind;
    this.status = decision.status;
    this.relation = relation;
    this.object = object;
  }
}
