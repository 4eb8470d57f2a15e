/**
 * Go's `time.ParseDuration` and `Duration` formatting, which OpenFGA uses for `duration`
 * parameters and cel-go for `duration("...")` and `string(duration)`.
 */

const MAX_UINT63 = 1n << 63n;
const MAX_INT64 = MAX_UINT63 - 1n;

const UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // U+00B5 micro sign
  ['\u03bcs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses a Go duration string ("300ms", "-1.5h", "2h45m", "0") into nanoseconds, or returns
 * `undefined` when Go would reject it (bad syntax, unknown unit, beyond ±292 years).
 */
export function parseGoDuration(input: string): bigint | undefined {
  let s = input;
  let negative = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    negative = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return undefined;
    // Integer part, with Go's leadingInt overflow rules.
    let i = 0;
    let v = 0n;
    while (i < s.length && isDigit(s[i])) {
      if (v > MAX_UINT63 / 10n) return undefined;
      v = v * 10n + BigInt((s[i] as string).charCodeAt(0) - 48);
      if (v > MAX_UINT63) return undefined;
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    // Fraction, with Go's leadingFraction (digits beyond int64 precision are ignored).
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigit(s[j])) {
        if (!overflow) {
          if (f > (MAX_UINT63 - 1n) / 10n) {
            overflow = true;
          } else {
            const y = f * 10n + BigInt((s[j] as string).charCodeAt(0) - 48);
            if (y > MAX_UINT63) overflow = true;
            else {
              f = y;
              scale *= 10;
            }
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return undefined;
    let u = 0;
    while (u < s.length && !(s[u] === '.' || isDigit(s[u]))) u++;
    if (u === 0) return undefined;
    const unit = UNITS.get(s.slice(0, u));
    if (unit === undefined) return undefined;
    s = s.slice(u);
    if (v > MAX_UINT63 / unit) return undefined;
    v *= unit;
    if (f > 0n) {
      // Go computes the fraction in float64, truncating to whole nanoseconds.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > MAX_UINT63) return undefined;
    }
    total += v;
    if (total > MAX_UINT63) return undefined;
  }
  if (negative) return -total;
  if (total > MAX_INT64) return undefined;
  return total;
}

/**
 * `strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"`: cel-go's `string(duration)`.
 */
export function formatGoDurationSeconds(nanos: bigint): string {
  const sec = nanos / 1_000_000_000n;
  const nsec = nanos % 1_000_000_000n;
  const seconds = Number(sec) + Number(nsec) / 1e9;
  return `${formatShortestFixed(seconds)}s`;
}

/** `strconv.FormatFloat(x, 'f', -1, 64)`: shortest round-trip digits, never an exponent. */
export function formatShortestFixed(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const { negative, digits, exponent } = shortestDigits(x);
  let out: string;
  const pointPos = exponent + 1; // digits before the decimal point
  if (pointPos <= 0) out = `0.${'0'.repeat(-pointPos)}${digits}`;
  else if (pointPos >= digits.length) out = digits + '0'.repeat(pointPos - digits.length);
  else out = `${digits.slice(0, pointPos)}.${digits.slice(pointPos)}`;
  return negative ? `-${out}` : out;
}

/** The shortest round-trip decimal digits of a finite non-zero double, and its exponent. */
export function shortestDigits(x: number): { negative: boolean; digits: string; exponent: number } {
  const [mantissa = '', exp = '0'] = Math.abs(x).toExponential().split('e');
  return { negative: x < 0, digits: mantissa.replace('.', ''), exponent: Number(exp) };
}
