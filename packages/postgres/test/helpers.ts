import { randomBytes } from 'node:crypto';
import { createAuthorizer, type Authorizer, type AuthorizationModel, type ChangeSet, type GatehouseError, type SnapshotData, type SnapshotSink, type TupleKey } from '@gatehouse/core';
import { parseDSL } from '@gatehouse/core/dsl';
import pg from 'pg';
import { createPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../src/index';

/**
 * Where the tests connect: `DATABASE_URL`, else the `PG*` variables when `PGHOST` is set, else the
 * local test server.
 */
export function connectionString(): string | undefined {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  if (process.env.PGHOST) return undefined;
  return 'postgres://postgres@127.0.0.1:5432/test';
}

/** A pool for test plumbing (dropping schemas, killing sessions, raw SQL). */
export function adminPool(max = 4): pg.Pool {
  const url = connectionString();
  const pool = new pg.Pool({ ...(url === undefined ? {} : { connectionString: url }), max, application_name: 'gatehouse-test' });
  pool.on('error', () => undefined);
  return pool;
}

/** A fresh schema name, unique per call. */
export function uniqueSchema(label: string): string {
  return `gh_test_${label}_${randomBytes(5).toString('hex')}`;
}

/** A migrated store in a fresh schema, and how to drop it. */
export interface TestDatabase {
  readonly schema: string;
  readonly store: PostgresStore;
  readonly admin: pg.Pool;
  /** Closes the store and the admin pool, and drops the schema. */
  drop(): Promise<void>;
}

/** Creates a fresh schema, migrates it, and returns a store on it. */
export async function testDatabase(label: string, options: Omit<PostgresStoreOptions, 'schema'> = {}): Promise<TestDatabase> {
  const schema = uniqueSchema(label);
  const url = connectionString();
  const store = createPostgresStore({ ...(url === undefined ? {} : { connectionString: url }), ...options, schema });
  const admin = adminPool();
  await store.migrate();
  return {
    schema,
    store,
    admin,
    async drop() {
      await store.close();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** The test model: users, teams, documents with a conditional viewer. */
export const MODEL: AuthorizationModel = parseDSL(`model
  schema 1.1
type user
type team
  relations
    define member: [user]
type doc
  relations
    define owner: [user]
    define viewer: [user, user:*, team#member, user with in_region] or owner
condition in_region(region: string, allowed: list<string>) {
  region in allowed
}`);

/** A second version of the model: adds an editor relation. */
export const MODEL_V2: AuthorizationModel = parseDSL(`model
  schema 1.1
type user
type team
  relations
    define member: [user]
type doc
  relations
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user, user:*, team#member, user with in_region] or editor
condition in_region(region: string, allowed: list<string>) {
  region in allowed
}`);

/** `doc:<id>#viewer@user:<user>`. */
export function viewer(doc: string | number, user: string | number): TupleKey {
  return { user: `user:${user}`, relation: 'viewer', object: `doc:${doc}` };
}

/** Every delivery a recording sink saw, in order. */
export type Delivery = { readonly kind: 'snapshot'; readonly to: string; readonly tuples: number } | { readonly kind: 'changes'; readonly from: string; readonly to: string; readonly writes: number; readonly deletes: number; readonly model: boolean };

/** An authorizer fed through a sink that records every delivery and error. */
export interface RecordingSink {
  readonly authorizer: Authorizer;
  readonly sink: SnapshotSink;
  readonly deliveries: Delivery[];
  readonly errors: GatehouseError[];
}

/** An authorizer without a source, and a sink that records what reaches it, then forwards. */
export function recordingSink(): RecordingSink {
  const authorizer = createAuthorizer({});
  const deliveries: Delivery[] = [];
  const errors: GatehouseError[] = [];
  const sink: SnapshotSink = {
    snapshot(data: SnapshotData) {
      authorizer.snapshot(data);
      deliveries.push({ kind: 'snapshot', to: data.revision, tuples: data.tuples.length });
    },
    changes(changes: ChangeSet) {
      authorizer.changes(changes);
      deliveries.push({ kind: 'changes', from: changes.from, to: changes.to, writes: changes.writes.length, deletes: changes.deletes.length, model: changes.model !== undefined });
    },
    error(error) {
      errors.push(error);
      authorizer.error(error);
    },
    heartbeat(revision) {
      authorizer.heartbeat?.(revision);
    },
  };
  return { authorizer, sink, deliveries, errors };
}

/** Every tuple of an authorizer's snapshot, as sorted `object#relation@user` strings. */
export function authorizerTuples(authorizer: Authorizer): string[] {
  const snapshot = authorizer.getSnapshot();
  if (snapshot === undefined) return [];
  return [...snapshot.store.tuples()].map((t) => `${t.object}#${t.relation}@${t.user}`).sort();
}

/** Every tuple of a store in the database, as sorted `object#relation@user` strings. */
export async function databaseTuples(db: pg.Pool, schema: string, storeId: string): Promise<string[]> {
  const { rows } = await db.query<{ k: string }>(
    `SELECT object_type || ':' || object_id || '#' || relation || '@' || subject AS k FROM "${schema}".tuples WHERE store_id = $1`,
    [storeId],
  );
  return rows.map((r) => r.k).sort();
}

/** Polls `predicate` until it holds or `timeoutMs` passes. */
export async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Checks that the deliveries form one chain: a snapshot, then change sets each starting where the
 * previous delivery ended (a full reload may restart the chain), so no revision is covered twice
 * or skipped. Returns the revisions covered by change sets, in order.
 */
export function assertChain(deliveries: readonly Delivery[]): { covered: bigint[] } {
  let at: bigint | undefined;
  const covered: bigint[] = [];
  for (const d of deliveries) {
    if (d.kind === 'snapshot') {
      at = BigInt(d.to);
      continue;
    }
    if (at === undefined) throw new Error('a change set arrived before any snapshot');
    if (BigInt(d.from) !== at) throw new Error(`change set ${d.from}→${d.to} does not start where the previous delivery ended (${at})`);
    if (BigInt(d.to) <= at) throw new Error(`change set ${d.from}→${d.to} does not advance`);
    for (let r = at + 1n; r <= BigInt(d.to); r++) covered.push(r);
    at = BigInt(d.to);
  }
  return { covered };
}
