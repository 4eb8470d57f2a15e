import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCacheKey, encode, snapshotKeyPrefix } from './cacheKey';

const p = snapshotKeyPrefix(7);
const base = { user: 'user:anne', relation: 'viewer', object: 'doc:1' };

/** The same value with every object's keys in reverse order. */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).reverse().map(([k, v]) => [k, reorder(v)]));
  }
  return value;
}

describe('decision cache keys', () => {
  it('differ by snapshot, whatever the request', () => {
    const ids = [1, 7, 17, 71, 117];
    const keys = ids.flatMap((id) => [base, { ...base, user: '7|user:anne' }, { ...base, user: `${id}|` }].map((r) => checkCacheKey(snapshotKeyPrefix(id), r)));
    expect(new Set(keys).size).toBe(ids.length * 3);
  });

  it('never let one field bleed into the next', () => {
    const a = checkCacheKey(p, { user: 'user:a', relation: 'bviewer', object: 'doc:1' });
    const b = checkCacheKey(p, { user: 'user:ab', relation: 'viewer', object: 'doc:1' });
    const c = checkCacheKey(p, { user: 'user:a1:b', relation: 'v', object: 'x' });
    const d = checkCacheKey(p, { user: 'user:a', relation: '1:bv', object: 'x' });
    expect(new Set([a, b, c, d]).size).toBe(4);
  });

  it('tell context and contextual tuples apart, and absent from empty', () => {
    const keys = [
      checkCacheKey(p, base),
      checkCacheKey(p, { ...base, context: {} }),
      checkCacheKey(p, { ...base, contextualTuples: [] }),
      checkCacheKey(p, { ...base, context: { x: 1 } }),
      checkCacheKey(p, { ...base, contextualTuples: [{ user: 'user:x', relation: 'owner', object: 'doc:1' }] }),
    ];
    expect(new Set(keys).size).toBe(5);
  });

  it('ignore the order of context keys', () => {
    expect(checkCacheKey(p, { ...base, context: { a: 1, b: [1, { c: 2, d: 3 }] } })).toBe(checkCacheKey(p, { ...base, context: { b: [1, { d: 3, c: 2 }], a: 1 } }));
  });

  it.each([
    ['0 and -0', 0, -0],
    ['null and NaN', null, Number.NaN],
    ['1 and "1"', 1, '1'],
    ['1 and 1n', 1, 1n],
    ['true and "T"', true, 'T'],
    ['a missing and an undefined property', {}, { a: undefined }],
    ['[] and {}', [], {}],
    ['["a","b"] and ["ab"]', ['a', 'b'], ['ab']],
  ])('keep values apart that the engine could tell apart: %s', (_, a, b) => {
    expect(encode(a, 0)).not.toBe(encode(b, 0));
  });

  it.each([
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a class instance', new (class Thing {})()],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a sparse array', [1, , 3]],
    ['a deeply nested value', JSON.parse(`${'['.repeat(40)}1${']'.repeat(40)}`)],
    ['a huge value', { blob: 'x'.repeat(10_000) }],
  ])('make a request with %s in its context uncacheable', (_, value) => {
    expect(checkCacheKey(p, { ...base, context: { value } })).toBeUndefined();
  });

  it('make requests with non-string fields uncacheable (the engine rejects them)', () => {
    expect(checkCacheKey(p, { ...base, user: 1 } as never)).toBeUndefined();
    expect(checkCacheKey(p, null as never)).toBeUndefined();
  });

  it('are equal exactly when the JSON values are deeply equal', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(encode(a, 0) === encode(b, 0)).toBe(isDeepStrictEqual(a, b));
        expect(encode(reorder(a), 0)).toBe(encode(a, 0));
      }),
      { numRuns: 500 },
    );
  });
});
