import { describe, expect, it } from 'vitest';
import { VisitSet } from './VisitSet';

describe('VisitSet', () => {
  it('keeps the same answers when it switches from a Map to bytes', () => {
    const small = new VisitSet(4);
    const reference = new Map<number, number>();
    const ids = [5, -1, 0, 9, 3, 1000, 7, -2, 2, 40_000];
    ids.forEach((id, i) => {
      small.set(id, i % 2);
      reference.set(id, i % 2);
    });
    small.set(9, 0);
    reference.set(9, 0);
    for (const [id, mode] of reference) expect(small.get(id)).toBe(mode);
    expect(small.get(8)).toBe(-1);
    expect(small.get(1_000_000)).toBe(-1);
    expect(small.get(-3)).toBe(-1);
    const seen = new Map<number, number>();
    small.forEach((id, mode) => seen.set(id, mode));
    expect(seen).toEqual(reference);
  });
});
