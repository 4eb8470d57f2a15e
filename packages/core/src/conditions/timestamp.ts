/**
 * Go's `time.Parse(time.RFC3339, s)` (OpenFGA's `timestamp` parameters, cel-go's
 * `timestamp("...")`), `Format(time.RFC3339Nano)` and the calendar arithmetic of CEL's
 * timestamp accessors, without `Date` (whose local-time behaviour depends on the host).
 */

/** An instant as protobuf represents it: seconds since the Unix epoch plus 0..999,999,999 ns. */
export interface Instant {
  readonly seconds: bigint;
  readonly nanos: number;
}

/** CEL's timestamp range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. */
export const MIN_TIMESTAMP_SECONDS = -62135596800n;
export const MAX_TIMESTAMP_SECONDS = 253402300799n;

function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of {@link daysFromCivil}. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` exactly as Go's `time.Parse(time.RFC3339, s)`
 * accepts it (a fraction may also follow a comma; digits beyond nanoseconds are truncated).
 * Returns `undefined` for anything Go rejects.
 */
export function parseRfc3339(s: string): Instant | undefined {
  if (s.length < 20) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return undefined;
  if (year < 0 || month < 1 || month > 12 || hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  if (second < 0 || second > 59 || day < 1 || day > daysIn(month, year)) return undefined;
  let i = 19;
  let nanos = 0;
  if ((s[i] === '.' || s[i] === ',') && digits(s, i + 1, 1) >= 0) {
    let j = i + 1;
    let scale = 100_000_000;
    while (j < s.length && digits(s, j, 1) >= 0) {
      nanos += digits(s, j, 1) * scale;
      scale = Math.floor(scale / 10);
      j++;
    }
    i = j;
  }
  let offsetSeconds = 0;
  const rest = s.slice(i);
  if (rest !== 'Z') {
    if (rest.length !== 6 || (rest[0] !== '+' && rest[0] !== '-') || rest[3] !== ':') return undefined;
    const oh = digits(rest, 1, 2);
    const om = digits(rest, 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offsetSeconds = (oh * 60 + om) * 60 * (rest[0] === '-' ? -1 : 1);
  }
  const days = daysFromCivil(year, month, day);
  const seconds = BigInt(days) * 86400n + BigInt(hour * 3600 + minute * 60 + second - offsetSeconds);
  return { seconds, nanos };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `t.UTC().Format(time.RFC3339Nano)`: cel-go's `string(timestamp)` (trailing zeros trimmed). */
export function formatRfc3339Nano(instant: Instant): string {
  const secOfDay = Number(((instant.seconds % 86400n) + 86400n) % 86400n);
  const days = Number((instant.seconds - BigInt(secOfDay)) / 86400n);
  const { year, month, day } = civilFromDays(days);
  const h = Math.floor(secOfDay / 3600);
  const m = Math.floor((secOfDay % 3600) / 60);
  const sec = secOfDay % 60;
  let frac = '';
  if (instant.nanos > 0) frac = `.${pad(instant.nanos, 9).replace(/0+$/, '')}`;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(h, 2)}:${pad(m, 2)}:${pad(sec, 2)}${frac}Z`;
}

/** Calendar fields of an instant in some time zone. */
export interface CalendarFields {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** 0 = Sunday */
  readonly dayOfWeek: number;
  /** 0-based */
  readonly dayOfYear: number;
}

/** Calendar fields of `instant` shifted by a fixed offset east of UTC. */
export function calendarFields(instant: Instant, offsetSeconds: number): CalendarFields {
  const local = instant.seconds + BigInt(offsetSeconds);
  const secOfDay = Number(((local % 86400n) + 86400n) % 86400n);
  const days = Number((local - BigInt(secOfDay)) / 86400n);
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    second: secOfDay % 60,
    millisecond: Math.floor(instant.nanos / 1_000_000),
    dayOfWeek: (((days + 4) % 7) + 7) % 7,
    dayOfYear: days - daysFromCivil(year, 1, 1),
  };
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The offset (seconds east of UTC) of a time zone at an instant, for cel-go's timezone argument:
 * `"+05:30"`/`"-08:00"` style offsets (parsed like Go's `strconv.Atoi` halves), `"UTC"`, or an
 * IANA name. Throws for unknown zones, as cel-go returns an error.
 */
export function zoneOffsetSeconds(zone: string, instant: Instant): number {
  const colon = zone.indexOf(':');
  if (colon >= 0) {
    const hours = goAtoi(zone.slice(0, colon));
    const minutes = goAtoi(zone.slice(colon + 1));
    if (hours === undefined || minutes === undefined) throw new Error(`invalid timezone offset: ${zone}`);
    if (minutes < 0 || minutes > 59) throw new Error(`timezone offset minutes out of range [0, 59]: ${zone}`);
    const total = zone[0] === '-' ? hours * 60 - minutes : hours * 60 + minutes;
    return total * 60;
  }
  if (zone === '' || zone === 'UTC') return 0;
  let formatter = zoneFormatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      throw new Error(`unknown time zone ${zone}`);
    }
    zoneFormatters.set(zone, formatter);
  }
  const ms = Number(instant.seconds) * 1000;
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(ms)) parts[part.type] = part.value;
  let year = Number(parts['year']);
  if (parts['era'] === 'BC' || parts['era'] === 'B') year = 1 - year;
  const localSeconds =
    daysFromCivil(year, Number(parts['month']), Number(parts['day'])) * 86400 +
    Number(parts['hour']) * 3600 +
    Number(parts['minute']) * 60 +
    Number(parts['second']);
  const utcSeconds = Math.floor(ms / 1000);
  return localSeconds - utcSeconds;
}

/** Go's `strconv.Atoi` for the small values a timezone offset holds. */
function goAtoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}
