/**
 * The CEL type model used by the condition type checker. It follows cel-go's `types.Type`
 * (kind + runtime type name + parameters) because OpenFGA type-checks conditions with cel-go and
 * Gatehouse must accept and reject exactly the same expressions.
 */

/** The category of a CEL type, as cel-go's `types.Kind`. */
export type CelKind =
  | 'bool'
  | 'bytes'
  | 'double'
  | 'int'
  | 'string'
  | 'uint'
  | 'null'
  | 'dyn'
  | 'any'
  | 'error'
  | 'duration'
  | 'timestamp'
  | 'list'
  | 'map'
  | 'type'
  | 'typeParam'
  | 'struct'
  | 'opaque';

/** A CEL type during type checking. */
export interface CelT {
  /** The category. */
  readonly kind: CelKind;
  /** The runtime type name (`int`, `list`, `google.protobuf.Timestamp`, a type parameter's name...). */
  readonly name: string;
  /** Type parameters: `list(elem)`, `map(key, value)`, `type(of)`, a function's result and arguments. */
  readonly params: readonly CelT[];
}

function t(kind: CelKind, name: string, params: readonly CelT[] = []): CelT {
  return { kind, name, params };
}

/** `bool`. */
export const BOOL = t('bool', 'bool');
/** `bytes`. */
export const BYTES = t('bytes', 'bytes');
/** `double`. */
export const DOUBLE = t('double', 'double');
/** `int` (int64). */
export const INT = t('int', 'int');
/** `string`. */
export const STRING = t('string', 'string');
/** `uint` (uint64). */
export const UINT = t('uint', 'uint');
/** `null_type`. */
export const NULL = t('null', 'null_type');
/** `dyn`: any type, checked at run time. */
export const DYN = t('dyn', 'dyn');
/** `google.protobuf.Any`: OpenFGA's `any` parameter type; a wildcard like `dyn` when checking. */
export const ANY = t('any', 'google.protobuf.Any');
/** The type of an expression that failed to check; it unifies with anything to limit cascades. */
export const ERROR = t('error', '*error*');
/** `google.protobuf.Duration`. */
export const DURATION = t('duration', 'google.protobuf.Duration');
/** `google.protobuf.Timestamp`. */
export const TIMESTAMP = t('timestamp', 'google.protobuf.Timestamp');
/** `type` without a parameter: the type of type values whose type is not known. */
export const TYPE = t('type', 'type');
/** OpenFGA's custom `ipaddress` parameter type (cel-go object type `IPAddress`). */
export const IPADDRESS = t('struct', 'IPAddress');

/** `list(elem)`. */
export function listOf(elem: CelT): CelT {
  return t('list', 'list', [elem]);
}

/** `map(key, value)`. */
export function mapOf(key: CelT, value: CelT): CelT {
  return t('map', 'map', [key, value]);
}

/** `type(of)`: the type of a type value. */
export function typeOf(of: CelT): CelT {
  return t('type', 'type', [of]);
}

/** A type parameter (`A`, or a fresh `_var3` during overload resolution). */
export function typeParam(name: string): CelT {
  return t('typeParam', name);
}

/** An overload's signature as one type, so substitution applies to result and arguments at once. */
export function functionType(result: CelT, args: readonly CelT[]): CelT {
  return t('opaque', 'function', [result, ...args]);
}

/** cel-go `isDyn`: DYN or a well-known `Any`. */
export function isDyn(x: CelT): boolean {
  return x.kind === 'dyn' || x.kind === 'any';
}

/** cel-go `isDynOrError`. */
export function isDynOrError(x: CelT): boolean {
  return x.kind === 'error' || isDyn(x);
}

/** cel-go `Type.IsExactType`. */
export function isExactType(a: CelT, b: CelT): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.params.length !== b.params.length || a.name !== b.name) return false;
  for (let i = 0; i < a.params.length; i++) {
    if (!isExactType(a.params[i] as CelT, b.params[i] as CelT)) return false;
  }
  return true;
}

/** cel-go `Type.IsAssignableType` (the default rule; Gatehouse declares no wrapper types). */
export function isAssignableType(target: CelT, from: CelT): boolean {
  if (target === from || target.kind === 'dyn' || target.kind === 'any' || target.kind === 'typeParam') {
    return true;
  }
  if (target.kind !== from.kind || target.name !== from.name || target.params.length !== from.params.length) {
    return false;
  }
  for (let i = 0; i < target.params.length; i++) {
    if (!isAssignableType(target.params[i] as CelT, from.params[i] as CelT)) return false;
  }
  return true;
}

/** cel-go `FormatCELType`, so messages read like OpenFGA's. */
export function formatType(x: CelT): string {
  switch (x.kind) {
    case 'any':
      return 'any';
    case 'duration':
      return 'duration';
    case 'error':
      return '!error!';
    case 'null':
      return 'null';
    case 'timestamp':
      return 'timestamp';
    case 'typeParam':
      return x.name;
    case 'opaque':
      if (x.name === 'function') {
        return `(${x.params.slice(1).map(formatType).join(', ')}) -> ${formatType(x.params[0] as CelT)}`;
      }
      break;
    default:
      break;
  }
  if (x.params.length === 0) return x.name;
  return `${x.name}(${x.params.map(formatType).join(', ')})`;
}
