import { describe, expect, it } from 'vitest';
import {
  bigFloatToFloat64Exact,
  bigFloatToInt64,
  formatGoG,
  goParseBool,
  goParseFloat,
  goParseInt,
  goParseUint,
  parseBigFloat64,
} from './numbers';

function int(s: string): bigint | undefined | 'syntax' {
  const parsed = parseBigFloat64(s);
  return parsed === undefined ? 'syntax' : bigFloatToInt64(parsed);
}

function double(s: string): number | undefined | 'syntax' {
  const parsed = parseBigFloat64(s);
  return parsed === undefined ? 'syntax' : bigFloatToFloat64Exact(parsed);
}

describe('big.ParseFloat with a 64-bit mantissa (OpenFGA numeric strings)', () => {
  it.each([
    ['10', 10n],
    ['-10', -10n],
    ['+10', 10n],
    ['1e3', 1000n],
    ['1E3', 1000n],
    ['10.0', 10n],
    ['1p3', 8n],
    ['0', 0n],
    ['-0', 0n],
    ['.5e1', 5n],
    ['9223372036854775807', 9223372036854775807n],
    ['9223372036854775808', 9223372036854775807n],
    ['-9223372036854775809', -9223372036854775808n],
    ['1e400', 9223372036854775807n],
    // Rounded to 64 bits, the tiny fraction disappears: Go calls this an integer.
    ['1.00000000000000000000001', 1n],
    ['10.5', undefined],
    ['1e-400', undefined],
    ['Inf', undefined],
    ['abc', 'syntax'],
    ['1_000', 'syntax'],
    ['0x10', 'syntax'],
    [' 1', 'syntax'],
    ['', 'syntax'],
    ['NaN', 'syntax'],
    ['INF', 'syntax'],
  ])('int(%j)', (s, expected) => {
    expect(int(s)).toBe(expected);
  });

  it.each([
    ['1.5', 1.5],
    ['0.5', 0.5],
    ['-0.25', -0.25],
    ['1e300', undefined],
    ['0.1', undefined],
    ['1.797693134862315708145274237317e308', Number.MAX_VALUE],
    ['Inf', Number.POSITIVE_INFINITY],
    ['-inf', Number.NEGATIVE_INFINITY],
    ['4503599627370496', 4503599627370496],
    ['9007199254740993', undefined],
    ['1.79769313486231570814527423731704356798070e+309', undefined],
  ])('double(%j)', (s, expected) => {
    expect(double(s)).toBe(expected);
  });
});

describe('strconv parsing (cel-go conversions)', () => {
  it('ParseInt / ParseUint', () => {
    expect(goParseInt('-12')).toBe(-12n);
    expect(goParseInt('+12')).toBe(12n);
    expect(goParseInt('9223372036854775808')).toBeUndefined();
    expect(goParseInt('1.0')).toBeUndefined();
    expect(goParseInt('')).toBeUndefined();
    expect(goParseUint('18446744073709551615')).toBe(18446744073709551615n);
    expect(goParseUint('18446744073709551616')).toBeUndefined();
    expect(goParseUint('+1')).toBeUndefined();
  });

  it('ParseFloat', () => {
    expect(goParseFloat('1e3')).toBe(1000);
    expect(goParseFloat('.5')).toBe(0.5);
    expect(goParseFloat('5.')).toBe(5);
    expect(goParseFloat('0x1.8p1')).toBe(3);
    expect(goParseFloat('-Infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(goParseFloat('nan'))).toBe(true);
    expect(goParseFloat('1e400')).toBeUndefined();
    expect(goParseFloat('')).toBeUndefined();
    expect(goParseFloat(' 1')).toBeUndefined();
    expect(goParseFloat('0x10')).toBeUndefined();
  });

  it('ParseBool', () => {
    expect(['1', 't', 'T', 'TRUE', 'true', 'True'].map(goParseBool)).toEqual(Array(6).fill(true));
    expect(['0', 'f', 'F', 'FALSE', 'false', 'False'].map(goParseBool)).toEqual(Array(6).fill(false));
    expect(goParseBool('yes')).toBeUndefined();
    expect(goParseBool('tRUE')).toBeUndefined();
  });
});

describe('formatGoG (fmt %g)', () => {
  it.each([
    [1.5, '1.5'],
    [-12300, '-12300'],
    [100000, '100000'],
    [1000000, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1e100, '1e+100'],
    [0, '0'],
    [-0, '-0'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [Number.NaN, 'NaN'],
  ])('%s', (x, expected) => {
    expect(formatGoG(x)).toBe(expected);
  });
});
