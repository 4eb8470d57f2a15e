import { describe, expect, it } from 'vitest';
import { formatGoDurationSeconds, formatShortestFixed, parseGoDuration } from './duration';

const S = 1_000_000_000n;

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['0', 0n],
    ['+0', 0n],
    ['-0', 0n],
    ['10m', 600n * S],
    ['1h30m', 5400n * S],
    ['1.5h', 5400n * S],
    ['.5s', S / 2n],
    ['5.s', 5n * S],
    ['-300ms', -300_000_000n],
    ['1h2m3s4ms5us6ns', 3723n * S + 4_005_006n],
    ['1\u00b5s', 1000n],
    ['1\u03bcs', 1000n],
    ['2562047h47m16.854775807s', (1n << 63n) - 1n],
    ['-2562047h47m16.854775808s', -(1n << 63n)],
    ['0.000000001s', 1n],
    ['1.0000000001s', S],
  ])('%s', (input, nanos) => {
    expect(parseGoDuration(input)).toBe(nanos);
  });

  it.each(['', '1', '10', 'h', '.s', '-.s', '1d', '1H', '1 h', ' 1h', '1h ', '2562047h47m16.854775808s', '1.5', '++1s'])(
    'rejects %j',
    (input) => {
      expect(parseGoDuration(input)).toBeUndefined();
    },
  );
});

describe('Go float formatting', () => {
  it.each([
    [5400, '5400'],
    [1.5, '1.5'],
    [0.001, '0.001'],
    [1e-9, '0.000000001'],
    [1e21, '1000000000000000000000'],
    [-0.25, '-0.25'],
    [0, '0'],
  ])('formatShortestFixed(%s)', (x, expected) => {
    expect(formatShortestFixed(x)).toBe(expected);
  });

  it('formats durations as cel-go string(duration)', () => {
    expect(formatGoDurationSeconds(5400n * S)).toBe('5400s');
    expect(formatGoDurationSeconds(1_500_000_000n)).toBe('1.5s');
    expect(formatGoDurationSeconds(-1_000_000n)).toBe('-0.001s');
    expect(formatGoDurationSeconds(0n)).toBe('0s');
  });
});
