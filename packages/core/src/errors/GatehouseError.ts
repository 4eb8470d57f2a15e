import type { GatehouseErrorCode } from './codes';

/** Options accepted by {@link GatehouseError}. */
export interface GatehouseErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
}

/**
 * The base class of every error Gatehouse throws. Branch on `code`, which is stable across
 * releases; messages are for humans and may change.
 */
export class GatehouseError extends Error {
  /** The stable, machine-readable error code. */
  readonly code: GatehouseErrorCode;

  constructor(code: GatehouseErrorCode, message: string, options: GatehouseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatehouseError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

const BRAND = Symbol.for('gatehouse.error');

/**
 * True when `value` is a {@link GatehouseError}. It also recognises errors from another copy of
 * `@gatehouse/core` (a duplicated install), which `instanceof` would miss.
 */
export function isGatehouseError(value: unknown): value is GatehouseError {
  return (
    value instanceof GatehouseError ||
    (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true)
  );
}

/**
 * Turns anything thrown into a {@link GatehouseError}. Unknown failures become `internal`, which
 * every caller treats as a deny: authorization fails closed.
 */
export function toGatehouseError(value: unknown): GatehouseError {
  if (value instanceof GatehouseError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new GatehouseError('internal', `internal error: ${message}`, { cause: value });
}
