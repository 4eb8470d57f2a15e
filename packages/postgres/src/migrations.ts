import { GatehouseError } from '@gatehouse/core';
import type pg from 'pg';

/** One schema migration: a version, a name, and the SQL that applies it to a schema. */
interface Migration {
  readonly version: number;
  readonly name: string;
  /** The DDL, given the quoted schema name. Runs inside the migration transaction. */
  readonly up: (s: string) => string;
}

// Append only: a released migration never changes; a new schema change is a new version.
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'stores, models, tuples and changelog',
    up: (s) => `
CREATE TABLE ${s}.stores (
  id text PRIMARY KEY,
  name text NOT NULL,
  -- The revision counter: every change takes the next value while holding this row's lock, so
  -- revisions are gapless and in commit order (see PostgresStore.write).
  revision bigint NOT NULL DEFAULT 0,
  -- The latest model; NULL until the first writeModel.
  model_id text,
  -- The changelog holds every revision greater than this one (compaction raises it).
  retained_after bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- No foreign keys to stores below: a write holds the store row's lock and deleteStore takes it
-- too, so they cannot interleave; per-row key checks would only slow writes and bulk loads.
CREATE TABLE ${s}.models (
  store_id text NOT NULL,
  id text NOT NULL,
  revision bigint NOT NULL,
  model jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (store_id, id)
);

CREATE TABLE ${s}.tuples (
  store_id text NOT NULL,
  object_type text NOT NULL,
  object_id text NOT NULL,
  relation text NOT NULL,
  -- The user: type:id, type:* or type:id#relation ("user" is reserved in SQL).
  subject text NOT NULL,
  condition_name text,
  condition_context jsonb,
  -- The revision that wrote the tuple.
  revision bigint NOT NULL,
  PRIMARY KEY (store_id, object_type, object_id, relation, subject)
);

-- Reads by user (readTuples({ user, object: 'type:' })).
CREATE INDEX tuples_by_subject ON ${s}.tuples (store_id, subject, object_type, relation);

CREATE TABLE ${s}.changelog (
  store_id text NOT NULL,
  revision bigint NOT NULL,
  -- The position within the revision.
  seq integer NOT NULL,
  op text NOT NULL CHECK (op IN ('write', 'delete', 'model')),
  object_type text,
  object_id text,
  relation text,
  subject text,
  condition_name text,
  condition_context jsonb,
  model_id text,
  -- clock_timestamp(), not now(): taken under the store's row lock, so it follows revision order.
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (store_id, revision, seq),
  CHECK ((op = 'model') = (model_id IS NOT NULL)),
  CHECK ((op = 'model') = (object_type IS NULL))
);
`,
  },
];

/** The schema version this code needs and migrates to. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** What `migrate()` did (`PostgresStore.migrate`, `gatehouse migrate`). */
export interface MigrateResult {
  /** The schema name. */
  readonly schema: string;
  /** The version before (0 for a database without the schema). */
  readonly from: number;
  /** The version after: this code's {@link SCHEMA_VERSION}. */
  readonly to: number;
  /** The migrations applied, oldest first (`"1 stores, models, tuples and changelog"`); empty when up to date. */
  readonly applied: readonly string[];
}

// Both halves of the advisory lock key: one constant for Gatehouse migrations, one per schema.
const LOCK_NAMESPACE = 'gatehouse.migrate';

/**
 * Brings `schema` to {@link SCHEMA_VERSION}: one transaction under a transaction-scoped advisory
 * lock per schema, so concurrent migrators (many services starting at once) apply each migration
 * once and the others then find nothing to do. DDL is transactional in PostgreSQL: a failed
 * migration leaves nothing behind.
 *
 * @throws {GatehouseError} `schema_version_mismatch` when the schema is newer than this code.
 */
export async function migrate(client: pg.ClientBase, schemaName: string, quoted: string): Promise<MigrateResult> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [LOCK_NAMESPACE, schemaName]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoted}.schema_migrations`);
    const from = rows[0]?.version ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new GatehouseError(
        'schema_version_mismatch',
        `schema ${schemaName} is at version ${from}, newer than this code's ${SCHEMA_VERSION}: upgrade @gatehouse/postgres before migrating`,
      );
    }
    const applied: string[] = [];
    for (const m of MIGRATIONS) {
      if (m.version <= from) continue;
      await client.query(m.up(quoted));
      await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(`${m.version} ${m.name}`);
    }
    await client.query('COMMIT');
    return { schema: schemaName, from, to: Math.max(from, SCHEMA_VERSION), applied };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * The schema version a database holds: 0 when it has no Gatehouse schema.
 */
export async function schemaVersion(db: pg.Pool | pg.ClientBase, quoted: string): Promise<number> {
  const exists = await db.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [`${quoted}.schema_migrations`]);
  if (exists.rows[0]?.present !== true) return 0;
  const { rows } = await db.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoted}.schema_migrations`);
  return rows[0]?.version ?? 0;
}
