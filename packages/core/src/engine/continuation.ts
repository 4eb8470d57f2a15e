import { GatehouseError } from '../errors/index';

/** What a listObjects continuation token carries: the query it belongs to and the last object returned. */
export interface ContinuationState {
  /** A digest of the query (user, relation, type). */
  readonly query: string;
  /** The last object returned; the next page starts after it. */
  readonly after: string;
}

/** A short, stable digest of a query, so a token cannot be replayed against another one. */
export function queryDigest(parts: readonly string[]): string {
  // FNV-1a over the joined parts: collisions only matter for tokens forged on purpose, and those
  // are rejected by the bounds check on `after` anyway (a token never grants anything).
  let h = 0x811c9dc5;
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** Encodes a token: base64url of a small JSON document (ids are ASCII, so `btoa` is safe). */
export function encodeContinuation(state: ContinuationState): string {
  return btoa(JSON.stringify({ v: 1, q: state.query, a: state.after })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes a token and checks it belongs to `query`.
 *
 * @throws {GatehouseError} `invalid_continuation_token` for anything malformed or foreign.
 */
export function decodeContinuation(token: unknown, query: string): ContinuationState {
  const invalid = (why: string): GatehouseError => new GatehouseError('invalid_continuation_token', `invalid continuation token: ${why}`);
  if (typeof token !== 'string' || token.length === 0 || token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw invalid('not a token this API issued');
  }
  let parsed: unknown;
  try {
    const b64 = token.replace(/-/g, '+').replace(/_/g, '/');
    parsed = JSON.parse(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)));
  } catch {
    throw invalid('not a token this API issued');
  }
  if (
    parsed === null ||
    typeof parsed !== 'object' ||
    (parsed as { v?: unknown }).v !== 1 ||
    typeof (parsed as { q?: unknown }).q !== 'string' ||
    typeof (parsed as { a?: unknown }).a !== 'string'
  ) {
    throw invalid('not a token this API issued');
  }
  const { q, a } = parsed as { q: string; a: string };
  if (q !== query) throw invalid('it belongs to another query');
  return { query: q, after: a };
}
