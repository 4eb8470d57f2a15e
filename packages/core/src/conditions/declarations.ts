import type { CelT } from './celTypes';
import {
  BOOL,
  BYTES,
  DOUBLE,
  DURATION,
  DYN,
  INT,
  IPADDRESS,
  NULL,
  STRING,
  TIMESTAMP,
  TYPE,
  UINT,
  listOf,
  mapOf,
  typeOf,
  typeParam,
} from './celTypes';

/**
 * The declarations OpenFGA's CEL environment type-checks against: cel-go's standard library
 * (`cel.NewEnv()`, common/stdlib/standard.go) plus OpenFGA's `ipaddress` extension. Keeping the
 * exact overload set matters: an expression OpenFGA rejects must be rejected here too, and vice
 * versa (for example cel-go disables the cross-type numeric comparisons at check time by
 * default, so `x < 1.5` with `x: int` is a compile error in OpenFGA).
 */

/** One overload of a function. */
export interface OverloadDecl {
  /** cel-go's overload id (`less_int64`), used to disable overloads as cel-go does. */
  readonly id: string;
  /** Receiver-style (`a.f(b)`) rather than global (`f(a, b)`); the receiver is `args[0]`. */
  readonly member: boolean;
  /** Argument types, the receiver first for a member overload. */
  readonly args: readonly CelT[];
  /** Result type. */
  readonly result: CelT;
  /** The type parameter names the signature uses; they get fresh variables per call site. */
  readonly typeParams: readonly string[];
}

/** A function and its overloads. */
export interface FunctionDecl {
  /** The function name (`_<_`, `size`, `in_cidr`). */
  readonly name: string;
  /** Its overloads, in cel-go's declaration order (it decides the result type on ties). */
  readonly overloads: readonly OverloadDecl[];
}

const A = typeParam('A');
const B = typeParam('B');
const LIST_A = listOf(A);
const MAP_AB = mapOf(A, B);

function collectParams(x: CelT, into: Set<string>): void {
  if (x.kind === 'typeParam') into.add(x.name);
  for (const p of x.params) collectParams(p, into);
}

function overload(id: string, args: readonly CelT[], result: CelT, member = false): OverloadDecl {
  const names = new Set<string>();
  for (const a of args) collectParams(a, names);
  collectParams(result, names);
  return { id, member, args, result, typeParams: [...names] };
}

function member(id: string, args: readonly CelT[], result: CelT): OverloadDecl {
  return overload(id, args, result, true);
}

/**
 * Overloads cel-go declares but filters out of the checker unless the environment enables
 * `CrossTypeNumericComparisons` (OpenFGA does not).
 */
export const DISABLED_OVERLOADS: ReadonlySet<string> = new Set(
  ['less', 'less_equals', 'greater', 'greater_equals'].flatMap((op) => [
    `${op}_double_int64`,
    `${op}_double_uint64`,
    `${op}_int64_double`,
    `${op}_int64_uint64`,
    `${op}_uint64_double`,
    `${op}_uint64_int64`,
  ]),
);

function comparison(name: string, op: string): FunctionDecl {
  return {
    name,
    overloads: [
      overload(`${op}_bool`, [BOOL, BOOL], BOOL),
      overload(`${op}_int64`, [INT, INT], BOOL),
      overload(`${op}_int64_double`, [INT, DOUBLE], BOOL),
      overload(`${op}_int64_uint64`, [INT, UINT], BOOL),
      overload(`${op}_uint64`, [UINT, UINT], BOOL),
      overload(`${op}_uint64_double`, [UINT, DOUBLE], BOOL),
      overload(`${op}_uint64_int64`, [UINT, INT], BOOL),
      overload(`${op}_double`, [DOUBLE, DOUBLE], BOOL),
      overload(`${op}_double_int64`, [DOUBLE, INT], BOOL),
      overload(`${op}_double_uint64`, [DOUBLE, UINT], BOOL),
      overload(`${op}_string`, [STRING, STRING], BOOL),
      overload(`${op}_bytes`, [BYTES, BYTES], BOOL),
      overload(`${op}_timestamp`, [TIMESTAMP, TIMESTAMP], BOOL),
      overload(`${op}_duration`, [DURATION, DURATION], BOOL),
    ],
  };
}

function timestampAccessor(name: string, id: string, withDuration: boolean): FunctionDecl {
  const overloads = [member(id, [TIMESTAMP], INT), member(`${id}_with_tz`, [TIMESTAMP, STRING], INT)];
  if (withDuration) overloads.push(member(`duration_to_${id.replace('timestamp_to_', '')}`, [DURATION], INT));
  return { name, overloads };
}

const FUNCTIONS: readonly FunctionDecl[] = [
  { name: '_?_:_', overloads: [overload('conditional', [BOOL, A, A], A)] },
  { name: '_&&_', overloads: [overload('logical_and', [BOOL, BOOL], BOOL)] },
  { name: '_||_', overloads: [overload('logical_or', [BOOL, BOOL], BOOL)] },
  { name: '!_', overloads: [overload('logical_not', [BOOL], BOOL)] },
  { name: '@not_strictly_false', overloads: [overload('not_strictly_false', [BOOL], BOOL)] },
  { name: '_==_', overloads: [overload('equals', [A, A], BOOL)] },
  { name: '_!=_', overloads: [overload('not_equals', [A, A], BOOL)] },
  {
    name: '_+_',
    overloads: [
      overload('add_bytes', [BYTES, BYTES], BYTES),
      overload('add_double', [DOUBLE, DOUBLE], DOUBLE),
      overload('add_duration_duration', [DURATION, DURATION], DURATION),
      overload('add_duration_timestamp', [DURATION, TIMESTAMP], TIMESTAMP),
      overload('add_timestamp_duration', [TIMESTAMP, DURATION], TIMESTAMP),
      overload('add_int64', [INT, INT], INT),
      overload('add_list', [LIST_A, LIST_A], LIST_A),
      overload('add_string', [STRING, STRING], STRING),
      overload('add_uint64', [UINT, UINT], UINT),
    ],
  },
  {
    name: '_/_',
    overloads: [
      overload('divide_double', [DOUBLE, DOUBLE], DOUBLE),
      overload('divide_int64', [INT, INT], INT),
      overload('divide_uint64', [UINT, UINT], UINT),
    ],
  },
  {
    name: '_%_',
    overloads: [overload('modulo_int64', [INT, INT], INT), overload('modulo_uint64', [UINT, UINT], UINT)],
  },
  {
    name: '_*_',
    overloads: [
      overload('multiply_double', [DOUBLE, DOUBLE], DOUBLE),
      overload('multiply_int64', [INT, INT], INT),
      overload('multiply_uint64', [UINT, UINT], UINT),
    ],
  },
  {
    name: '-_',
    overloads: [overload('negate_double', [DOUBLE], DOUBLE), overload('negate_int64', [INT], INT)],
  },
  {
    name: '_-_',
    overloads: [
      overload('subtract_double', [DOUBLE, DOUBLE], DOUBLE),
      overload('subtract_duration_duration', [DURATION, DURATION], DURATION),
      overload('subtract_int64', [INT, INT], INT),
      overload('subtract_timestamp_duration', [TIMESTAMP, DURATION], TIMESTAMP),
      overload('subtract_timestamp_timestamp', [TIMESTAMP, TIMESTAMP], DURATION),
      overload('subtract_uint64', [UINT, UINT], UINT),
    ],
  },
  comparison('_<_', 'less'),
  comparison('_<=_', 'less_equals'),
  comparison('_>_', 'greater'),
  comparison('_>=_', 'greater_equals'),
  {
    name: '_[_]',
    overloads: [overload('index_list', [LIST_A, INT], A), overload('index_map', [MAP_AB, A], B)],
  },
  {
    name: '@in',
    overloads: [overload('in_list', [A, LIST_A], BOOL), overload('in_map', [A, MAP_AB], BOOL)],
  },
  {
    name: 'size',
    overloads: [
      overload('size_bytes', [BYTES], INT),
      member('bytes_size', [BYTES], INT),
      overload('size_list', [LIST_A], INT),
      member('list_size', [LIST_A], INT),
      overload('size_map', [MAP_AB], INT),
      member('map_size', [MAP_AB], INT),
      overload('size_string', [STRING], INT),
      member('string_size', [STRING], INT),
    ],
  },
  { name: 'type', overloads: [overload('type', [A], typeOf(A))] },
  {
    name: 'bool',
    overloads: [overload('bool_to_bool', [BOOL], BOOL), overload('string_to_bool', [STRING], BOOL)],
  },
  {
    name: 'bytes',
    overloads: [overload('bytes_to_bytes', [BYTES], BYTES), overload('string_to_bytes', [STRING], BYTES)],
  },
  {
    name: 'double',
    overloads: [
      overload('double_to_double', [DOUBLE], DOUBLE),
      overload('int64_to_double', [INT], DOUBLE),
      overload('string_to_double', [STRING], DOUBLE),
      overload('uint64_to_double', [UINT], DOUBLE),
    ],
  },
  {
    name: 'duration',
    overloads: [
      overload('duration_to_duration', [DURATION], DURATION),
      overload('string_to_duration', [STRING], DURATION),
    ],
  },
  { name: 'dyn', overloads: [overload('to_dyn', [A], DYN)] },
  {
    name: 'int',
    overloads: [
      overload('int64_to_int64', [INT], INT),
      overload('double_to_int64', [DOUBLE], INT),
      overload('duration_to_int64', [DURATION], INT),
      overload('string_to_int64', [STRING], INT),
      overload('timestamp_to_int64', [TIMESTAMP], INT),
      overload('uint64_to_int64', [UINT], INT),
    ],
  },
  {
    name: 'string',
    overloads: [
      overload('string_to_string', [STRING], STRING),
      overload('bool_to_string', [BOOL], STRING),
      overload('bytes_to_string', [BYTES], STRING),
      overload('double_to_string', [DOUBLE], STRING),
      overload('duration_to_string', [DURATION], STRING),
      overload('int64_to_string', [INT], STRING),
      overload('timestamp_to_string', [TIMESTAMP], STRING),
      overload('uint64_to_string', [UINT], STRING),
    ],
  },
  {
    name: 'timestamp',
    overloads: [
      overload('timestamp_to_timestamp', [TIMESTAMP], TIMESTAMP),
      overload('int64_to_timestamp', [INT], TIMESTAMP),
      overload('string_to_timestamp', [STRING], TIMESTAMP),
    ],
  },
  {
    name: 'uint',
    overloads: [
      overload('uint64_to_uint64', [UINT], UINT),
      overload('double_to_uint64', [DOUBLE], UINT),
      overload('int64_to_uint64', [INT], UINT),
      overload('string_to_uint64', [STRING], UINT),
    ],
  },
  { name: 'contains', overloads: [member('contains_string', [STRING, STRING], BOOL)] },
  { name: 'endsWith', overloads: [member('ends_with_string', [STRING, STRING], BOOL)] },
  { name: 'startsWith', overloads: [member('starts_with_string', [STRING, STRING], BOOL)] },
  {
    name: 'matches',
    overloads: [overload('matches', [STRING, STRING], BOOL), member('matches_string', [STRING, STRING], BOOL)],
  },
  timestampAccessor('getFullYear', 'timestamp_to_year', false),
  timestampAccessor('getMonth', 'timestamp_to_month', false),
  timestampAccessor('getDayOfYear', 'timestamp_to_day_of_year', false),
  timestampAccessor('getDayOfMonth', 'timestamp_to_day_of_month', false),
  timestampAccessor('getDate', 'timestamp_to_day_of_month_1_based', false),
  timestampAccessor('getDayOfWeek', 'timestamp_to_day_of_week', false),
  timestampAccessor('getHours', 'timestamp_to_hours', true),
  timestampAccessor('getMinutes', 'timestamp_to_minutes', true),
  timestampAccessor('getSeconds', 'timestamp_to_seconds', true),
  timestampAccessor('getMilliseconds', 'timestamp_to_milliseconds', true),
  // OpenFGA's ipaddress extension (internal/condition/types/ipaddress.go).
  { name: 'ipaddress', overloads: [overload('string_to_ipaddress', [STRING], IPADDRESS)] },
  { name: 'in_cidr', overloads: [member('ipaddr_in_cidr', [IPADDRESS, STRING], BOOL)] },
];

/** Every function the checker knows, by name. */
export const FUNCTION_DECLS: ReadonlyMap<string, FunctionDecl> = new Map(FUNCTIONS.map((f) => [f.name, f]));

/**
 * The global identifiers besides condition parameters: cel-go's standard type identifiers
 * (`int`, `list`, `google.protobuf.Timestamp`...), whose values are types.
 */
export const TYPE_IDENTS: ReadonlyMap<string, CelT> = new Map<string, CelT>([
  ['bool', typeOf(BOOL)],
  ['bytes', typeOf(BYTES)],
  ['double', typeOf(DOUBLE)],
  ['google.protobuf.Duration', typeOf(DURATION)],
  ['int', typeOf(INT)],
  ['list', typeOf(LIST_A)],
  ['map', typeOf(MAP_AB)],
  ['null_type', typeOf(NULL)],
  ['string', typeOf(STRING)],
  ['google.protobuf.Timestamp', typeOf(TIMESTAMP)],
  ['type', typeOf(TYPE)],
  ['uint', typeOf(UINT)],
]);
