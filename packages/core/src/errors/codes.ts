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
  /** The same tuple appears twice in one write (OpenFGA 2004). */
  cannot_allow_duplicate_tuples_in_one_request: { openfga: 2004, status: 400 },
  /** A continuation token was malformed or belongs to another query (OpenFGA 2007). */
  invalid_continuation_token: { openfga: 2007, status: 400 },
  /** An object id or `type:id` string does not follow OpenFGA's rules (OpenFGA 2012). */
  invalid_object_format: { openfga: 2012, status: 400 },
  /** A write of a tuple that exists, or a delete of one that does not (OpenFGA 2017). */
  write_failed_due_to_invalid_input: { openfga: 2017, status: 400 },
  /** A type is not defined in the model (OpenFGA 2021). */
  type_not_found: { openfga: 2021, status: 400 },
  /** A relation is not defined on the type (OpenFGA 2022). */
  relation_not_found: { openfga: 2022, status: 400 },
  /** A user string is malformed or not allowed here (OpenFGA 2025). */
  invalid_user: { openfga: 2025, status: 400 },
  /** A tuple is malformed or not allowed by the model (OpenFGA 2027). */
  invalid_tuple: { openfga: 2027, status: 400 },
  /** A store has no authorization model yet, so tuples cannot be validated or loaded (OpenFGA 2020). */
  latest_authorization_model_not_found: { openfga: 2020, status: 400 },
  /** No store has this id (OpenFGA 5002, not found). */
  store_id_not_found: { openfga: 5002, status: 404 },
  /** A condition needed a parameter the context did not provide, or failed to evaluate. */
  condition_evaluation_error: { openfga: 2000, status: 400 },
  /**
   * A snapshot payload is malformed: a bundle or change set (not JSON, wrong format or version, a
   * string index out of range, an invalid row) or a policy file (unreadable YAML, missing model).
   * The message names the row, path or file. Nothing is applied.
   */
  invalid_bundle: { openfga: 2000, status: 400 },
  /**
   * A snapshot source could not reach its upstream: network failure, timeout, HTTP error. The
   * last good snapshot stays in use and the source retries with backoff (OpenFGA 4010, unavailable).
   * A store raises it too when its database connection fails or the server aborts a transaction
   * (retry the call).
   */
  source_unavailable: { openfga: 4010, status: 503 },
  /**
   * A database's schema is not the version this code needs: not migrated yet (run `migrate()` or
   * `gatehouse migrate`), or migrated by newer code than this (upgrade before migrating). Nothing
   * is changed.
   */
  schema_version_mismatch: { openfga: 4000, status: 500 },
  /**
   * The authorizer has no snapshot to answer from: the first one has not loaded yet (see
   * `ready()`), or the authorizer was stopped before it did. Checks fail closed (OpenFGA 4010,
   * unavailable).
   */
  not_ready: { openfga: 4010, status: 503 },
  /**
   * The authorizer could not reach the revision a caller required (`atLeast`) within the timeout:
   * the decision is refused rather than made on older data (OpenFGA 4004, deadline exceeded).
   */
  consistency_timeout: { openfga: 4004, status: 504 },
  /**
   * The snapshot is older than `maxStaleness` allows (the source has not confirmed it for that
   * long) and the authorizer is set to deny then (`onStale: 'deny'`). OpenFGA 4010, unavailable.
   */
  stale_snapshot: { openfga: 4010, status: 503 },
  /**
   * A guarded request or render has no authenticated user (OpenFGA's `unauthenticated`, 1500).
   * Raised by the framework guards (`assert` of `@gatehouse/next`), never by a check.
   */
  unauthenticated: { openfga: 1500, status: 401 },
  /**
   * A guard refused: the user lacks the relation, or the check could not be made and so failed
   * closed. The `cause` holds the evaluation error, if any (OpenFGA's `forbidden`, 1600).
   */
  forbidden: { openfga: 1600, status: 403 },
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
