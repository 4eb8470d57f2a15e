import type { CelInput } from '@bufbuild/cel';
import { celList, celMap, celUint } from '@bufbuild/cel';
import type { ConditionParamTypeName, ConditionParamTypeRef } from '../model/types';
import type { CelT } from './celTypes';
import { ANY, BOOL, DOUBLE, DURATION, INT, IPADDRESS, STRING, TIMESTAMP, UINT, listOf, mapOf } from './celTypes';
import { parseGoDuration } from './duration';
import { parseIpAddress } from './ipaddress';
import type { BigFloat64 } from './numbers';
import { bigFloatToFloat64Exact, bigFloatToInt64, parseBigFloat64 } from './numbers';
import { BoundedCache, durationValue, ipAddressValue, timestampValue } from './runtime';
import { parseRfc3339 } from './timestamp';

/** Thrown by a converter; the caller adds the condition and parameter names. */
export class ParamConversionError extends Error {
  override readonly name = 'ParamConversionError';
}

/** A decoded parameter type: its CEL type and how a JSON context value becomes a CEL value. */
export interface ParamType {
  /** DSL spelling, e.g. `list<string>`. */
  readonly display: string;
  readonly cel: CelT;
  /** Converts a context value (JSON-like) to a CEL value; throws {@link ParamConversionError}. */
  readonly convert: (value: unknown) => CelInput;
}

/** The Go type name OpenFGA's messages use for a JSON value (structpb `AsInterface`). */
function goTypeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return '[]interface {}';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
    case 'bigint':
      return 'int64';
    case 'object':
      return isPlainObject(value) ? 'map[string]interface {}' : (value.constructor?.name ?? 'object');
    default:
      return typeof value;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function fail(message: string): never {
  throw new ParamConversionError(message);
}

function convertBool(value: unknown): CelInput {
  return typeof value === 'boolean' ? value : fail(`expected type value 'bool', but found '${goTypeName(value)}'`);
}

function convertString(value: unknown): CelInput {
  return typeof value === 'string' ? value : fail(`expected type value 'string', but found '${goTypeName(value)}'`);
}

/**
 * OpenFGA's numericTypeConverterFunc: a JSON number, or a string that `big.ParseFloat` reads
 * (with a 64-bit mantissa). Integers saturate at the int64 bounds, as `big.Float.Int64` does.
 */
function numericInput(value: unknown, goType: 'int64' | 'uint64' | 'float64'): BigFloat64 | number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'string') {
    return parseBigFloat64(value) ?? fail(`expected a ${goType} value, but found invalid string value '${value}'`);
  }
  return fail(`expected type value '${goType}', but found '${goTypeName(value)}'`);
}

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function toInt64(value: unknown, what: 'an int' | 'a uint', goType: 'int64' | 'uint64'): bigint {
  const input = numericInput(value, goType);
  let result: bigint | undefined;
  if (typeof input === 'number') {
    result = Number.isInteger(input) ? BigInt(input) : undefined;
  } else if (typeof input === 'bigint') {
    result = input;
  } else {
    result = bigFloatToInt64(input);
  }
  if (result === undefined) fail(`expected ${what} value, but found numeric value '${show(value)}'`);
  if (result > INT64_MAX) return INT64_MAX;
  if (result < INT64_MIN) return INT64_MIN;
  return result;
}

function convertInt(value: unknown): CelInput {
  return toInt64(value, 'an int', 'int64');
}

function convertUint(value: unknown): CelInput {
  const v = toInt64(value, 'a uint', 'uint64');
  if (v < 0n) fail(`expected a uint value, but found int64 value '${show(value)}'`);
  return celUint(v);
}

function convertDouble(value: unknown): CelInput {
  const input = numericInput(value, 'float64');
  let result: number | undefined;
  if (typeof input === 'number') {
    // A JSON request cannot carry a non-finite number; OpenFGA rejects such requests.
    result = Number.isFinite(input) ? input : undefined;
  } else if (typeof input === 'bigint') {
    result = BigInt(Number(input)) === input ? Number(input) : undefined;
  } else {
    result = bigFloatToFloat64Exact(input);
  }
  return result ?? fail(`number cannot be represented as a float64: ${show(value)}`);
}

const durationCache = new BoundedCache<CelInput>(256);
const timestampCache = new BoundedCache<CelInput>(1024);
const ipCache = new BoundedCache<CelInput>(1024);

function convertDuration(value: unknown): CelInput {
  if (typeof value !== 'string') fail(`expected a duration string, but found: ${goTypeName(value)} '${show(value)}'`);
  const cached = durationCache.get(value);
  if (cached !== undefined) return cached;
  const nanos = parseGoDuration(value);
  if (nanos === undefined) fail(`expected a valid duration string, but found: '${value}'`);
  return durationCache.set(value, durationValue(nanos));
}

function convertTimestamp(value: unknown): CelInput {
  // A Date is what JSON would carry as its ISO string; JavaScript callers may pass one directly.
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) fail('expected RFC 3339 formatted timestamp string, but found an invalid Date');
    const seconds = Math.floor(ms / 1000);
    try {
      return timestampValue({ seconds: BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 });
    } catch {
      fail(`timestamp '${value.toISOString()}' is outside the range CEL supports (years 1 to 9999)`);
    }
  }
  if (typeof value !== 'string') {
    fail(`expected RFC 3339 formatted timestamp string, but found: ${goTypeName(value)} '${show(value)}'`);
  }
  const cached = timestampCache.get(value);
  if (cached !== undefined) return cached;
  const instant = parseRfc3339(value);
  if (instant === undefined) fail(`expected RFC 3339 formatted timestamp string, but found '${value}'`);
  let converted: CelInput;
  try {
    converted = timestampValue(instant);
  } catch {
    fail(`timestamp '${value}' is outside the range CEL supports (years 1 to 9999)`);
  }
  return timestampCache.set(value, converted);
}

function convertIpAddress(value: unknown): CelInput {
  if (typeof value !== 'string') fail(`expected an ipaddress string, but found: ${goTypeName(value)} '${show(value)}'`);
  const cached = ipCache.get(value);
  if (cached !== undefined) return cached;
  const addr = parseIpAddress(value);
  if (addr === undefined) fail(`expected a well-formed IP address, but found: '${value}'`);
  return ipCache.set(value, ipAddressValue(addr));
}

/** `any`: the JSON value as CEL sees it (numbers are doubles, objects are maps). */
function convertAny(value: unknown): CelInput {
  switch (typeof value) {
    case 'boolean':
    case 'string':
    case 'bigint':
      return value;
    case 'number':
      return value;
    case 'object':
      if (value === null) return null;
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
      if (Array.isArray(value)) return celList(value.map((item: unknown) => convertAny(item ?? null)));
      if (isPlainObject(value)) {
        const entries = new Map<string, CelInput>();
        for (const key of Object.keys(value)) {
          const item = value[key];
          if (item !== undefined) entries.set(key, convertAny(item));
        }
        return celMap(entries);
      }
      break;
    default:
      break;
  }
  return fail(`unsupported context value of type '${goTypeName(value)}'`);
}

function listConverter(elem: ParamType): (value: unknown) => CelInput {
  return (value) => {
    if (!Array.isArray(value)) fail(`list requires a list, found: ${goTypeName(value)}`);
    const out = new Array<CelInput>(value.length);
    for (let i = 0; i < value.length; i++) {
      try {
        out[i] = elem.convert(value[i] ?? null);
      } catch (err) {
        fail(`found an invalid list item at index \`${i}\`: ${(err as Error).message}`);
      }
    }
    return celList(out);
  };
}

function mapConverter(elem: ParamType): (value: unknown) => CelInput {
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !isPlainObject(value)) {
      fail(`map requires a map, found: ${goTypeName(value)}`);
    }
    const out = new Map<string, CelInput>();
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue;
      try {
        out.set(key, elem.convert(item));
      } catch (err) {
        fail(`found an invalid value for key '${key}': ${(err as Error).message}`);
      }
    }
    return celMap(out);
  };
}

const SCALARS: Partial<Record<ConditionParamTypeName, ParamType>> = {
  TYPE_NAME_ANY: { display: 'any', cel: ANY, convert: convertAny },
  TYPE_NAME_BOOL: { display: 'bool', cel: BOOL, convert: convertBool },
  TYPE_NAME_STRING: { display: 'string', cel: STRING, convert: convertString },
  TYPE_NAME_INT: { display: 'int', cel: INT, convert: convertInt },
  TYPE_NAME_UINT: { display: 'uint', cel: UINT, convert: convertUint },
  TYPE_NAME_DOUBLE: { display: 'double', cel: DOUBLE, convert: convertDouble },
  TYPE_NAME_DURATION: { display: 'duration', cel: DURATION, convert: convertDuration },
  TYPE_NAME_TIMESTAMP: { display: 'timestamp', cel: TIMESTAMP, convert: convertTimestamp },
  TYPE_NAME_IPADDRESS: { display: 'ipaddress', cel: IPADDRESS, convert: convertIpAddress },
};

/**
 * Decodes a parameter type reference the way OpenFGA's `DecodeParameterType` does: the type
 * name must be known and carry exactly the generic types it takes (one for `list`/`map`, none
 * otherwise). Throws {@link ParamConversionError} describing the problem.
 */
export function decodeParamType(ref: ConditionParamTypeRef): ParamType {
  const typeName = (ref as { readonly type_name?: unknown }).type_name;
  const generics: readonly ConditionParamTypeRef[] = Array.isArray(ref.generic_types) ? ref.generic_types : [];
  const isContainer = typeName === 'TYPE_NAME_LIST' || typeName === 'TYPE_NAME_MAP';
  const scalar = typeof typeName === 'string' ? SCALARS[typeName as ConditionParamTypeName] : undefined;
  if (!isContainer && scalar === undefined) fail(`unknown condition parameter type \`${String(typeName)}\``);
  const expected = isContainer ? 1 : 0;
  if (generics.length !== expected) {
    fail(
      `condition parameter type \`${String(typeName)}\` requires ${expected} generic types; found ${generics.length}`,
    );
  }
  if (scalar !== undefined) return scalar;
  const elem = decodeParamType(generics[0] as ConditionParamTypeRef);
  if (typeName === 'TYPE_NAME_LIST') {
    return { display: `list<${elem.display}>`, cel: listOf(elem.cel), convert: listConverter(elem) };
  }
  return { display: `map<${elem.display}>`, cel: mapOf(STRING, elem.cel), convert: mapConverter(elem) };
}
