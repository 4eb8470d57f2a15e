/**
 * Arithmetic and ordering operators (`+ - < <= > >=`) as one dispatcher per operator, with
 * cel-go's semantics. `@bufbuild/cel` resolves an overload by trying each candidate in turn and
 * computing the CEL type of every argument for each, which allocates for message values
 * (timestamps, durations): `current_time < grant_time + grant_duration` walked ~20 candidates.
 * A dispatcher declared over `dyn` is matched without computing any type, then switches on the
 * JavaScript representation directly.
 */
import type { CelFunc, CelInput, CelValue } from '@bufbuild/cel';
import { CelScalar, celEnv, celFunc, celListConcat, celUint, isCelList, isCelUint } from '@bufbuild/cel';
import { create } from '@bufbuild/protobuf';
import type { ReflectMessage } from '@bufbuild/protobuf/reflect';
import { isReflectMessage, reflect } from '@bufbuild/protobuf/reflect';
import type { Duration, Timestamp } from '@bufbuild/protobuf/wkt';
import { DurationSchema, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { MAX_TIMESTAMP_SECONDS, MIN_TIMESTAMP_SECONDS } from './timestamp';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;
const NANOS = 1_000_000_000n;
const TIMESTAMP_NAME = TimestampSchema.typeName;
const DURATION_NAME = DurationSchema.typeName;

type Kind = 'int' | 'uint' | 'double' | 'string' | 'bool' | 'bytes' | 'list' | 'timestamp' | 'duration' | 'other';

function kindOf(v: CelValue): Kind {
  switch (typeof v) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      break;
  }
  if (v instanceof Uint8Array) return 'bytes';
  if (isCelUint(v)) return 'uint';
  if (isCelList(v)) return 'list';
  if (isReflectMessage(v)) {
    const name = v.desc.typeName;
    if (name === TIMESTAMP_NAME) return 'timestamp';
    if (name === DURATION_NAME) return 'duration';
  }
  return 'other';
}

function typeName(kind: Kind): string {
  switch (kind) {
    case 'timestamp':
      return 'google.protobuf.Timestamp';
    case 'duration':
      return 'google.protobuf.Duration';
    case 'other':
      return 'dyn';
    default:
      return kind;
  }
}

function noOverload(op: string, l: Kind, r: Kind): never {
  throw new Error(`found no matching overload for '${op}' applied to '(${typeName(l)}, ${typeName(r)})'`);
}

function ts(v: CelValue): Timestamp {
  return (v as ReflectMessage).message as unknown as Timestamp;
}

function durNanos(v: CelValue): bigint {
  const d = (v as ReflectMessage).message as unknown as Duration;
  return d.seconds * NANOS + BigInt(d.nanos);
}

function checkedInt(v: bigint, op: string): bigint {
  if (v > INT64_MAX || v < INT64_MIN) throw new Error(`int overflow during ${op}`);
  return v;
}

function checkedUint(v: bigint, op: string): CelInput {
  if (v > UINT64_MAX || v < 0n) throw new Error(`uint overflow during ${op}`);
  return celUint(v);
}

function durationOf(nanos: bigint): CelInput {
  if (nanos > INT64_MAX || nanos < INT64_MIN) throw new Error('duration out of range');
  return reflect(DurationSchema, create(DurationSchema, { seconds: nanos / NANOS, nanos: Number(nanos % NANOS) }), false);
}

function timestampOf(seconds: bigint, nanos: bigint): CelInput {
  const total = seconds * NANOS + nanos;
  let s = total / NANOS;
  let n = total % NANOS;
  if (n < 0n) {
    n += NANOS;
    s -= 1n;
  }
  if (s < MIN_TIMESTAMP_SECONDS || s > MAX_TIMESTAMP_SECONDS) throw new Error('timestamp out of range');
  return reflect(TimestampSchema, create(TimestampSchema, { seconds: s, nanos: Number(n) }), false);
}

function concatBytes(l: Uint8Array, r: Uint8Array): Uint8Array {
  const out = new Uint8Array(l.length + r.length);
  out.set(l);
  out.set(r, l.length);
  return out;
}

function add(l: CelValue, r: CelValue): CelInput {
  const lk = kindOf(l);
  const rk = kindOf(r);
  if (lk === rk) {
    switch (lk) {
      case 'int':
        return checkedInt((l as bigint) + (r as bigint), '_+_');
      case 'uint':
        return checkedUint((l as { value: bigint }).value + (r as { value: bigint }).value, '_+_');
      case 'double':
        return (l as number) + (r as number);
      case 'string':
        return (l as string) + (r as string);
      case 'bytes':
        return concatBytes(l as Uint8Array, r as Uint8Array);
      case 'list':
        return celListConcat(l as never, r as never);
      case 'duration':
        return durationOf(durNanos(l) + durNanos(r));
      default:
        break;
    }
  } else if (lk === 'timestamp' && rk === 'duration') {
    return timestampOf(ts(l).seconds, BigInt(ts(l).nanos) + durNanos(r));
  } else if (lk === 'duration' && rk === 'timestamp') {
    return timestampOf(ts(r).seconds, BigInt(ts(r).nanos) + durNanos(l));
  }
  return noOverload('_+_', lk, rk);
}

function subtract(l: CelValue, r: CelValue): CelInput {
  const lk = kindOf(l);
  const rk = kindOf(r);
  if (lk === rk) {
    switch (lk) {
      case 'int':
        return checkedInt((l as bigint) - (r as bigint), '_-_');
      case 'uint':
        return checkedUint((l as { value: bigint }).value - (r as { value: bigint }).value, '_-_');
      case 'double':
        return (l as number) - (r as number);
      case 'duration':
        return durationOf(durNanos(l) - durNanos(r));
      case 'timestamp': {
        const a = ts(l);
        const b = ts(r);
        return durationOf((a.seconds - b.seconds) * NANOS + BigInt(a.nanos - b.nanos));
      }
      default:
        break;
    }
  } else if (lk === 'timestamp' && rk === 'duration') {
    return timestampOf(ts(l).seconds, BigInt(ts(l).nanos) - durNanos(r));
  }
  return noOverload('_-_', lk, rk);
}

function sign(x: number | bigint): -1 | 0 | 1 {
  return x < 0 ? -1 : x > 0 ? 1 : 0;
}

/** Ordering of strings by code point, as Go compares UTF-8 bytes (JS `<` compares UTF-16 units). */
function compareStrings(a: string, b: string): -1 | 0 | 1 {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // A surrogate starts a code point above every BMP unit.
      if (x >= 0xd800 && x <= 0xdfff) x += 0x10000;
      if (y >= 0xd800 && y <= 0xdfff) y += 0x10000;
      return x < y ? -1 : 1;
    }
  }
  return sign(a.length - b.length);
}

function compareBytes(a: Uint8Array, b: Uint8Array): -1 | 0 | 1 {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return (a[i] as number) < (b[i] as number) ? -1 : 1;
  }
  return sign(a.length - b.length);
}

function nanError(): never {
  throw new Error('NaN values cannot be ordered');
}

/** cel-go's compareDoubleInt / compareDoubleUint: out-of-range doubles order first or last. */
function compareDoubleInteger(d: number, i: bigint, min: bigint, max: bigint): -1 | 0 | 1 {
  if (Number.isNaN(d)) nanError();
  if (d < Number(min)) return -1;
  if (d > Number(max)) return 1;
  return sign(d - Number(i));
}

function compare(op: string, l: CelValue, r: CelValue): -1 | 0 | 1 {
  const lk = kindOf(l);
  const rk = kindOf(r);
  switch (lk) {
    case 'int':
      if (rk === 'int') return sign((l as bigint) - (r as bigint));
      if (rk === 'uint') return sign((l as bigint) - (r as { value: bigint }).value);
      if (rk === 'double') return -compareDoubleInteger(r as number, l as bigint, INT64_MIN, INT64_MAX) as -1 | 0 | 1;
      break;
    case 'uint':
      if (rk === 'uint') return sign((l as { value: bigint }).value - (r as { value: bigint }).value);
      if (rk === 'int') return sign((l as { value: bigint }).value - (r as bigint));
      if (rk === 'double') {
        return -compareDoubleInteger(r as number, (l as { value: bigint }).value, 0n, UINT64_MAX) as -1 | 0 | 1;
      }
      break;
    case 'double':
      if (Number.isNaN(l)) nanError();
      if (rk === 'double') {
        if (Number.isNaN(r)) nanError();
        return sign((l as number) - (r as number));
      }
      if (rk === 'int') return compareDoubleInteger(l as number, r as bigint, INT64_MIN, INT64_MAX);
      if (rk === 'uint') return compareDoubleInteger(l as number, (r as { value: bigint }).value, 0n, UINT64_MAX);
      break;
    case 'string':
      if (rk === 'string') return compareStrings(l as string, r as string);
      break;
    case 'bool':
      if (rk === 'bool') return sign(Number(l) - Number(r));
      break;
    case 'bytes':
      if (rk === 'bytes') return compareBytes(l as Uint8Array, r as Uint8Array);
      break;
    case 'duration':
      if (rk === 'duration') return sign(durNanos(l) - durNanos(r));
      break;
    case 'timestamp':
      if (rk === 'timestamp') {
        const a = ts(l);
        const b = ts(r);
        return a.seconds === b.seconds ? sign(a.nanos - b.nanos) : sign(a.seconds - b.seconds);
      }
      break;
    default:
      break;
  }
  return noOverload(op, lk, rk);
}

const IMPLS: Readonly<Record<string, (l: CelValue, r: CelValue) => CelInput>> = {
  '_+_': add,
  '_-_': subtract,
  '_<_': (l, r) => compare('_<_', l, r) < 0,
  '_<=_': (l, r) => compare('_<=_', l, r) <= 0,
  '_>_': (l, r) => compare('_>_', l, r) > 0,
  '_>=_': (l, r) => compare('_>=_', l, r) >= 0,
};

/**
 * The operator functions to add to the environment: per operator, the `dyn` dispatcher first,
 * then a re-declaration of each standard overload's signature (same id, same dispatcher), which
 * evicts the standard implementation so the dispatcher is the only one ever tried.
 */
export function operatorFuncs(): CelFunc[] {
  const funcs: CelFunc[] = [];
  const { DYN } = CelScalar;
  for (const [name, impl] of Object.entries(IMPLS)) funcs.push(celFunc(name, [DYN, DYN], DYN, impl));
  for (const std of celEnv().funcs) {
    const impl = IMPLS[std.name];
    if (impl !== undefined && std.target === undefined) funcs.push(celFunc(std.name, std.arguments, std.result, impl));
  }
  return funcs;
}
