import { GatehouseError, isGatehouseError } from '@gatehouse/core';
import pg from 'pg';

/** The schema Gatehouse uses when none is given. */
export const DEFAULT_SCHEMA = 'gatehouse';

// Unquoted-identifier shape, so a schema name means the same in SQL, in psql and in logs; at most
// 63 bytes (NAMEDATALEN - 1), beyond which PostgreSQL would silently truncate it.
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * Checks a schema name and returns it quoted for SQL.
 *
 * @throws {GatehouseError} `validation_error` naming the schema.
 */
export function quoteSchema(schema: unknown): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.toLowerCase().startsWith('pg_')) {
    throw new GatehouseError(
      'validation_error',
      `schema: invalid schema name ${JSON.stringify(schema)} (expected a letter or _ then letters, digits or _, at most 63 characters, not starting with pg_)`,
    );
  }
  return quoteIdent(schema);
}

/** Quotes an identifier (doubling inner quotes), as PostgreSQL's `quote_ident`. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// OpenFGA's store id rule: a ULID.
const STORE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Checks a store id (a ULID, as OpenFGA's).
 *
 * @throws {GatehouseError} `validation_error` naming the id.
 */
export function checkStoreId(storeId: unknown): string {
  if (typeof storeId !== 'string' || !STORE_ID.test(storeId)) {
    throw new GatehouseError('validation_error', `storeId: invalid store id ${JSON.stringify(storeId)} (expected a ULID: 26 characters of Crockford base32)`);
  }
  return storeId;
}

/** Anything that runs a query: a pool, a pooled client, a client. */
export type Queryable = pg.Pool | pg.PoolClient | pg.ClientBase;

// SQLSTATE classes and codes that mean "the connection or the transaction is gone, try again":
// 08 connection exceptions, 57P01-57P03 shutdowns, 40001 serialization failure, 40P01 deadlock,
// 55P03 lock not available, 57014 canceled (statement_timeout), 53 insufficient resources.
const TRANSIENT_CLASSES = ['08', '53'];
const TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', '40001', '40P01', '55P03', '57014', '25P03']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** The SQLSTATE (or Node network code) of a driver error, if any. */
export function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * True for node-postgres's `query_timeout` error: no answer within the time the query config gave.
 * It has no code, and it leaves the query running on the connection (the driver only stops
 * waiting), so that connection must be dropped, not reused.
 */
export function isQueryTimeout(error: unknown): boolean {
  return error instanceof Error && !isGatehouseError(error) && error.message === 'Query read timeout';
}

/** True for an error that means PostgreSQL could not be reached or dropped the connection. */
export function isTransient(error: unknown): boolean {
  if (isQueryTimeout(error)) return true;
  const code = sqlState(error);
  if (code !== undefined) {
    if (NETWORK_CODES.has(code) || TRANSIENT_CODES.has(code)) return true;
    if (code.length === 5 && TRANSIENT_CLASSES.includes(code.slice(0, 2))) return true;
  }
  const message = error instanceof Error ? error.message : '';
  // node-postgres reports a lost socket without a code ("timeout expired": a client's connectionTimeoutMillis).
  return /Connection terminated|connection timeout|timeout expired|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|Cannot use a pool after calling end/i.test(message);
}

/**
 * Turns anything a database call threw into a {@link GatehouseError}: typed errors pass through,
 * lost connections and aborted transactions become `source_unavailable` (retryable), the rest
 * `internal` (a bug, or a database that is not what this code expects).
 */
export function toStoreError(error: unknown, what: string): GatehouseError {
  if (isGatehouseError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const code = sqlState(error);
  const detail = code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : '';
  if (isTransient(error)) {
    return new GatehouseError('source_unavailable', `${what}: PostgreSQL is unavailable: ${reason}${detail}`, { cause: error });
  }
  if (code === '42P01' || code === '3F000') {
    return new GatehouseError('schema_version_mismatch', `${what}: the Gatehouse tables are missing: ${reason}; run migrate() or \`gatehouse migrate\``, { cause: error });
  }
  return new GatehouseError('internal', `internal error: ${what}: ${reason}${detail}`, { cause: error });
}

/**
 * Listens for the `error` event of a client checked out of a pool. node-postgres emits one when
 * the server cuts the connection between queries (a restart, `pg_terminate_backend`); with no
 * listener it would end the process, and the pool only listens to idle clients. Returns a
 * function that stops listening and tells whether the connection failed meanwhile.
 */
export function guardClient(client: pg.ClientBase): () => boolean {
  let failed = false;
  const onError = () => {
    failed = true;
  };
  client.on('error', onError);
  return () => {
    client.removeListener('error', onError);
    return failed;
  };
}

/**
 * A pool the store or source opens for itself (no `pool` option given). An idle connection the
 * server cuts (restart, `pg_terminate_backend`) is dropped from the pool and the next query opens
 * a new one; the failure reaches callers through that query. Without an `error` listener the
 * event would end the process. `connectTimeoutMs` bounds opening a connection (and, since the pool
 * applies it there too, waiting for a free one: only for pools with one user at a time).
 * `keepAliveDelayMs` is the idle time before the first TCP keepalive probe (the OS default is 2 h).
 */
export function ownedPool(connectionString: string | undefined, max: number, applicationName: string, connectTimeoutMs?: number, keepAliveDelayMs?: number): pg.Pool {
  const pool = new pg.Pool({
    ...(connectionString === undefined ? {} : { connectionString }),
    max,
    keepAlive: true,
    ...(keepAliveDelayMs === undefined ? {} : { keepAliveInitialDelayMillis: keepAliveDelayMs }),
    application_name: applicationName,
    ...(connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: connectTimeoutMs }),
  });
  pool.on('error', () => undefined);
  return pool;
}
