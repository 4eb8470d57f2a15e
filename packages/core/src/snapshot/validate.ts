import { GatehouseError } from '../errors/index';
import type { TupleKey } from '../store/types';

// Shape checks for what a source hands over. Sources validate their payloads (decodeBundle,
// MemorySource), but anyone can write a source: these checks make sure nothing malformed reaches
// the store, where it could only fail later, mid-build. They are cheap (typeof tests) because a
// full snapshot runs them on every tuple; id syntax and model fit are the store's to judge.

const REVISION = /^(?:0|[1-9][0-9]{0,39})$/;

/** A `invalid_bundle` error: the payload a source delivered is malformed. */
export function malformed(message: string): GatehouseError {
  return new GatehouseError('invalid_bundle', message);
}

/** Checks a revision: a canonical decimal string (the sync layer's `Revision`). */
export function checkRevision(value: unknown, where: string): string {
  if (typeof value !== 'string' || !REVISION.test(value)) {
    throw malformed(`${where}: invalid revision ${describe(value)}: expected a non-negative integer in canonical decimal form`);
  }
  return value;
}

/**
 * Orders two canonical revisions numerically. The same rule as the sync layer's
 * `compareRevisions`, which this layer may not import.
 */
export function compareCanonical(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Checks a model id: a non-empty string. */
export function checkModelId(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw malformed(`${where}: invalid modelId ${describe(value)}: expected a non-empty string`);
  return value;
}

/** Checks that `value` is an array of tuples `{ user, relation, object, condition? }` with string fields. */
export function checkTuples(value: unknown, where: string, allowCondition: boolean): readonly TupleKey[] {
  if (!Array.isArray(value)) throw malformed(`${where}: expected an array of tuples, got ${describe(value)}`);
  for (let i = 0; i < value.length; i++) {
    const t: unknown = value[i];
    if (
      t === null ||
      typeof t !== 'object' ||
      typeof (t as TupleKey).user !== 'string' ||
      typeof (t as TupleKey).relation !== 'string' ||
      typeof (t as TupleKey).object !== 'string'
    ) {
      throw malformed(`${where}[${i}]: expected a tuple { user, relation, object } of strings, got ${describe(t)}`);
    }
    const condition: unknown = (t as TupleKey).condition;
    if (condition === undefined || condition === null || !allowCondition) continue;
    if (typeof condition !== 'object' || typeof (condition as { name?: unknown }).name !== 'string') {
      throw malformed(`${where}[${i}]: the condition of ${label(t as TupleKey)} must be an object with a name`);
    }
    const context: unknown = (condition as { context?: unknown }).context;
    if (context !== undefined && context !== null && (typeof context !== 'object' || Array.isArray(context))) {
      throw malformed(`${where}[${i}]: the condition context of ${label(t as TupleKey)} must be an object`);
    }
  }
  return value as readonly TupleKey[];
}

/** A tuple's identity as one string, `object#relation@user` (unambiguous: ids never hold `#` or `@`). */
export function tupleId(t: { readonly user: string; readonly relation: string; readonly object: string }): string {
  return `${t.object}#${t.relation}@${t.user}`;
}

function label(t: TupleKey): string {
  return `'${tupleId(t)}'`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return `${typeof value} ${String(value)}`;
}
