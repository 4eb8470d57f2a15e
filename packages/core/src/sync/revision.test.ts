import { describe, expect, it } from 'vitest';
import { compareRevisions, isRevision, maxRevision, nextRevision, toRevision } from './revision';

describe('revisions', () => {
  it('accepts canonical non-negative integers only', () => {
    for (const ok of ['0', '7', '42', '9223372036854775807']) expect(isRevision(ok)).toBe(true);
    for (const bad of ['', '-1', '01', '+1', '1.0', ' 1', '1e3', 'abc', 42, null, '1'.repeat(41)]) expect(isRevision(bad)).toBe(false);
  });

  it('orders numerically, not lexically', () => {
    expect(compareRevisions('9', '10')).toBeLessThan(0);
    expect(compareRevisions('100', '99')).toBeGreaterThan(0);
    expect(compareRevisions('123', '123')).toBe(0);
    expect(compareRevisions('124', '123')).toBeGreaterThan(0);
    expect(maxRevision('9', '10')).toBe('10');
  });

  it('increments exactly past 2^53 (PostgreSQL bigint revisions)', () => {
    expect(nextRevision('9007199254740992')).toBe('9007199254740993');
    expect(nextRevision('99')).toBe('100');
  });

  it('normalises numbers and bigints, and rejects the rest', () => {
    expect(toRevision(12)).toBe('12');
    expect(toRevision(12n)).toBe('12');
    expect(toRevision('12')).toBe('12');
    expect(() => toRevision(-1)).toThrow(/invalid revision "-1"/);
    expect(() => toRevision(1.5)).toThrow(/invalid revision/);
    expect(() => toRevision('012')).toThrow(/canonical decimal form/);
  });
});
