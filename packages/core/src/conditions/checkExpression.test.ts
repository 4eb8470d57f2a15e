import { parse } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import type { CelT } from './celTypes';
import { ANY, BOOL, DOUBLE, DURATION, INT, IPADDRESS, STRING, TIMESTAMP, UINT, formatType, listOf, mapOf } from './celTypes';
import { checkExpression } from './checkExpression';

const VARS = new Map<string, CelT>([
  ['i', INT],
  ['u', UINT],
  ['d', DOUBLE],
  ['s', STRING],
  ['b', BOOL],
  ['ts', TIMESTAMP],
  ['dur', DURATION],
  ['ip', IPADDRESS],
  ['a', ANY],
  ['li', listOf(INT)],
  ['ls', listOf(STRING)],
  ['ms', mapOf(STRING, STRING)],
  ['ma', mapOf(STRING, ANY)],
  ['lip', listOf(IPADDRESS)],
]);

function typeOf(expression: string): string {
  const result = checkExpression(parse(expression).expr, VARS);
  return result.ok ? formatType(result.outputType) : `error: ${result.issues.map((i) => i.message).join('; ')}`;
}

describe('checkExpression (cel-go checker port)', () => {
  it.each([
    ['i < 100', 'bool'],
    ['i + 1', 'int'],
    ['u + 1u', 'uint'],
    ['d * 2.0', 'double'],
    ['s + "x"', 'string'],
    ['ts + dur', 'timestamp'],
    ['dur + ts', 'timestamp'],
    ['ts - ts', 'duration'],
    ['ts < timestamp("2023-10-11T10:00:00Z")', 'bool'],
    ['dur > duration("1h")', 'bool'],
    ['ip.in_cidr("10.0.0.0/8")', 'bool'],
    ['ip == ipaddress("10.0.0.1")', 'bool'],
    ['ip != null', 'bool'],
    ['ts != null', 'bool'],
    ['lip.exists(x, x.in_cidr("10.0.0.0/8"))', 'bool'],
    ['li.all(x, x > 0)', 'bool'],
    ['li.exists_one(x, x == 1)', 'bool'],
    ['li.map(x, x * 2)', 'list(int)'],
    ['li.filter(x, x > 1)', 'list(int)'],
    ['ms.all(k, ms[k] != "")', 'bool'],
    ['"a" in ms', 'bool'],
    ['1 in li', 'bool'],
    ['ms.key', 'string'],
    ['ms["key"]', 'string'],
    ['has(ms.key)', 'bool'],
    ['has(ma.x)', 'bool'],
    ['ma.x', 'any'],
    ['ma.x == 1', 'bool'],
    ['a == "x"', 'bool'],
    ['a.b.c > 1', 'bool'],
    ['dyn(i) < 1.5', 'bool'],
    ['b ? 1 : 2', 'int'],
    ['b ? i : d', 'error'],
    ['[1, 2]', 'list(int)'],
    ['[1, "a"]', 'list(dyn)'],
    ['[]', 'list(dyn)'],
    ['{"a": 1}', 'map(string, int)'],
    ['{}', 'map(dyn, dyn)'],
    ['li + [1]', 'list(int)'],
    ['size(s) + s.size() + size(li) + size(ms)', 'int'],
    ['type(i) == int', 'bool'],
    ['type(ts) == google.protobuf.Timestamp', 'bool'],
    ['int(d) + int(s) + int(dur) + int(ts) + int(u)', 'int'],
    ['string(i) + string(d) + string(dur) + string(ts) + string(b)', 'string'],
    ['double(i) + double(u) + double(s)', 'double'],
    ['uint(i) + uint(d) + uint(s)', 'uint'],
    ['bool(s)', 'bool'],
    ['bytes(s) == b"x"', 'bool'],
    ['timestamp(i) < ts', 'bool'],
    ['duration(s) < dur', 'bool'],
    ['s.startsWith("a") && s.endsWith("b") && s.contains("c") && s.matches("d") && matches(s, "e")', 'bool'],
    ['ts.getFullYear() + ts.getMonth("UTC") + ts.getDayOfYear() + ts.getDate() + ts.getDayOfWeek()', 'int'],
    ['ts.getHours() + dur.getHours() + dur.getMinutes() + dur.getSeconds() + dur.getMilliseconds()', 'int'],
    ['-i', 'int'],
    ['!b', 'bool'],
    ['i % 2 == 0', 'bool'],
    ['null == null', 'bool'],
    ['[[1], [2]][0][0]', 'int'],
  ])('%s : %s', (expression, expected) => {
    const actual = typeOf(expression);
    if (expected === 'error') expect(actual).toMatch(/^error: /);
    else expect(actual).toBe(expected);
  });

  it.each([
    ['i < 1.5', "found no matching overload for '_<_' applied to '(int, double)'"],
    ['d > 1', "found no matching overload for '_>_' applied to '(double, int)'"],
    ['i < u', "found no matching overload for '_<_' applied to '(int, uint)'"],
    ['i == 1.0', "found no matching overload for '_==_' applied to '(int, double)'"],
    ['i == null', "found no matching overload for '_==_' applied to '(int, null)'"],
    ['i + u', "found no matching overload for '_+_'"],
    ['s.startsWith(1)', "found no matching overload for 'startsWith' applied to 'string.(int)'"],
    ['nope == 1', "undeclared reference to 'nope' (in container '')"],
    ['nope(1)', "undeclared reference to 'nope' (in container '')"],
    ['i.nope()', "undeclared reference to 'nope' (in container '')"],
    ['i.x', "type 'int' does not support field selection"],
    ['ip.addr', "undefined field 'addr'"],
    ['ts.seconds', "type 'timestamp' does not support field selection"],
    ['a.exists(x, x)', "expression of type 'any' cannot be range of a comprehension"],
    ['i.all(x, x)', "expression of type 'int' cannot be range of a comprehension"],
    ['li.all(x, x)', "expected type 'bool' but found 'int'"],
    ['i && b', "expected type 'bool' but found 'int'"],
    ['duration(i)', "found no matching overload for 'duration' applied to '(int)'"],
    ['ip.in_cidr(1)', "found no matching overload for 'in_cidr'"],
    ['google.protobuf.Int64Value{value: 1}', "undeclared reference to 'google.protobuf.Int64Value'"],
  ])('rejects %s', (expression, message) => {
    expect(typeOf(expression)).toContain(message);
  });

  it('reports every problem, not just the first', () => {
    const result = checkExpression(parse('x == 1 && y == 2').expr, VARS);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues).toHaveLength(2);
  });

  it('scopes comprehension variables to their macro', () => {
    expect(typeOf('li.exists(x, x > 0) && x == 1')).toContain("undeclared reference to 'x'");
    expect(typeOf('li.exists(i, i > 0)')).toBe('bool');
  });
});
