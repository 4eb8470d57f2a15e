import type { ConditionParamTypeRef } from '../model/types';

/**
 * The outcome of evaluating a condition for one tuple.
 *
 * - `{ met }`: every declared parameter had a value and the expression evaluated to `met`.
 * - `{ met: false, missingParameters }`: some declared parameters had no value in the tuple's or
 *   the request's context. OpenFGA treats this as an evaluation error for that tuple (error code
 *   2000), not as `false`; see the conditions guide for how the engine combines it.
 */
export type ConditionResult =
  | { readonly met: boolean; readonly missingParameters?: undefined }
  | { readonly met: false; readonly missingParameters: readonly string[] };

/** Every condition of a model, compiled once and ready to evaluate. */
export interface ConditionSet {
  /** The condition names, in model order. */
  readonly names: readonly string[];

  /** True when the model defines a condition with this name. */
  has(name: string): boolean;

  /**
   * Evaluates condition `name` for a tuple. Contexts hold parameter values by name as JSON-like
   * data (numbers, strings, booleans, null, arrays, plain objects), plus `bigint` for
   * `int`/`uint` and `Date` for `timestamp` (the store's `ConditionContext` shape).
   *
   * The tuple's context and the request's context are merged with the tuple's values winning;
   * only declared parameters are read; each value is converted to its declared type.
   *
   * @param name - The condition name the tuple carries.
   * @param tupleContext - The context stored with the tuple, if any.
   * @param requestContext - The context of the check / list request, if any.
   * @returns `{ met }`, or `{ met: false, missingParameters }` when parameters have no value.
   * @throws GatehouseError `condition_evaluation_error` when the condition is unknown, a value
   *   has the wrong type (the message names the condition and parameter), or CEL evaluation
   *   fails (overflow, missing map key, bad CIDR...).
   */
  evaluate(
    name: string,
    tupleContext: Readonly<Record<string, unknown>> | undefined,
    requestContext: Readonly<Record<string, unknown>> | undefined,
  ): ConditionResult;

  /**
   * Checks a tuple's own context against condition `name` the way OpenFGA validates a tuple on
   * write (and filters stored tuples on read): every key must be a declared parameter and every
   * value must convert to its declared type.
   *
   * @returns `undefined` when the context is acceptable, otherwise the reason (OpenFGA reports
   *   it as a `validation_error`).
   */
  checkTupleContext(name: string, context: Readonly<Record<string, unknown>> | undefined): string | undefined;
}

/** Any JSON value: what an `any` parameter accepts. */
export type ConditionJsonValue =
  | null
  | boolean
  | number
  | string
  | readonly ConditionJsonValue[]
  | { readonly [key: string]: ConditionJsonValue };

/**
 * The context value accepted for each scalar parameter type. It matches the typed-model
 * `ConditionParamValue` (model/typed): timestamps also take a `Date`, integers a `bigint`.
 */
interface RefScalarValues {
  TYPE_NAME_UNSPECIFIED: ConditionJsonValue;
  TYPE_NAME_ANY: ConditionJsonValue;
  TYPE_NAME_BOOL: boolean;
  TYPE_NAME_STRING: string;
  TYPE_NAME_INT: number | bigint;
  TYPE_NAME_UINT: number | bigint;
  TYPE_NAME_DOUBLE: number;
  TYPE_NAME_DURATION: string;
  TYPE_NAME_TIMESTAMP: Date | string;
  TYPE_NAME_IPADDRESS: string;
  TYPE_NAME_MAP: { readonly [key: string]: ConditionJsonValue };
  TYPE_NAME_LIST: readonly ConditionJsonValue[];
}

/**
 * The context value accepted for a parameter declared with a JSON {@link ConditionParamTypeRef},
 * for models known statically (`as const`); `list<T>` and `map<T>` follow their generic type.
 */
export type ConditionRefValue<R extends ConditionParamTypeRef> = R['type_name'] extends 'TYPE_NAME_LIST'
  ? R['generic_types'] extends readonly [infer E extends ConditionParamTypeRef, ...unknown[]]
    ? readonly ConditionRefValue<E>[]
    : RefScalarValues['TYPE_NAME_LIST']
  : R['type_name'] extends 'TYPE_NAME_MAP'
    ? R['generic_types'] extends readonly [infer E extends ConditionParamTypeRef, ...unknown[]]
      ? { readonly [key: string]: ConditionRefValue<E> }
      : RefScalarValues['TYPE_NAME_MAP']
    : RefScalarValues[R['type_name']];

/**
 * A typed context for a condition whose JSON `parameters` are known statically (`as const`).
 * Every key is optional: the tuple's and the request's context each supply part of it.
 *
 * @example
 * ```ts
 * const params = { x: { type_name: 'TYPE_NAME_INT' } } as const;
 * const ctx: ConditionContextOf<typeof params> = { x: 10 };
 * ```
 */
export type ConditionContextOf<P extends Readonly<Record<string, ConditionParamTypeRef>>> = {
  readonly [K in keyof P]?: ConditionRefValue<P[K]>;
};
