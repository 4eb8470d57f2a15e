/**
 * The runtime half of OpenFGA's CEL environment on top of `@bufbuild/cel`: the `IPAddress` type
 * and its functions, plus replacements for the standard functions whose `@bufbuild/cel` 0.6.1
 * behaviour differs from cel-go (which OpenFGA runs): string conversions and duration/timestamp
 * parsing follow Go's `strconv`/`time`, `int(duration)` is nanoseconds, `timestamp(int)` is
 * seconds, duration accessors return totals, and timestamp accessors never consult the host's
 * local time zone.
 */
import type { CelEnv, CelFunc, CelValue } from '@bufbuild/cel';
import { CelScalar, celEnv, celFunc, celMethod, celUint, objectType } from '@bufbuild/cel';
import type { DescMessage } from '@bufbuild/protobuf';
import { create, createFileRegistry } from '@bufbuild/protobuf';
import type { ReflectMessage } from '@bufbuild/protobuf/reflect';
import { isReflectMessage, reflect } from '@bufbuild/protobuf/reflect';
import type { Duration, Timestamp } from '@bufbuild/protobuf/wkt';
import {
  DurationSchema,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  TimestampSchema,
} from '@bufbuild/protobuf/wkt';
import { formatGoDurationSeconds, parseGoDuration } from './duration';
import type { IpAddr, IpPrefix } from './ipaddress';
import { parseCidr, parseIpAddress, prefixContains } from './ipaddress';
import { formatGoG, goParseBool, goParseFloat, goParseInt, goParseUint } from './numbers';
import { operatorFuncs } from './operators';
import type { CalendarFields, Instant } from './timestamp';
import {
  MAX_TIMESTAMP_SECONDS,
  MIN_TIMESTAMP_SECONDS,
  calendarFields,
  formatRfc3339Nano,
  parseRfc3339,
  zoneOffsetSeconds,
} from './timestamp';


const { BOOL, DOUBLE, DYN, INT, STRING, UINT } = CelScalar;
const TIMESTAMP_T = objectType(TimestampSchema);
const DURATION_T = objectType(DurationSchema);

const NANOS_PER_SECOND = 1_000_000_000n;

let ipAddressDescriptor: DescMessage | undefined;

/** OpenFGA's `IPAddress` CEL object type, as a protobuf message so `@bufbuild/cel` can carry it. */
function ipAddressDesc(): DescMessage {
  ipAddressDescriptor ??= buildIpAddressDesc();
  return ipAddressDescriptor;
}

function buildIpAddressDesc(): DescMessage {
  const file = create(FileDescriptorProtoSchema, {
    name: 'gatehouse/condition/ipaddress.proto',
    syntax: 'proto3',
    messageType: [
      {
        name: 'IPAddress',
        field: [
          {
            name: 'addr',
            jsonName: 'addr',
            number: 1,
            type: FieldDescriptorProto_Type.BYTES,
            label: FieldDescriptorProto_Label.OPTIONAL,
          },
          {
            name: 'zone',
            jsonName: 'zone',
            number: 2,
            type: FieldDescriptorProto_Type.STRING,
            label: FieldDescriptorProto_Label.OPTIONAL,
          },
        ],
      },
    ],
  });
  const desc = createFileRegistry(file, () => undefined).getMessage('IPAddress');
  if (desc === undefined) throw new Error('IPAddress descriptor missing');
  return desc;
}

/** Wraps a parsed address as a CEL value. Equality compares the canonical bytes and zone. */
export function ipAddressValue(addr: IpAddr): ReflectMessage {
  const desc = ipAddressDesc();
  return reflect(desc, create(desc, { addr: addr.bytes, zone: addr.zone }), false);
}

/** A small bounded memo: conversions of the same string (a tuple's CIDR, a request's timestamp) repeat. */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  /** @param limit - Entries kept before the cache starts over. */
  constructor(private readonly limit: number) {}
  /** The cached value, if any. */
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  /** Caches and returns `value`. */
  set(key: string, value: V): V {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}

const cidrCache = new BoundedCache<IpPrefix | null>(1024);

function inCidr(target: CelValue, cidr: string): boolean {
  if (!isReflectMessage(target, ipAddressDesc())) throw new Error('an IPAddress parameter value is required for comparison');
  let prefix = cidrCache.get(cidr);
  if (prefix === undefined) prefix = cidrCache.set(cidr, parseCidr(cidr) ?? null);
  if (prefix === null) throw new Error(`'${cidr}' is a malformed CIDR string`);
  const msg = target.message as unknown as { readonly addr: Uint8Array; readonly zone: string };
  return prefixContains(prefix, { bytes: msg.addr, zone: msg.zone });
}

/** A timestamp CEL value; throws outside CEL's range (years 1 to 9999). */
export function timestampValue(instant: Instant): ReflectMessage {
  if (instant.seconds < MIN_TIMESTAMP_SECONDS || instant.seconds > MAX_TIMESTAMP_SECONDS) {
    throw new Error('timestamp out of range');
  }
  return reflect(TimestampSchema, create(TimestampSchema, { seconds: instant.seconds, nanos: instant.nanos }), false);
}

/** A duration CEL value from nanoseconds. */
export function durationValue(nanos: bigint): ReflectMessage {
  return reflect(
    DurationSchema,
    create(DurationSchema, { seconds: nanos / NANOS_PER_SECOND, nanos: Number(nanos % NANOS_PER_SECOND) }),
    false,
  );
}

function durationNanos(d: Duration): bigint {
  return d.seconds * NANOS_PER_SECOND + BigInt(d.nanos);
}

function fields(ts: Timestamp, zone: string | undefined): CalendarFields {
  const instant = { seconds: ts.seconds, nanos: ts.nanos };
  return calendarFields(instant, zone === undefined ? 0 : zoneOffsetSeconds(zone, instant));
}

function timestampAccessor(name: string, pick: (f: CalendarFields) => number): CelFunc[] {
  return [
    celMethod(name, TIMESTAMP_T, [], INT, function () {
      return BigInt(pick(fields(this.message, undefined)));
    }),
    celMethod(name, TIMESTAMP_T, [STRING], INT, function (zone) {
      return BigInt(pick(fields(this.message, zone)));
    }),
  ];
}

function durationAccessor(name: string, unit: bigint): CelFunc {
  return celMethod(name, DURATION_T, [], INT, function () {
    return durationNanos(this.message) / unit;
  });
}

function parseTimestampString(s: string): ReflectMessage {
  const instant = parseRfc3339(s);
  if (instant === undefined) throw new Error(`cannot parse '${s}' as an RFC 3339 timestamp`);
  return timestampValue(instant);
}

function parseDurationString(s: string): ReflectMessage {
  const nanos = parseGoDuration(s);
  if (nanos === undefined) throw new Error(`invalid duration '${s}'`);
  return durationValue(nanos);
}

function runtimeFuncs(): CelFunc[] {
  return [
    celFunc('ipaddress', [STRING], objectType(ipAddressDesc()), (s) => {
      const addr = parseIpAddress(s);
      if (addr === undefined) throw new Error(`ParseAddr("${s}"): unable to parse IP`);
      return ipAddressValue(addr);
    }),
    // Declared on `dyn` so dispatch computes no type; the checker already guarantees the receiver.
    celMethod('in_cidr', DYN, [STRING], BOOL, function (cidr) {
      return inCidr(this, cidr);
    }),
    celFunc('timestamp', [STRING], TIMESTAMP_T, parseTimestampString),
    celFunc('timestamp', [INT], TIMESTAMP_T, (seconds) => timestampValue({ seconds, nanos: 0 })),
    celFunc('duration', [STRING], DURATION_T, parseDurationString),
    celFunc('int', [STRING], INT, (s) => {
      const v = goParseInt(s);
      if (v === undefined) throw new Error(`cannot convert '${s}' to int`);
      return v;
    }),
    celFunc('int', [DURATION_T], INT, (d) => durationNanos(d.message)),
    celFunc('uint', [STRING], UINT, (s) => {
      const v = goParseUint(s);
      if (v === undefined) throw new Error(`cannot convert '${s}' to uint`);
      return celUint(v);
    }),
    celFunc('double', [STRING], DOUBLE, (s) => {
      const v = goParseFloat(s);
      if (v === undefined) throw new Error(`cannot convert '${s}' to double`);
      return v;
    }),
    celFunc('bool', [STRING], BOOL, (s) => {
      const v = goParseBool(s);
      if (v === undefined) throw new Error(`cannot convert '${s}' to bool`);
      return v;
    }),
    celFunc('string', [DOUBLE], STRING, formatGoG),
    celFunc('string', [DURATION_T], STRING, (d) => formatGoDurationSeconds(durationNanos(d.message))),
    celFunc('string', [TIMESTAMP_T], STRING, (t) => formatRfc3339Nano(t.message)),
    ...timestampAccessor('getFullYear', (f) => f.year),
    ...timestampAccessor('getMonth', (f) => f.month - 1),
    ...timestampAccessor('getDate', (f) => f.day),
    ...timestampAccessor('getDayOfMonth', (f) => f.day - 1),
    ...timestampAccessor('getDayOfWeek', (f) => f.dayOfWeek),
    ...timestampAccessor('getDayOfYear', (f) => f.dayOfYear),
    ...timestampAccessor('getHours', (f) => f.hour),
    ...timestampAccessor('getMinutes', (f) => f.minute),
    ...timestampAccessor('getSeconds', (f) => f.second),
    ...timestampAccessor('getMilliseconds', (f) => f.millisecond),
    durationAccessor('getHours', 3_600_000_000_000n),
    durationAccessor('getMinutes', 60_000_000_000n),
    durationAccessor('getSeconds', NANOS_PER_SECOND),
    durationAccessor('getMilliseconds', 1_000_000n),
  ];
}

let env: CelEnv | undefined;

/** The shared runtime environment (created on first use; it holds no per-model state). */
export function conditionEnv(): CelEnv {
  env ??= celEnv({ funcs: [...operatorFuncs(), ...runtimeFuncs()] });
  return env;
}
