/**
 * Go's number parsing and formatting, as OpenFGA (`math/big`, for numeric parameters given as
 * strings) and cel-go (`strconv`, for `int("...")`, `double("...")`, `string(1.5)`) use them.
 */
import { shortestDigits, formatShortestFixed } from './duration';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;
const TWO_63 = 1n << 63n;
const TWO_64 = 1n << 64n;

/** A value of Go's `big.Float` with 64-bit precision: `±mant × 2^exp`, or an infinity. */
export type BigFloat64 =
  | { readonly kind: 'inf'; readonly negative: boolean }
  | { readonly kind: 'finite'; readonly negative: boolean; readonly mant: bigint; readonly exp: number };

const BIG_FLOAT_SYNTAX = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:([eEpP])([+-]?\d+))?$/;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * `big.ParseFloat(s, 10, 64, big.ToNearestEven)`: the decimal (or `p` binary-exponent) number
 * rounded to a 64-bit mantissa, or `undefined` when Go rejects the string. Values beyond any
 * float64 (|x| > 1e400 or < 1e-400) are clamped: they can only ever be saturated or rejected.
 */
export function parseBigFloat64(s: string): BigFloat64 | undefined {
  if (s === 'Inf' || s === 'inf' || s === '+Inf' || s === '+inf') return { kind: 'inf', negative: false };
  if (s === '-Inf' || s === '-inf') return { kind: 'inf', negative: true };
  const m = BIG_FLOAT_SYNTAX.exec(s);
  if (m === null) return undefined;
  const negative = m[1] === '-';
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? m[4] ?? '';
  const mantDigits = (intPart + fracPart).replace(/^0+/, '');
  if (mantDigits === '') return { kind: 'finite', negative, mant: 0n, exp: 0 };
  let exp10 = -fracPart.length;
  let exp2 = 0;
  if (m[5] !== undefined) {
    const e = Number(m[6]);
    if (m[5] === 'e' || m[5] === 'E') exp10 += e;
    else exp2 += e;
  }
  // Order of magnitude in decimal digits, to avoid building astronomically large BigInts.
  const magnitude = mantDigits.length + exp10 + exp2 * Math.LOG10E * Math.LN2;
  if (magnitude > 400) return { kind: 'finite', negative, mant: TWO_63, exp: 1400 };
  if (magnitude < -400) return { kind: 'finite', negative, mant: TWO_63 + 1n, exp: -1500 };
  let num = BigInt(mantDigits);
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den *= 10n ** BigInt(-exp10);
  if (exp2 >= 0) num <<= BigInt(exp2);
  else den <<= BigInt(-exp2);
  // Scale so that 2^63 <= num * 2^k / den < 2^64, then round half to even.
  let k = 63 - (bitLength(num) - bitLength(den));
  const scaled = (kk: number): [bigint, bigint] => {
    const n = kk >= 0 ? num << BigInt(kk) : num;
    const d = kk >= 0 ? den : den << BigInt(-kk);
    return [n / d, n % d];
  };
  let [q, r] = scaled(k);
  while (q >= TWO_64) [q, r] = scaled(--k);
  while (q < TWO_63) [q, r] = scaled(++k);
  const d = k >= 0 ? den : den << BigInt(-k);
  if (2n * r > d || (2n * r === d && (q & 1n) === 1n)) {
    q += 1n;
    if (q === TWO_64) {
      q = TWO_63;
      k -= 1;
    }
  }
  return { kind: 'finite', negative, mant: q, exp: -k };
}

/** `big.Float.IsInt` followed by the saturating `Int64()`; `undefined` when not an integer. */
export function bigFloatToInt64(x: BigFloat64): bigint | undefined {
  if (x.kind === 'inf') return undefined;
  if (x.mant === 0n) return 0n;
  let magnitude: bigint;
  if (x.exp >= 0) {
    if (x.exp > 64) magnitude = TWO_64;
    else magnitude = x.mant << BigInt(x.exp);
  } else {
    const shift = BigInt(-x.exp);
    if (-x.exp > 64 || (x.mant & ((1n << shift) - 1n)) !== 0n) return undefined;
    magnitude = x.mant >> shift;
  }
  const v = x.negative ? -magnitude : magnitude;
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return v;
}

/** `big.Float.Float64()` when it is exact (Go's OpenFGA converter rejects inexact ones). */
export function bigFloatToFloat64Exact(x: BigFloat64): number | undefined {
  if (x.kind === 'inf') return x.negative ? -Infinity : Infinity;
  if (x.mant === 0n) return x.negative ? -0 : 0;
  let mant = x.mant;
  let exp = x.exp;
  while ((mant & 1n) === 0n) {
    mant >>= 1n;
    exp += 1;
  }
  const bits = bitLength(mant);
  if (bits > 53 || exp < -1074 || exp + bits - 1 > 1023) return undefined;
  const v = Number(mant) * 2 ** exp;
  return x.negative ? -v : v;
}

/** Go's `strconv.ParseInt(s, 10, 64)`. */
export function goParseInt(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v > INT64_MAX || v < INT64_MIN ? undefined : v;
}

/** Go's `strconv.ParseUint(s, 10, 64)` (no sign allowed). */
export function goParseUint(s: string): bigint | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const v = BigInt(s);
  return v > UINT64_MAX ? undefined : v;
}

const DECIMAL_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))[pP]([+-]?\d+)$/;
const SPECIAL_FLOAT = /^([+-]?)(inf|infinity|nan)$/i;

/** Go's `strconv.ParseFloat(s, 64)`: decimal, hexadecimal (`0x1.8p1`), `inf`/`infinity`/`nan`. */
export function goParseFloat(s: string): number | undefined {
  const special = SPECIAL_FLOAT.exec(s);
  if (special !== null) {
    if ((special[2] as string).toLowerCase() === 'nan') return special[1] === '' ? Number.NaN : undefined;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  let v: number;
  if (DECIMAL_FLOAT.test(s)) {
    v = Number(s);
  } else {
    const hex = HEX_FLOAT.exec(s);
    if (hex === null) return undefined;
    const [intHex = '', fracHex = ''] = (hex[2] as string).split('.');
    const mant = BigInt(`0x${intHex || '0'}${fracHex}`);
    const exp = Number(hex[3]) - 4 * fracHex.length;
    // Two half-steps keep 2^exp itself from under- or overflowing before the product does.
    const half = Math.trunc(exp / 2);
    v = Number(mant) * 2 ** half * 2 ** (exp - half);
    if (hex[1] === '-') v = -v;
  }
  // Go reports overflow (ErrRange) instead of returning an infinity.
  return Number.isFinite(v) ? v : undefined;
}

/** Go's `strconv.ParseBool`. */
export function goParseBool(s: string): boolean | undefined {
  switch (s) {
    case '1':
    case 't':
    case 'T':
    case 'TRUE':
    case 'true':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'FALSE':
    case 'false':
    case 'False':
      return false;
    default:
      return undefined;
  }
}

/** `fmt.Sprintf("%g", x)`: cel-go's `string(double)`. */
export function formatGoG(x: number): string {
  if (!Number.isFinite(x) || x === 0) return formatShortestFixed(x);
  const { negative, digits, exponent } = shortestDigits(x);
  if (exponent < -4 || exponent >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exponent);
    return `${negative ? '-' : ''}${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  return formatShortestFixed(x);
}
