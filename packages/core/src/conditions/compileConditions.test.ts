import { describe, expect, it } from 'vitest';
import { GatehouseError, isGatehouseError } from '../errors/GatehouseError';
import { ModelValidationError } from '../errors/ModelValidationError';
import type { Condition, ConditionParamTypeRef } from '../model/types';
import type { ConditionSet } from './index';

type ConditionContext = Readonly<Record<string, unknown>>;
import { compileConditions, conditionMissingParametersError, diagnoseConditions } from './index';
import { thrown } from '../../test/helpers/errors';

type TypeName = ConditionParamTypeRef['type_name'];

function p(type: string, generic?: string): ConditionParamTypeRef {
  const ref: ConditionParamTypeRef = { type_name: `TYPE_NAME_${type.toUpperCase()}` as TypeName };
  return generic === undefined
    ? ref
    : { ...ref, generic_types: [{ type_name: `TYPE_NAME_${generic.toUpperCase()}` as TypeName }] };
}

function cond(name: string, expression: string, parameters: Record<string, ConditionParamTypeRef>): Condition {
  return { name, expression, parameters };
}

function single(expression: string, parameters: Record<string, ConditionParamTypeRef>): ConditionSet {
  return compileConditions({ c: cond('c', expression, parameters) });
}


const grant = single('current_time < grant_time + grant_duration', {
  current_time: p('timestamp'),
  grant_time: p('timestamp'),
  grant_duration: p('duration'),
});

describe('compileConditions / evaluate', () => {
  it('evaluates the temporal-access example', () => {
    const tuple = { grant_time: '2024-01-01T00:00:00Z', grant_duration: '1h' };
    expect(grant.evaluate('c', tuple, { current_time: '2024-01-01T00:59:59.999Z' })).toEqual({ met: true });
    expect(grant.evaluate('c', tuple, { current_time: '2024-01-01T01:00:00Z' })).toEqual({ met: false });
    expect(grant.evaluate('c', tuple, { current_time: '2024-01-01T02:30:00+01:30' })).toEqual({ met: false });
    expect(grant.evaluate('c', tuple, { current_time: '2024-01-01T01:29:00+01:00' })).toEqual({ met: true });
  });

  it("merges contexts with the tuple's values taking precedence", () => {
    const set = single('x == 1', { x: p('int') });
    expect(set.evaluate('c', { x: 1 }, { x: 2 })).toEqual({ met: true });
    expect(set.evaluate('c', { x: 2 }, { x: 1 })).toEqual({ met: false });
    expect(set.evaluate('c', {}, { x: 1 })).toEqual({ met: true });
    expect(set.evaluate('c', undefined, { x: 1 })).toEqual({ met: true });
    expect(set.evaluate('c', { x: 1 }, undefined)).toEqual({ met: true });
    // A bad request value is overridden by the tuple's, so it is never converted.
    expect(set.evaluate('c', { x: 1 }, { x: 'not a number' })).toEqual({ met: true });
  });

  it('binds only declared parameters and ignores other keys', () => {
    const set = single('x == 1', { x: p('int') });
    expect(set.evaluate('c', { x: 1, other: 'zzz' }, { y: [1, 2], toString: 3 })).toEqual({ met: true });
  });

  it('never reads inherited properties as parameters', () => {
    const set = single('constructor == "x"', { constructor: p('string') });
    expect(set.evaluate('c', {}, {})).toEqual({ met: false, missingParameters: ['constructor'] });
    expect(set.evaluate('c', undefined, { constructor: 'x' })).toEqual({ met: true });
  });

  it('reports missing parameters as data, in declaration order', () => {
    expect(grant.evaluate('c', undefined, undefined)).toEqual({
      met: false,
      missingParameters: ['current_time', 'grant_time', 'grant_duration'],
    });
    expect(grant.evaluate('c', { grant_time: '2024-01-01T00:00:00Z' }, {})).toEqual({
      met: false,
      missingParameters: ['current_time', 'grant_duration'],
    });
    // An undefined value counts as absent (it cannot come from JSON).
    expect(single('x == 1', { x: p('int') }).evaluate('c', { x: undefined }, {})).toEqual({
      met: false,
      missingParameters: ['x'],
    });
  });

  it('reports a missing parameter even when the expression is decidable without it', () => {
    const set = single('x < 100 || y < 50', { x: p('int'), y: p('int') });
    expect(set.evaluate('c', {}, { x: 10 })).toEqual({ met: false, missingParameters: ['y'] });
  });

  it('converts present values before reporting missing ones', () => {
    const set = single('x < 100 || y < 50', { x: p('int'), y: p('int') });
    const err = thrown(() => set.evaluate('c', {}, { x: 'ten' }));
    expect(err.code).toBe('condition_evaluation_error');
    expect(err.message).toContain("'x'");
  });

  it('rejects a wrong type with a typed error naming the condition and the parameter', () => {
    const set = compileConditions({ ts_less_than: cond('ts_less_than', 'ts < timestamp("2023-10-11T10:00:00Z")', { ts: p('timestamp') }) });
    const err = thrown(() => set.evaluate('ts_less_than', {}, { ts: '2023-10-11T11:00.000Z' }));
    expect(err).toBeInstanceOf(GatehouseError);
    expect(err.code).toBe('condition_evaluation_error');
    expect(err.message).toBe(
      "parameter type error on condition 'ts_less_than' - failed to convert context parameter 'ts': expected RFC 3339 formatted timestamp string, but found '2023-10-11T11:00.000Z'",
    );
  });

  it('fails on a wrong type even when the expression does not use the parameter', () => {
    const set = single('x == 1', { x: p('int'), unused: p('bool') });
    expect(thrown(() => set.evaluate('c', {}, { x: 1, unused: 'yes' })).message).toContain("'unused'");
  });

  it('treats context on a parameterless condition as an error, as OpenFGA does', () => {
    const set = compileConditions({ always: { name: 'always', expression: 'true' } });
    expect(set.evaluate('always', undefined, undefined)).toEqual({ met: true });
    expect(set.evaluate('always', {}, { x: undefined })).toEqual({ met: true });
    expect(thrown(() => set.evaluate('always', {}, { x: 1 })).message).toBe(
      "parameter type error on condition 'always' - no parameters defined for the condition",
    );
  });

  it('turns CEL runtime errors into condition_evaluation_error', () => {
    const overflow = single('x + 1 > 0', { x: p('int') });
    const missingKey = single('m["missing"] == "x"', { m: p('map', 'string') });
    const divide = single('10 / x == 1', { x: p('int') });
    const cidr = single('ip.in_cidr(c)', { ip: p('ipaddress'), c: p('string') });
    for (const [set, ctx, text] of [
      [overflow, { x: '9223372036854775807' }, 'overflow'],
      [missingKey, { m: { a: 'b' } }, 'missing'],
      [divide, { x: 0 }, 'divide by zero'],
      [cidr, { ip: '10.0.0.1', c: '10.0.0.0/33' }, 'malformed CIDR'],
    ] as const) {
      const err = thrown(() => set.evaluate('c', undefined, ctx));
      expect(err.code).toBe('condition_evaluation_error');
      expect(err.message).toContain("condition 'c'");
      expect(err.message).toContain(text);
    }
  });

  it('throws condition_evaluation_error for an unknown condition', () => {
    const err = thrown(() => grant.evaluate('nope', {}, {}));
    expect(err.code).toBe('condition_evaluation_error');
    expect(err.message).toContain("'nope'");
  });

  it('exposes names and has()', () => {
    const set = compileConditions({ a: cond('a', 'x', { x: p('bool') }), b: cond('b', '!x', { x: p('bool') }) });
    expect(set.names).toEqual(['a', 'b']);
    expect(set.has('a')).toBe(true);
    expect(set.has('c')).toBe(false);
    expect(compileConditions(undefined).names).toEqual([]);
  });

  it('reuses compiled programs across calls without leaking values between them', () => {
    const set = single('a + b == 3', { a: p('int'), b: p('int') });
    expect(set.evaluate('c', {}, { a: 1, b: 2 })).toEqual({ met: true });
    expect(set.evaluate('c', {}, { a: 1 })).toEqual({ met: false, missingParameters: ['b'] });
    expect(set.evaluate('c', {}, { a: 2, b: 2 })).toEqual({ met: false });
  });
});

describe('context value conversion', () => {
  function evaluate(type: ConditionParamTypeRef, expression: string, value: unknown): boolean | string {
    const set = single(expression, { v: type });
    try {
      const result = set.evaluate('c', undefined, { v: value } as ConditionContext);
      return result.met;
    } catch (err) {
      return isGatehouseError(err) ? 'error' : String(err);
    }
  }

  it.each([
    [10, true],
    ['10', true],
    ['1e1', true],
    ['10.0', true],
    [10.5, 'error'],
    ['10.5', 'error'],
    ['ten', 'error'],
    [true, 'error'],
    [null, 'error'],
    [Number.POSITIVE_INFINITY, 'error'],
  ])('int from %j', (value, expected) => {
    expect(evaluate(p('int'), 'v == 10', value)).toBe(expected);
  });

  it('accepts a bigint for int', () => {
    expect(evaluate(p('int'), 'v == 10', 10n)).toBe(true);
  });

  it('saturates int at the int64 bounds like big.Float.Int64', () => {
    expect(evaluate(p('int'), 'v == 9223372036854775807', 1e30)).toBe(true);
    expect(evaluate(p('int'), 'v == -9223372036854775807 - 1', '-1e30')).toBe(true);
    expect(evaluate(p('int'), 'v == 9223372036854775807', '9223372036854775808')).toBe(true);
  });

  it.each([
    [5, true],
    ['5', true],
    [-5, 'error'],
    ['-5', 'error'],
    [5.5, 'error'],
  ])('uint from %j', (value, expected) => {
    expect(evaluate(p('uint'), 'v == 5u', value)).toBe(expected);
  });

  it('caps uint at 2^63-1 as OpenFGA does', () => {
    expect(evaluate(p('uint'), 'v == 9223372036854775807u', 1e19)).toBe(true);
  });

  it.each([
    [1.5, true],
    ['1.5', true],
    ['0.5', false],
    // Go's big.Float with a 64-bit mantissa cannot give 0.1 exactly: OpenFGA rejects it.
    ['0.1', 'error'],
    ['1.79769313486231570814527423731704356798070e+309', 'error'],
    [Number.NaN, 'error'],
    ['Inf', false],
    [true, 'error'],
  ])('double from %j', (value, expected) => {
    expect(evaluate(p('double'), 'v == 1.5', value)).toBe(expected);
  });

  it('accepts a double number that is exactly 0.1', () => {
    expect(evaluate(p('double'), 'v == 0.1', 0.1)).toBe(true);
  });

  it.each([
    [true, true],
    [false, false],
    ['true', 'error'],
    [1, 'error'],
  ])('bool from %j', (value, expected) => {
    expect(evaluate(p('bool'), 'v', value)).toBe(expected);
  });

  it.each([
    ['abc', true],
    [1, 'error'],
    [null, 'error'],
    [['abc'], 'error'],
  ])('string from %j', (value, expected) => {
    expect(evaluate(p('string'), 'v == "abc"', value)).toBe(expected);
  });

  it.each([
    ['10m', 'v == duration("600s")', true],
    ['1h30m', 'v == duration("90m")', true],
    ['1.5h', 'v == duration("5400s")', true],
    ['-300ms', 'v < duration("0s")', true],
    ['0', 'v == duration("0s")', true],
    ['1d', 'true', 'error'],
    ['10', 'true', 'error'],
    [600, 'true', 'error'],
  ])('duration from %j', (value, expression, expected) => {
    expect(evaluate(p('duration'), expression, value)).toBe(expected);
  });

  it.each([
    ['2023-10-11T10:00:00Z', true],
    ['2023-10-11T10:00:00.000Z', true],
    ['2023-10-11T12:00:00+02:00', true],
    ['2023-10-11T05:30:00-04:30', true],
    ['2023-10-11t10:00:00Z', 'error'],
    ['2023-10-11T10:00:00', 'error'],
    ['2023-10-11 10:00:00Z', 'error'],
    ['2023-02-29T10:00:00Z', 'error'],
    [1697018400, 'error'],
  ])('timestamp from %j', (value, expected) => {
    expect(evaluate(p('timestamp'), 'v == timestamp("2023-10-11T10:00:00Z")', value)).toBe(expected);
  });

  it('accepts a Date for timestamp, as the typed-model API promises', () => {
    const expr = 'v == timestamp("2023-10-11T10:00:00.25Z")';
    expect(evaluate(p('timestamp'), expr, new Date('2023-10-11T10:00:00.250Z'))).toBe(true);
    expect(evaluate(p('timestamp'), 'v < timestamp("1970-01-01T00:00:00Z")', new Date(-1))).toBe(true);
    expect(evaluate(p('timestamp'), 'true', new Date(Number.NaN))).toBe('error');
  });

  it.each([
    ['10.1.2.3', 'v.in_cidr("10.0.0.0/8")', true],
    ['11.1.2.3', 'v.in_cidr("10.0.0.0/8")', false],
    ['::ffff:10.1.2.3', 'v.in_cidr("10.0.0.0/8")', true],
    ['2001:db8::1', 'v.in_cidr("2001:db8::/32")', true],
    ['2001:db9::1', 'v.in_cidr("2001:db8::/32")', false],
    ['2001:db8::1', 'v.in_cidr("10.0.0.0/8")', false],
    ['fe80::1%eth0', 'v.in_cidr("fe80::/10")', false],
    ['10.1.2.3', 'v == ipaddress("10.1.2.3")', true],
    ['10.01.2.3', 'true', 'error'],
    ['not-an-ip', 'true', 'error'],
    [167838211, 'true', 'error'],
  ])('ipaddress from %j (%s)', (value, expression, expected) => {
    expect(evaluate(p('ipaddress'), expression, value)).toBe(expected);
  });

  it('converts list<T> element by element', () => {
    expect(evaluate(p('list', 'int'), 'v == [1, 2, 3]', [1, '2', 3])).toBe(true);
    expect(evaluate(p('list', 'int'), 'size(v) == 0', [])).toBe(true);
    expect(evaluate(p('list', 'ipaddress'), 'v.exists(i, i.in_cidr("10.0.0.0/8"))', ['1.1.1.1', '10.0.0.1'])).toBe(true);
    expect(evaluate(p('list', 'int'), 'true', [1, 'x'])).toBe('error');
    expect(evaluate(p('list', 'int'), 'true', { 0: 1 })).toBe('error');
    expect(evaluate(p('list', 'string'), 'true', [null])).toBe('error');
  });

  it('converts map<T> (string keys) value by value', () => {
    expect(evaluate(p('map', 'string'), 'v["a"] == "b" && "c" in v', { a: 'b', c: 'd' })).toBe(true);
    expect(evaluate(p('map', 'timestamp'), 'v.start < v.end', { start: '2024-01-01T00:00:00Z', end: '2024-01-02T00:00:00Z' })).toBe(true);
    expect(evaluate(p('map', 'int'), 'true', { a: 'x' })).toBe('error');
    expect(evaluate(p('map', 'int'), 'true', [1])).toBe('error');
    expect(evaluate(p('map', 'int'), 'true', new Map([['a', 1]]))).toBe('error');
  });

  it('passes any JSON value through as CEL sees JSON', () => {
    const any = p('any');
    expect(evaluate(any, 'v == 1', 1)).toBe(true);
    expect(evaluate(any, 'type(v) == double', 1)).toBe(true);
    expect(evaluate(any, 'v.a.b[1] == "x"', { a: { b: [0, 'x'] } })).toBe(true);
    expect(evaluate(any, 'v == null', null)).toBe(true);
    expect(evaluate(any, 'v == "s"', 's')).toBe(true);
    expect(evaluate(any, 'v == "1970-01-01T00:00:00.000Z"', new Date(0))).toBe(true);
    expect(evaluate(any, 'true', new Uint8Array(1))).toBe('error');
    expect(evaluate(any, 'true', () => 1)).toBe('error');
  });

  it('names the offending element of a container', () => {
    const set = single('true', { v: p('list', 'int') });
    expect(thrown(() => set.evaluate('c', {}, { v: [1, 'x'] })).message).toContain(
      "failed to convert context parameter 'v': found an invalid list item at index `1`",
    );
  });
});

describe('checkTupleContext', () => {
  const set = compileConditions({
    c: cond('c', 'x < 100', { x: p('int'), cidr: p('string') }),
    none: { name: 'none', expression: 'true' },
  });

  it('accepts declared, well-typed parameters (and an empty context)', () => {
    expect(set.checkTupleContext('c', { x: 1, cidr: '10.0.0.0/8' })).toBeUndefined();
    expect(set.checkTupleContext('c', {})).toBeUndefined();
    expect(set.checkTupleContext('c', undefined)).toBeUndefined();
    expect(set.checkTupleContext('none', {})).toBeUndefined();
  });

  it('rejects undeclared keys, bad values and unknown conditions', () => {
    expect(set.checkTupleContext('c', { x: 1, y: 2 })).toBe('found invalid context parameter: y');
    expect(set.checkTupleContext('c', { x: 'nope' })).toContain("failed to convert context parameter 'x'");
    expect(set.checkTupleContext('none', { x: 1 })).toContain('no parameters defined for the condition');
    expect(set.checkTupleContext('zzz', {})).toBe('undefined condition');
  });
});

describe('conditionMissingParametersError', () => {
  it("builds OpenFGA's message", () => {
    const err = conditionMissingParametersError('condxy', 'document:1#viewer@user:jon', ['x', 'y']);
    expect(err.code).toBe('condition_evaluation_error');
    expect(err.message).toBe(
      "failed to evaluate relationship condition 'condxy': tuple 'document:1#viewer@user:jon' is missing context parameters '[x y]'",
    );
  });
});

describe('diagnoseConditions', () => {
  it('returns nothing for valid conditions or none', () => {
    expect(diagnoseConditions({ conditions: { c: cond('c', 'x < 1', { x: p('int') }) } })).toEqual([]);
    expect(diagnoseConditions({})).toEqual([]);
  });

  it('reports every problem as an invalid-condition diagnostic with condition and path', () => {
    const diagnostics = diagnoseConditions({
      conditions: {
        syntax: cond('syntax', 'x <', { x: p('int') }),
        undeclared: cond('undeclared', 'y == 1', { x: p('int') }),
        not_bool: cond('not_bool', 'x + 1', { x: p('int') }),
        dyn_output: cond('dyn_output', 'm["a"]', { m: p('map', 'any') }),
        cross_type: cond('cross_type', 'x < 1.5', { x: p('int') }),
        mismatch: cond('other', 'true', {}),
        bad_type: cond('bad_type', 'true', { x: { type_name: 'TYPE_NAME_LIST' } }),
        unknown_type: cond('unknown_type', 'true', { x: { type_name: 'TYPE_NAME_BYTES' as TypeName } }),
        extra_generic: cond('extra_generic', 'true', { x: p('int', 'int') }),
        shadow: cond('shadow', 'true', { int: p('int') }),
      },
    });
    expect(diagnostics.every((d) => d.code === 'invalid-condition' && d.severity === 'error')).toBe(true);
    const byCondition = Object.fromEntries(diagnostics.map((d) => [d.condition, d]));
    expect(Object.keys(byCondition).sort()).toEqual(
      ['bad_type', 'cross_type', 'dyn_output', 'extra_generic', 'mismatch', 'not_bool', 'shadow', 'syntax', 'undeclared', 'unknown_type'].sort(),
    );
    expect(byCondition['syntax']?.path).toEqual(['conditions', 'syntax', 'expression']);
    expect(byCondition['undeclared']?.message).toContain("undeclared reference to 'y'");
    expect(byCondition['undeclared']?.message).toContain('undeclared:1:1');
    expect(byCondition['not_bool']?.message).toContain("type 'int'");
    expect(byCondition['dyn_output']?.message).toContain("type 'any'");
    expect(byCondition['cross_type']?.message).toContain("found no matching overload for '_<_' applied to '(int, double)'");
    expect(byCondition['mismatch']?.message).toBe("condition key 'mismatch' does not match condition name 'other'");
    expect(byCondition['mismatch']?.path).toEqual(['conditions', 'mismatch', 'name']);
    expect(byCondition['bad_type']?.path).toEqual(['conditions', 'bad_type', 'parameters', 'x']);
    expect(byCondition['bad_type']?.message).toContain('requires 1 generic types; found 0');
    expect(byCondition['unknown_type']?.message).toContain('unknown condition parameter type `TYPE_NAME_BYTES`');
    expect(byCondition['extra_generic']?.message).toContain('requires 0 generic types; found 1');
    expect(byCondition['shadow']?.message).toContain("overlapping identifier for name 'int'");
  });

  it('makes compileConditions throw a ModelValidationError holding all of them', () => {
    const conditions = {
      a: cond('a', 'x +', { x: p('int') }),
      b: cond('b', 'x', { x: p('string') }),
      ok: cond('ok', 'x', { x: p('bool') }),
    };
    let error: unknown;
    try {
      compileConditions(conditions);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ModelValidationError);
    const diagnostics = (error as ModelValidationError).diagnostics;
    expect(diagnostics.map((d) => d.condition)).toEqual(['a', 'b']);
    expect((error as ModelValidationError).code).toBe('invalid_authorization_model');
  });
});
