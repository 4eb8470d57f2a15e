import { GatehouseError } from '../errors/index';

import type { Revision } from '../snapshot/types';

export type { Revision } from '../snapshot/types';

// Generous cap (a bigint has 19 digits) that keeps a hostile payload from making compares costly.
const REVISION = /^(?:0|[1-9][0-9]{0,39})$/;

/** True when `value` is a {@link Revision}: a canonical decimal string of a non-negative integer. */
export function isRevision(value: unknown): value is Revision {
  return typeof value === 'string' && REVISION.test(value);
}

/**
 * Normalises a revision given as a string or a non-negative safe integer.
 *
 * @throws {GatehouseError} `validation_error` when `value` is not a canonical non-negative integer.
 */
export function toRevision(value: string | number | bigint): Revision {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
  } else if (typeof value === 'bigint') {
    if (value >= 0n) return value.toString();
  } else if (isRevision(value)) {
    return value;
  }
  throw new GatehouseError(
    'validation_error',
    `invalid revision ${JSON.stringify(String(value))}: expected a non-negative integer in canonical decimal form`,
  );
}

/** Orders two revisions numerically: negative when `a < b`, zero when equal, positive when `a > b`. */
export function compareRevisions(a: Revision, b: Revision): number {
  // Canonical form has no leading zeros, so the longer string is the larger number.
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The revision after `revision` (`"41"` → `"42"`), exact at any size. */
export function nextRevision(revision: Revision): Revision {
  return (BigInt(revision) + 1n).toString();
}

/** The greater of two revisions. */
export function maxRevision(a: Revision, b: Revision): Revision {
  return compareRevisions(a, b) >= 0 ? a : b;
}
