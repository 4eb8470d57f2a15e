import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdjIndex } from './AdjIndex';
import type { KeyChange } from './AdjIndex';

/** Reads every key's `(slot, value, condition)` triples back as plain data. */
function dump(idx: AdjIndex, keys: Iterable<number>): Record<number, number[][]> {
  const out: Record<number, number[][]> = {};
  for (const k of keys) {
    const n = idx.find(k);
    if (n === 0) continue;
    const rows: number[][] = [];
    for (let i = idx.lo; i < idx.lo + n; i++) rows.push([idx.sarr ? idx.sarr[i]! : 0, idx.arr[i]!, idx.carr ? idx.carr[i]! : 0]);
    out[k] = rows;
  }
  return out;
}

function build(entries: readonly (readonly [number, number, number, number])[], keyBound: number, tagged = true): AdjIndex {
  const keys = Int32Array.from(entries, (e) => e[0]);
  const vals = Int32Array.from(entries, (e) => e[1]);
  const conds = Int32Array.from(entries, (e) => e[3]);
  const slots = tagged ? Uint16Array.from(entries, (e) => e[2]) : null;
  return AdjIndex.build(keys, vals, conds, slots, entries.length, keyBound);
}

/** The reference model: a sorted, de-duplicated list per key (first condition wins). */
function model(entries: readonly (readonly [number, number, number, number])[]): Record<number, number[][]> {
  const out: Record<number, number[][]> = {};
  for (const [k, v, s, c] of entries) {
    const rows = (out[k] ??= []);
    if (!rows.some((r) => r[0] === s && r[1] === v)) rows.push([s, v, c]);
  }
  for (const rows of Object.values(out)) rows.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  return out;
}

describe('AdjIndex', () => {
  it('answers like a sorted multimap whatever the layout (dense single, CSR, hashed)', () => {
    const entry = (bound: number) => fc.tuple(fc.nat(bound - 1), fc.nat(5000), fc.nat(3), fc.nat(2));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }).chain((bound) => fc.tuple(fc.constant(bound), fc.array(entry(bound), { maxLength: 400 }))),
        ([bound, entries]) => {
          const idx = build(entries, bound);
          const keys = new Set(entries.map((e) => e[0]));
          expect(dump(idx, keys)).toEqual(model(entries));
          expect(idx.keys().sort((a, b) => a - b)).toEqual([...keys].sort((a, b) => a - b));
          // Keys with no entries, negative keys and keys past the bound have none.
          expect(idx.find(-1)).toBe(0);
          expect(idx.find(bound + 10)).toBe(0);
        },
      ),
    );
  });

  it('sorts and de-duplicates large groups, with and without conditions, dense or sparse keys', () => {
    // At most three keys, so groups pass the insertion-sort size; values repeat, so duplicates abound.
    const entries = (bound: number) =>
      fc.array(fc.tuple(fc.nat(2).map((k) => k * Math.floor(bound / 3)), fc.nat(60), fc.nat(2), fc.nat(1)), { maxLength: 400, size: 'max' });
    fc.assert(
      fc.property(
        fc.constantFrom(3, 100_000).chain((bound) => fc.tuple(fc.constant(bound), entries(bound))),
        fc.boolean(),
        fc.boolean(),
        ([bound, list], withConds, tagged) => {
          const keys = Int32Array.from(list, (e) => e[0]);
          const vals = Int32Array.from(list, (e) => e[1]);
          const conds = withConds ? Int32Array.from(list, (e) => e[3]) : null;
          const slots = tagged ? Uint16Array.from(list, (e) => e[2]) : null;
          const idx = AdjIndex.build(keys, vals, conds, slots, list.length, bound);
          const expected = model(list.map(([k, v, s, c]) => [k, v, tagged ? s : 0, withConds ? c : 0] as const));
          expect(dump(idx, new Set(list.map((e) => e[0])))).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('narrows to a slot and finds a value in long lists', () => {
    const entries: [number, number, number, number][] = [];
    for (let v = 0; v < 1000; v += 2) entries.push([7, v, 1, 0]);
    for (let v = 0; v < 100; v++) entries.push([7, v, 0, v === 42 ? 9 : 0]);
    const idx = build(entries, 10);
    expect(idx.findSlot(7, 1)).toBe(500);
    expect(idx.findSlot(7, 0)).toBe(100);
    expect(idx.findSlot(7, 2)).toBe(0);
    expect(idx.indexOf(7, 1, 998)).toBeGreaterThanOrEqual(0);
    expect(idx.indexOf(7, 1, 999)).toBe(-1);
    const pos = idx.indexOf(7, 0, 42);
    expect(idx.carr![pos]).toBe(9);
    const untagged = build(entries.filter((e) => e[2] === 1), 10, false);
    expect(untagged.indexOf(7, 123, 500)).toBeGreaterThanOrEqual(0);
  });

  it('applies changes copy-on-write: the old version is untouched', () => {
    const base = build(
      [
        [1, 10, 0, 0],
        [1, 11, 0, 0],
        [2, 20, 1, 0],
      ],
      5,
    );
    const changes = new Map<number, KeyChange>([
      [1, { add: [[12, 0, 3]], remove: [[10, 0]] }],
      [9, { add: [[90, 2, 0]], remove: [] }],
    ]);
    const next = base.withChanges(changes, 10);
    expect(dump(next, [1, 2, 9])).toEqual({ 1: [[0, 11, 0], [0, 12, 3]], 2: [[1, 20, 0]], 9: [[2, 90, 0]] });
    expect(dump(base, [1, 2, 9])).toEqual({ 1: [[0, 10, 0], [0, 11, 0]], 2: [[1, 20, 0]] });
    expect(next.count).toBe(4);
    expect(base.count).toBe(3);
  });

  it('keeps every version answering as it did while patch layers merge', () => {
    // A base large enough (200k values) that ~12k patched keys never trigger a rebuild, so the
    // deltas below walk the patch through many recent → mid merges and a mid → old merge.
    const baseEntries: (readonly [number, number, number, number])[] = [];
    for (let k = 0; k < 100_000; k++) baseEntries.push([k, k, 0, 0], [k, k + 1, 1, 0]);
    let idx = build(baseEntries, 100_000);
    const state = new Map<number, number[][]>();
    for (let k = 0; k < 100_000; k++) state.set(k, [[0, k, 0], [1, k + 1, 0]]);
    const versions: { idx: AdjIndex; keys: number[]; expected: Record<number, number[][]> }[] = [];
    let seed = 7;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let delta = 0; delta < 1500; delta++) {
      const changes = new Map<number, KeyChange>();
      // Mostly fresh keys (the patch grows), some re-patched ones (a key lives in several layers).
      for (let j = 0; j < 8; j++) {
        const key = rand(4) === 0 ? rand(delta * 8 + 8) : delta * 8 + j;
        if (changes.has(key)) continue;
        const value = 200_000 + rand(1000);
        changes.set(key, { add: [[value, 2, delta + 1]], remove: [[key, 0]] });
        const rows = (state.get(key) ?? []).filter((r) => !(r[0] === 0 && r[1] === key) && !(r[0] === 2 && r[1] === value));
        rows.push([2, value, delta + 1]);
        rows.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
        state.set(key, rows);
      }
      idx = idx.withChanges(changes, 100_000);
      if (delta % 97 === 0 || delta === 1499) {
        const keys = [...changes.keys(), rand(12_000), rand(100_000), 99_999];
        const expected: Record<number, number[][]> = {};
        for (const k of keys) expected[k] = state.get(k)!.map((r) => [...r]);
        versions.push({ idx, keys, expected });
      }
    }
    expect(idx.patch).not.toBeNull();
    expect(idx.patch!.old).not.toBeNull();
    let total = 0;
    for (const rows of state.values()) total += rows.length;
    expect(idx.count).toBe(total);
    expect(idx.patch!.size).toBe([...state.keys()].filter((k) => state.get(k)!.some((r) => r[0] === 2)).length);
    for (const v of versions) expect(dump(v.idx, v.keys)).toEqual(v.expected);
    // keys() lists each key once, newest layer first, base keys included.
    expect(new Set(idx.keys()).size).toBe(100_000);
    expect(idx.keys().length).toBe(100_000);
  });

  it('folds a large patch back into the base', () => {
    let idx = build([[0, 1, 0, 0]], 1);
    const expected: Record<number, number[][]> = { 0: [[0, 1, 0]] };
    // Two rounds of 3000 keys: the second pushes the patch past 4096 keys, so it is folded in.
    for (let round = 0; round < 2; round++) {
      const changes = new Map<number, KeyChange>();
      for (let k = round * 3000; k < (round + 1) * 3000; k++) {
        changes.set(k + 1, { add: [[k, 0, 0]], remove: [] });
        expected[k + 1] = [[0, k, 0]];
      }
      idx = idx.withChanges(changes, (round + 1) * 3000 + 1);
    }
    expect(idx.patch).toBeNull();
    expect(dump(idx, Object.keys(expected).map(Number))).toEqual(expected);
  });
});
