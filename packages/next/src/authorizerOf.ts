import { GatehouseError, isGatehouseError } from '@gatehouse/core';
import type { Authorizer } from '@gatehouse/core';
import type { ErrorStatus, PermissionDecision } from '@gatehouse/core/http';

// Shared by both entries (the Edge middleware and the server helpers): core only, no Next import.

/** An authorizer, or a function that returns one (created lazily, once per isolate or process). */
export type AuthorizerOption<Args extends readonly unknown[]> = Authorizer | ((...args: Args) => Authorizer | Promise<Authorizer>);

/**
 * The authorizer behind an {@link AuthorizerOption}. A factory that throws or rejects (the first
 * bundle did not load in time, the policy service is down) yields `not_ready`, or the typed error
 * it threw.
 */
export async function authorizerOf<Args extends readonly unknown[]>(option: AuthorizerOption<Args>, ...args: Args): Promise<Authorizer> {
  if (typeof option !== 'function') return option;
  try {
    return await option(...args);
  } catch (error) {
    if (isGatehouseError(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new GatehouseError('not_ready', `the authorizer could not be created: ${reason}`, { cause: error });
  }
}

/**
 * An authorizer without a usable snapshot must not look like a denial: it answers 503 (retry
 * later) whatever `errorStatus` says, so a cold isolate that is still loading its first bundle
 * is told apart from a user who lacks the permission.
 */
export function unavailable(error: GatehouseError): Extract<PermissionDecision, { kind: 'error' }> {
  return { kind: 'error', status: 503, error };
}

/** `decision`, with a `not_ready` evaluation error answered as 503 (see {@link unavailable}). */
export function availability(decision: PermissionDecision): PermissionDecision {
  return decision.kind === 'error' && decision.error.code === 'not_ready' ? unavailable(decision.error) : decision;
}

/** The status of a failed evaluation, validated: `403` (default) or `503`. */
export function errorStatusOf(value: ErrorStatus | undefined, where: string): ErrorStatus {
  if (value === undefined) return 403;
  if (value !== 403 && value !== 503) throw new GatehouseError('validation_error', `${where}: errorStatus must be 403 or 503, got ${String(value)}`);
  return value;
}
