import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('grows exponentially from initial and caps at max', () => {
    const none = { random: () => 0 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, none))).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(backoffDelay(30, none)).toBe(30_000);
    expect(backoffDelay(3, { initial: 10, factor: 3, max: 50, random: () => 0 })).toBe(50);
  });

  it('takes off up to `jitter` of the delay', () => {
    expect(backoffDelay(4, { random: () => 0.999999 })).toBe(2000);
    expect(backoffDelay(4, { random: () => 0.5 })).toBe(3000);
    expect(backoffDelay(4, { jitter: 0, random: () => 0.9 })).toBe(4000);
    expect(backoffDelay(4, { jitter: 1, random: () => 0.75 })).toBe(1000);
  });

  it('spreads clients that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) {
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(2000);
    }
  });
});
