import { isGatehouseError } from '@gatehouse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, SCHEMA_VERSION } from '../src/index';
import { adminPool, connectionString, uniqueSchema } from './helpers';

const url = connectionString();
const base = url === undefined ? {} : { connectionString: url };
const admin = adminPool();
const schemas: string[] = [];

function schema(label: string): string {
  const name = uniqueSchema(label);
  schemas.push(name);
  return name;
}

async function tables(name: string): Promise<string[]> {
  const { rows } = await admin.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [name]);
  return rows.map((r) => r.table_name);
}

beforeAll(async () => {
  await admin.query('SELECT 1');
});

afterAll(async () => {
  for (const name of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  await admin.end();
});

describe('migrate', () => {
  it('creates the schema from nothing, then finds nothing to do', async () => {
    const name = schema('fresh');
    const store = createPostgresStore({ ...base, schema: name });
    try {
      expect(await store.schemaVersion()).toBe(0);
      const first = await store.migrate();
      expect(first).toEqual({ schema: name, from: 0, to: SCHEMA_VERSION, applied: ['1 stores, models, tuples and changelog'] });
      expect(await tables(name)).toEqual(['changelog', 'models', 'schema_migrations', 'stores', 'tuples']);
      const second = await store.migrate();
      expect(second).toEqual({ schema: name, from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
      expect(await store.schemaVersion()).toBe(SCHEMA_VERSION);
      const { rows } = await admin.query(`SELECT version, name FROM "${name}".schema_migrations`);
      expect(rows).toEqual([{ version: 1, name: 'stores, models, tuples and changelog' }]);
    } finally {
      await store.close();
    }
  });

  it('lets concurrent migrators race: each migration is applied exactly once and all succeed', async () => {
    const name = schema('race');
    const stores = Array.from({ length: 6 }, () => createPostgresStore({ ...base, schema: name }));
    try {
      const results = await Promise.all(stores.map((s) => s.migrate()));
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
      expect(results.every((r) => r.to === SCHEMA_VERSION)).toBe(true);
      const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${name}".schema_migrations`);
      expect(rows[0].n).toBe(1);
      // And the schema works for every one of them.
      const created = await Promise.all(stores.map((s, i) => s.createStore(`store ${i}`)));
      expect(new Set(created.map((c) => c.id)).size).toBe(6);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('refuses a schema migrated by newer code, changing nothing', async () => {
    const name = schema('newer');
    const store = createPostgresStore({ ...base, schema: name });
    try {
      await store.migrate();
      await admin.query(`INSERT INTO "${name}".schema_migrations (version, name) VALUES (999, 'from the future')`);
      const error = await store.migrate().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isGatehouseError(error) && error.code).toBe('schema_version_mismatch');
      expect(String((error as Error).message)).toContain('version 999');
      const { rows } = await admin.query(`SELECT max(version)::int AS v FROM "${name}".schema_migrations`);
      expect(rows[0].v).toBe(999);
    } finally {
      await store.close();
    }
  });

  it('refuses to work on a database that was not migrated, with a typed error', async () => {
    const name = schema('unmigrated');
    const store = createPostgresStore({ ...base, schema: name });
    try {
      await expect(store.createStore('x')).rejects.toMatchObject({ code: 'schema_version_mismatch' });
      await expect(store.listStores()).rejects.toMatchObject({ code: 'schema_version_mismatch' });
      // Migrating afterwards makes the same store object usable: the failed check is not cached.
      await store.migrate();
      await expect(store.createStore('x')).resolves.toMatchObject({ name: 'x', revision: '0' });
    } finally {
      await store.close();
    }
  });

  it('validates the schema name before it gets near SQL', () => {
    for (const bad of ['', 'has space', 'drop"table', '1abc', 'pg_catalog', 'a'.repeat(64), 'x; DROP SCHEMA public']) {
      expect(() => createPostgresStore({ ...base, schema: bad })).toThrow(expect.objectContaining({ code: 'validation_error' }));
    }
  });

  it('reports an unreachable server as source_unavailable', async () => {
    const store = createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: 'gatehouse' });
    try {
      await expect(store.migrate()).rejects.toMatchObject({ code: 'source_unavailable' });
      await expect(store.getStore('01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toMatchObject({ code: 'source_unavailable' });
    } finally {
      await store.close();
    }
  });
});
