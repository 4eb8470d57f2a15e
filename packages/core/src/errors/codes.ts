/**
 * Every error Gatehouse raises carries one of these codes. The API-level codes reuse OpenFGA's
 * `ErrorCode` names (snake_case) so callers migrating from an OpenFGA server keep their handling;
 * codes OpenFGA has no equivalent for are Gatehouse's own.
 */
export const ERROR_CODES = {
  /** Generic invalid input (OpenFGA 2000). */
  validation_error: { openfga: 2000, status: 400 },
  /** The authorization model failed validation; see `diagnostics`. */
  invalid_authorization_model: { openfga: 2000, status: 400 },
  /** The DSL could not be parsed; see `diagnostics`. */
  invalid_dsl: { openfga: 2000, status: 400 },
  /** Resolution exceeded the depth limit (OpenFGA 2002). */
  authorization_model_resolution_too_complex: { openfga: 2002, status: 422 },
  /** A continuation token was malformed or belongs to another query (OpenFGA 2007). */
  invalid_continuation_token: { openfga: 2007, status: 400 },
  /** An object id or `type:id` string does not follow OpenFGA's rules (OpenFGA 2012). */
  invalid_object_format: { openfga: 2012, status: 400 },
  /** A type is not defined in the model (OpenFGA 2021). */
  type_not_found: { openfga: 2021, status: 400 },
  /** A relation is not defined on the type (OpenFGA 2022). */
  relation_not_found: { openfga: 2022, status: 400 },
  /** A user string is malformed or not allowed here (OpenFGA 2025). */
  invalid_user: { openfga: 2025, status: 400 },
  /** A tuple is malformed or not allowed by the model (OpenFGA 2027). */
  invalid_tuple: { openfga: 2027, status: 400 },
  /** A condition needed a parameter the context did not provide, or failed to evaluate. */
  condition_evaluation_error: { openfga: 2000, status: 400 },
  /** A bug: an unexpected failure. Callers deny. */
  internal: { openfga: 4000, status: 500 },
} as const satisfies Record<string, { readonly openfga: number; readonly status: number }>;

/** The closed union of Gatehouse error codes. */
export type GatehouseErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status an error code maps to: the one place transports read it from. */
export function httpStatusOf(code: GatehouseErrorCode): number {
  return ERROR_CODES[code].status;
}

/** The numeric OpenFGA `ErrorCode` value closest to a Gatehouse code. */
export function openfgaCodeOf(code: GatehouseErrorCode): number {
  return ERROR_CODES[code].openfga;
}
