import { describe, expect, it } from 'vitest';
import { isGatehouseError } from '../errors/GatehouseError';
import type { ConditionParamTypeRef } from '../model/types';

type ConditionContext = Readonly<Record<string, unknown>>;
import { compileConditions } from './index';

/**
 * Evaluation semantics of the CEL runtime (`@bufbuild/cel` plus Gatehouse's replacements), each
 * expected result as cel-go (OpenFGA) computes it.
 */

const PARAMS: Record<string, ConditionParamTypeRef> = {
  i: { type_name: 'TYPE_NAME_INT' },
  u: { type_name: 'TYPE_NAME_UINT' },
  d: { type_name: 'TYPE_NAME_DOUBLE' },
  s: { type_name: 'TYPE_NAME_STRING' },
  ts: { type_name: 'TYPE_NAME_TIMESTAMP' },
  dur: { type_name: 'TYPE_NAME_DURATION' },
  ip: { type_name: 'TYPE_NAME_IPADDRESS' },
  a: { type_name: 'TYPE_NAME_ANY' },
};

const CONTEXT: ConditionContext = {
  i: 7,
  u: 7,
  d: 1.5,
  s: 'abc',
  ts: '2023-10-11T09:00:00.5Z',
  dur: '1h30m',
  ip: '10.1.2.3',
  a: { n: 1, list: [1, 'x'] },
};

function run(expression: string, context: ConditionContext = CONTEXT): boolean | 'error' {
  const set = compileConditions({ c: { name: 'c', expression, parameters: PARAMS } });
  try {
    const result = set.evaluate('c', undefined, context);
    if (result.missingParameters !== undefined) throw new Error('missing parameters');
    return result.met;
  } catch (err) {
    if (isGatehouseError(err)) return 'error';
    throw err;
  }
}

describe('CEL runtime semantics', () => {
  it.each([
    // Arithmetic and ordering (Gatehouse's operator dispatchers).
    'i + 1 == 8 && i - 10 == -3 && i * 2 == 14 && i / 2 == 3 && i % 4 == 3 && -i == -7',
    'u + 1u == 8u && u - 7u == 0u',
    'd + 1.0 == 2.5 && d - 0.5 == 1.0 && d / 2.0 == 0.75',
    's + "d" == "abcd" && s < "abd" && s >= "abc" && "a" < "b"',
    'b"ab" + b"c" == b"abc" && b"a" < b"b"',
    '[1] + [2, 3] == [1, 2, 3]',
    'false < true && true >= false',
    'dyn(1) < 1.5 && dyn(2u) > 1 && dyn(1.0) <= 1 && dyn(-1) < 1u && dyn(1.5) > 1u',
    'dyn(1e300) > 9223372036854775807 && dyn(-1e300) < -9223372036854775807',
    // Timestamps and durations.
    'ts + dur == timestamp("2023-10-11T10:30:00.5Z") && dur + ts == ts + dur',
    'ts - dur == timestamp("2023-10-11T07:30:00.5Z")',
    'ts - timestamp("2023-10-11T08:00:00Z") == duration("1h0.5s")',
    'dur - duration("30m") == duration("1h") && dur + dur == duration("3h")',
    'ts > timestamp("2023-10-11T09:00:00Z") && ts < timestamp("2023-10-11T09:00:01Z")',
    'dur > duration("90m") == false && dur >= duration("90m") && dur < duration("91m")',
    // Conversions as cel-go formats and parses them.
    'string(1.5) == "1.5" && string(-1.23e4) == "-12300" && string(1234567.0) == "1.234567e+06" && string(0.00001) == "1e-05"',
    'string(dur) == "5400s" && string(duration("1.5s")) == "1.5s" && string(duration("-1ms")) == "-0.001s"',
    'string(ts) == "2023-10-11T09:00:00.5Z" && string(timestamp("2023-10-11T11:00:00+02:00")) == "2023-10-11T09:00:00Z"',
    'int(dur) == 5400000000000 && int(ts) == 1697014800 && int("-12") == -12 && int(2.9) == 2',
    'uint("12") == 12u && double("1e3") == 1000.0 && double("-inf") < 0.0 && bool("T") && !bool("false")',
    'timestamp(1) == timestamp("1970-01-01T00:00:01Z") && duration("1h1m1.5s") == duration("3661500ms")',
    'duration("1.5h") == duration("90m") && duration("-0") == duration("0s") && duration("1\u00b5s") == duration("1000ns")',
    // Accessors: UTC unless a zone is given; duration accessors are totals.
    'ts.getFullYear() == 2023 && ts.getMonth() == 9 && ts.getDate() == 11 && ts.getDayOfMonth() == 10',
    'ts.getDayOfWeek() == 3 && ts.getDayOfYear() == 283 && ts.getHours() == 9 && ts.getMinutes() == 0',
    'ts.getSeconds() == 0 && ts.getMilliseconds() == 500',
    'ts.getHours("+05:30") == 14 && ts.getMinutes("+05:30") == 30 && ts.getHours("-08:00") == 1',
    'ts.getHours("America/Los_Angeles") == 2 && ts.getDate("Asia/Tokyo") == 11 && ts.getHours("UTC") == 9',
    'timestamp("2023-01-01T05:30:00Z").getFullYear("-08:00") == 2022',
    'timestamp("2023-01-01T05:00:00Z").getDayOfYear("America/Los_Angeles") == 364',
    'dur.getHours() == 1 && dur.getMinutes() == 90 && dur.getSeconds() == 5400 && dur.getMilliseconds() == 5400000',
    // ipaddress.
    'ip.in_cidr("10.0.0.0/8") && !ip.in_cidr("10.2.0.0/16") && ip.in_cidr("10.1.2.3/32") && ip.in_cidr("0.0.0.0/0")',
    'ip.in_cidr("::ffff:10.0.0.0/104") && !ip.in_cidr("::/0")',
    'ip == ipaddress("10.1.2.3") && ip == ipaddress("::ffff:10.1.2.3") && ip != ipaddress("10.1.2.4")',
    'ipaddress("2001:db8::1").in_cidr("2001:db8::/32") && !ipaddress("2001:db8::1").in_cidr("10.0.0.0/8")',
    // Strings, lists, maps, any.
    's.startsWith("ab") && s.endsWith("bc") && s.contains("b") && s.matches("^a.c$") && size(s) == 3',
    'size("\u00e9\u{1F600}") == 2 && "\u{1F600}" > "\uFFFD"',
    '[1, 2, 3].map(x, x * 2) == [2, 4, 6] && [1, 2, 3].filter(x, x > 1) == [2, 3]',
    '[1, 2].exists_one(x, x == 1) && [1, 2].all(x, x > 0) && !([1, 2].exists(x, x > 2))',
    '{"k": 1}.k == 1 && has({"k": 1}.k) && !has({"k": 1}.z) && "k" in {"k": 1}',
    'a.n == 1 && a.list[1] == "x" && type(a.n) == double && has(a.list)',
    'type(i) == int && type(u) == uint && type(s) == string && type(ts) == google.protobuf.Timestamp',
  ])('%s', (expression) => {
    expect(run(expression)).toBe(true);
  });

  it.each([
    ['i + 9223372036854775807 > 0', 'int overflow'],
    ['-(i - i - 9223372036854775807 - 1) > 0', 'negating int64 min'],
    ['u - 8u > 0u', 'uint underflow'],
    ['i / (i - 7) == 1', 'division by zero'],
    ['i % (i - 7) == 1', 'modulus by zero'],
    ['{"a": 1}["b"] == 1', 'missing map key'],
    ['[1][3] == 1', 'index out of range'],
    ['int("1.5") == 1', 'int from a decimal string'],
    ['int("") == 0', 'int from an empty string'],
    ['int(" 1") == 1', 'int from a padded string'],
    ['uint("-1") == 1u', 'uint from a negative string'],
    ['double("") == 0.0', 'double from an empty string'],
    ['double("1e400") > 0.0', 'double overflow'],
    ['bool("yes")', 'bool from yes'],
    ['timestamp("2023-10-11") < ts', 'date without time'],
    ['duration("1d") < dur', 'unknown duration unit'],
    ['timestamp("9999-12-31T23:00:00Z") + duration("2h") > ts', 'timestamp out of range'],
    ['ipaddress("300.1.1.1") == ip', 'malformed address'],
    ['ip.in_cidr("10.0.0.0/08")', 'leading zero in bits'],
    ['ip.in_cidr("10.0.0.0")', 'missing bits'],
    ['ts.getHours("Mars/Olympus") == 1', 'unknown zone'],
    ['ts.getHours("+01:75") == 1', 'offset minutes out of range'],
    ['dyn(1) < "a"', 'no overload at runtime'],
    ['dyn(0.0 / 0.0) < 1.0', 'NaN ordering'],
  ])('%s fails (%s)', (expression) => {
    expect(run(expression)).toBe('error');
  });
});
