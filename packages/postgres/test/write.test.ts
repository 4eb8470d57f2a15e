import { isGatehouseError, ModelValidationError, type TupleKey } from '@gatehouse/core';
import { parseDSL } from '@gatehouse/core/dsl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../src/index';
import { adminPool, MODEL, MODEL_V2, testDatabase, viewer, type TestDatabase } from './helpers';

let db: TestDatabase;

beforeAll(async () => {
  db = await testDatabase('write');
});

afterAll(async () => {
  await db?.drop();
});

/** A store with the test model, at revision 1. */
async function storeWithModel(name = 'acme'): Promise<string> {
  const { id } = await db.store.createStore(name);
  await db.store.writeModel(id, MODEL);
  return id;
}

/** Everything the database holds for a store: its revision, tuples, changelog and models. */
async function state(storeId: string) {
  const s = `"${db.schema}"`;
  const [store, tuples, changelog, models] = await Promise.all([
    db.admin.query(`SELECT revision FROM ${s}.stores WHERE id = $1`, [storeId]),
    db.admin.query(`SELECT count(*)::int AS n FROM ${s}.tuples WHERE store_id = $1`, [storeId]),
    db.admin.query(`SELECT count(*)::int AS n FROM ${s}.changelog WHERE store_id = $1`, [storeId]),
    db.admin.query(`SELECT count(*)::int AS n FROM ${s}.models WHERE store_id = $1`, [storeId]),
  ]);
  return { revision: store.rows[0]?.revision as string, tuples: tuples.rows[0].n as number, changelog: changelog.rows[0].n as number, models: models.rows[0].n as number };
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isGatehouseError(error)) throw new Error(`expected a GatehouseError, got ${String(error)}`);
  return { code: error.code, message: error.message };
}

describe('stores', () => {
  it('creates, reads, lists and deletes stores', async () => {
    const a = await db.store.createStore('alpha');
    const b = await db.store.createStore('beta');
    expect(a).toMatchObject({ name: 'alpha', revision: '0', modelId: undefined, oldestRetained: '1' });
    expect(a.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(await db.store.getStore(a.id)).toEqual(a);
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await db.store.listStores({ pageSize: 1, ...(token === undefined ? {} : { continuationToken: token }) });
      listed.push(...page.stores.map((s) => s.id));
      token = page.continuationToken;
    } while (token !== undefined);
    expect(listed).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(await db.store.deleteStore(b.id)).toBe(true);
    expect(await db.store.deleteStore(b.id)).toBe(false);
    expect(await db.store.getStore(b.id)).toBeUndefined();
    expect((await rejection(db.store.write(b.id, { writes: [viewer(1, 'x')] }))).code).toBe('store_id_not_found');
  });

  it('rejects bad store ids, names and tokens with typed errors', async () => {
    expect((await rejection(db.store.getStore('nope'))).code).toBe('validation_error');
    expect((await rejection(db.store.createStore(''))).code).toBe('validation_error');
    expect((await rejection(db.store.createStore('a\u0000b'))).code).toBe('validation_error');
    expect((await rejection(db.store.listStores({ continuationToken: 'garbage' }))).code).toBe('invalid_continuation_token');
    expect((await rejection(db.store.listStores({ pageSize: 0 }))).code).toBe('validation_error');
  });

  it('keeps stores apart: tuples, models and revisions are per store', async () => {
    const a = await storeWithModel('iso-a');
    const b = await storeWithModel('iso-b');
    const ra = await db.store.write(a, { writes: [viewer(1, 'anne'), viewer(2, 'anne')] });
    const rb = await db.store.write(b, { writes: [viewer(1, 'bob')] });
    expect(ra).toBe('2');
    expect(rb).toBe('2');
    expect((await db.store.readTuples(a)).tuples).toEqual([viewer(1, 'anne'), viewer(2, 'anne')]);
    expect((await db.store.readTuples(b)).tuples).toEqual([viewer(1, 'bob')]);
    // The same tuple may exist in two stores.
    await db.store.write(b, { writes: [viewer(1, 'anne')] });
    await db.store.write(a, { deletes: [viewer(1, 'anne')] });
    expect((await db.store.readTuples(b)).tuples).toContainEqual(viewer(1, 'anne'));
    expect((await db.store.readTuples(a)).tuples).toEqual([viewer(2, 'anne')]);
  });
});

describe('models', () => {
  it('versions models: each write is a new model at a new revision, the latest validates writes', async () => {
    const { id } = await db.store.createStore('models');
    expect(await db.store.readModel(id)).toBeUndefined();
    const v1 = await db.store.writeModel(id, MODEL);
    const v2 = await db.store.writeModel(id, JSON.stringify(MODEL_V2));
    expect(v1.revision).toBe('1');
    expect(v2.revision).toBe('2');
    expect(v1.modelId).not.toBe(v2.modelId);
    const latest = await db.store.readModel(id);
    expect(latest).toMatchObject({ id: v2.modelId, revision: '2' });
    expect(latest?.model.id).toBe(v2.modelId);
    expect(latest?.model.type_definitions.find((t) => t.type === 'doc')?.relations).toHaveProperty('editor');
    expect((await db.store.readModel(id, v1.modelId))?.model.type_definitions.find((t) => t.type === 'doc')?.relations).not.toHaveProperty('editor');
    expect((await db.store.readModels(id)).map((m) => m.id)).toEqual([v2.modelId, v1.modelId]);
    expect((await db.store.getStore(id))?.modelId).toBe(v2.modelId);

    const editor: TupleKey = { user: 'user:anne', relation: 'editor', object: 'doc:1' };
    // `editor` exists in the latest model only.
    await expect(db.store.write(id, { writes: [editor] })).resolves.toBe('3');
    expect((await rejection(db.store.write(id, { writes: [{ ...editor, user: 'user:bob' }] }, { modelId: v1.modelId }))).code).toBe('invalid_tuple');
    expect((await rejection(db.store.write(id, { writes: [viewer(1, 'x')] }, { modelId: 'NOPE' }))).code).toBe('validation_error');
  });

  it('rejects an invalid model with every diagnostic, writing nothing', async () => {
    const { id } = await db.store.createStore('bad-model');
    const bad = { schema_version: '1.1', type_definitions: [{ type: 'doc', relations: { viewer: { computedUserset: { relation: 'missing' } } }, metadata: null }] };
    const error = await db.store.writeModel(id, bad as never).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelValidationError);
    expect((error as ModelValidationError).code).toBe('invalid_authorization_model');
    expect((error as ModelValidationError).diagnostics.length).toBeGreaterThan(0);
    expect((await rejection(db.store.writeModel(id, '{not json'))).code).toBe('invalid_authorization_model');
    expect(await state(id)).toEqual({ revision: '0', tuples: 0, changelog: 0, models: 0 });
  });

  it('needs a model before tuples can be written', async () => {
    const { id } = await db.store.createStore('no-model');
    const e = await rejection(db.store.write(id, { writes: [viewer(1, 'anne')] }));
    expect(e.code).toBe('latest_authorization_model_not_found');
    expect(await state(id)).toEqual({ revision: '0', tuples: 0, changelog: 0, models: 0 });
  });
});

describe('write', () => {
  it('writes and deletes in one revision, logging each change', async () => {
    const id = await storeWithModel();
    const r1 = await db.store.write(id, { writes: [viewer(1, 'anne'), viewer(1, 'bob')] });
    const r2 = await db.store.write(id, { writes: [viewer(2, 'carl')], deletes: [viewer(1, 'bob')] });
    expect([r1, r2]).toEqual(['2', '3']);
    expect((await db.store.readTuples(id)).tuples).toEqual([viewer(1, 'anne'), viewer(2, 'carl')]);
    const { changes, revision, head, oldestRetained } = await db.store.readChanges(id, { since: 0 });
    expect({ revision, head, oldestRetained }).toEqual({ revision: '3', head: '3', oldestRetained: '1' });
    expect(changes.map((c) => [c.revision, c.operation, c.operation === 'model' ? c.modelId.length : `${c.tuple.object}@${c.tuple.user}`])).toEqual([
      ['1', 'model', 26],
      ['2', 'write', 'doc:1@user:anne'],
      ['2', 'write', 'doc:1@user:bob'],
      ['3', 'delete', 'doc:1@user:bob'],
      ['3', 'write', 'doc:2@user:carl'],
    ]);
    expect((await db.store.readChanges(id, { since: 1, limit: 1 })).changes.map((c) => c.revision)).toEqual(['2', '2']);
  });

  it('stores conditions with their context and reads them back', async () => {
    const id = await storeWithModel();
    const conditional: TupleKey = { user: 'user:dana', relation: 'viewer', object: 'doc:9', condition: { name: 'in_region', context: { allowed: ['eu', 'us'] } } };
    await db.store.write(id, { writes: [conditional, { user: 'team:core#member', relation: 'viewer', object: 'doc:9' }, { user: 'user:*', relation: 'viewer', object: 'doc:8' }] });
    const { tuples } = await db.store.readTuples(id, { object: 'doc:9' });
    expect(tuples).toEqual([{ user: 'team:core#member', relation: 'viewer', object: 'doc:9' }, conditional]);
    const changes = await db.store.readChanges(id);
    expect(changes.changes.find((c) => c.operation === 'write' && c.tuple.user === 'user:dana')).toMatchObject({ tuple: conditional });
  });

  it.each([
    ['an undefined type', { user: 'user:anne', relation: 'viewer', object: 'folder:1' }, 'invalid_tuple', "type 'folder' not found"],
    ['an undefined relation', { user: 'user:anne', relation: 'writer', object: 'doc:1' }, 'invalid_tuple', "relation 'doc#writer' not found"],
    ['a user type the relation does not allow', { user: 'team:core', relation: 'owner', object: 'doc:1' }, 'invalid_tuple', 'not an allowed type restriction'],
    ['an undefined condition', { user: 'user:anne', relation: 'viewer', object: 'doc:1', condition: { name: 'nope' } }, 'validation_error', "undefined condition 'nope'"],
    ['a context parameter the condition lacks', { user: 'user:anne', relation: 'viewer', object: 'doc:1', condition: { name: 'in_region', context: { colour: 'red' } } }, 'validation_error', 'colour'],
    ['a malformed object', { user: 'user:anne', relation: 'viewer', object: 'doc' }, 'invalid_object_format', 'writes[1]'],
    ['a malformed user', { user: 'anne', relation: 'viewer', object: 'doc:1' }, 'invalid_user', 'writes[1]'],
  ])('rejects %s, naming it, and writes nothing of the request', async (_what, bad, code, text) => {
    const id = await storeWithModel();
    await db.store.write(id, { writes: [viewer(0, 'zero')] });
    const before = await state(id);
    // The first tuple is fine: all or nothing means it is not written either.
    const e = await rejection(db.store.write(id, { writes: [viewer(1, 'fine'), bad as TupleKey] }));
    expect(e.code).toBe(code);
    expect(e.message).toContain(text);
    expect(await state(id)).toEqual(before);
  });

  it('follows OpenFGA: writing an existing tuple or deleting a missing one fails the whole write', async () => {
    const id = await storeWithModel();
    await db.store.write(id, { writes: [viewer(1, 'anne')] });
    const before = await state(id);
    const dup = await rejection(db.store.write(id, { writes: [viewer(2, 'new'), viewer(1, 'anne')] }));
    expect(dup).toEqual({ code: 'write_failed_due_to_invalid_input', message: "cannot write a tuple which already exists: 'doc:1#viewer@user:anne'" });
    const missing = await rejection(db.store.write(id, { writes: [viewer(3, 'new')], deletes: [viewer(1, 'ghost')] }));
    expect(missing).toEqual({ code: 'write_failed_due_to_invalid_input', message: "cannot delete a tuple which does not exist: 'doc:1#viewer@user:ghost'" });
    expect(await state(id)).toEqual(before);
  });

  it('rejects the same tuple twice in one request, even as a write and a delete', async () => {
    const id = await storeWithModel();
    await db.store.write(id, { writes: [viewer(1, 'anne')] });
    const before = await state(id);
    expect((await rejection(db.store.write(id, { writes: [viewer(2, 'bob'), viewer(2, 'bob')] }))).code).toBe('cannot_allow_duplicate_tuples_in_one_request');
    expect((await rejection(db.store.write(id, { writes: [viewer(1, 'anne')], deletes: [viewer(1, 'anne')] }))).code).toBe('cannot_allow_duplicate_tuples_in_one_request');
    expect(await state(id)).toEqual(before);
  });

  it('skips identical duplicates and missing deletes when asked, still refusing a changed condition', async () => {
    const id = await storeWithModel();
    const conditional: TupleKey = { user: 'user:anne', relation: 'viewer', object: 'doc:1', condition: { name: 'in_region', context: { allowed: ['eu'] } } };
    const r1 = await db.store.write(id, { writes: [conditional] });
    const r2 = await db.store.write(id, { writes: [conditional, viewer(2, 'bob')], deletes: [viewer(3, 'ghost')] }, { onDuplicate: 'ignore', onMissing: 'ignore' });
    expect(BigInt(r2)).toBe(BigInt(r1) + 1n);
    expect((await db.store.readTuples(id)).tuples).toHaveLength(2);
    // Nothing to do: no revision is taken, the current one comes back.
    const r3 = await db.store.write(id, { writes: [conditional], deletes: [viewer(4, 'ghost')] }, { onDuplicate: 'ignore', onMissing: 'ignore' });
    expect(r3).toBe(r2);
    expect((await state(id)).revision).toBe(r2);
    const changed = { ...conditional, condition: { name: 'in_region', context: { allowed: ['us'] } } };
    const e = await rejection(db.store.write(id, { writes: [changed] }, { onDuplicate: 'ignore' }));
    expect(e.code).toBe('write_failed_due_to_invalid_input');
    expect(e.message).toContain('different condition');
    expect((await rejection(db.store.write(id, { writes: [viewer(5, 'x')] }, { onDuplicate: 'sometimes' as never }))).code).toBe('validation_error');
  });

  it('rejects empty and oversized writes', async () => {
    const id = await storeWithModel();
    expect((await rejection(db.store.write(id, {}))).code).toBe('validation_error');
    expect((await rejection(db.store.write(id, { writes: 'nope' as never }))).code).toBe('invalid_tuple');
    const small = createPostgresStore({ pool: db.store.pool, schema: db.schema, maxTuplesPerWrite: 2 });
    expect((await rejection(small.write(id, { writes: [viewer(1, 'a'), viewer(1, 'b'), viewer(1, 'c')] }))).message).toContain('maxTuplesPerWrite');
    await small.close();
    expect((await state(id)).tuples).toBe(0);
  });

  it("runs inside the caller's transaction: a rollback undoes the write and gives its revision back", async () => {
    const id = await storeWithModel();
    const client = await db.store.pool.connect();
    try {
      await client.query('BEGIN');
      const revision = await db.store.write(id, { writes: [viewer(1, 'anne')] }, { client });
      expect(revision).toBe('2');
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await expect(db.store.write(id, { writes: [viewer(1, 'bob')] }, { client })).resolves.toBe('2');
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect((await db.store.readTuples(id)).tuples).toEqual([viewer(1, 'bob')]);
    expect((await db.store.readChanges(id)).changes.filter((c) => c.operation === 'write')).toHaveLength(1);
  });

  it('refuses what PostgreSQL cannot store with the typed error of the part, writing nothing', async () => {
    const id = await storeWithModel();
    await db.store.write(id, { writes: [viewer(0, 'zero')] });
    const before = await state(id);
    const nul = '\u0000';
    const cases: [string, Promise<unknown>, string, string][] = [
      ['a NUL in a deleted relation', db.store.write(id, { deletes: [{ ...viewer(0, 'zero'), relation: `vie${nul}wer` }] }), 'invalid_tuple', 'deletes[0]'],
      ['a NUL in a deleted object type', db.store.write(id, { deletes: [{ ...viewer(0, 'zero'), object: `d${nul}oc:0` }] }), 'invalid_object_format', 'deletes[0]'],
      ['a NUL in a deleted user type', db.store.write(id, { deletes: [{ ...viewer(0, 'zero'), user: `us${nul}er:zero` }] }), 'invalid_user', 'deletes[0]'],
      [
        'a NUL in a context value',
        db.store.write(id, { writes: [viewer(1, 'fine'), { ...viewer(1, 'dana'), condition: { name: 'in_region', context: { allowed: [`e${nul}u`] } } }] }),
        'validation_error',
        'writes[1]',
      ],
      [
        'a context JSON cannot hold',
        db.store.write(id, { writes: [{ ...viewer(1, 'dana'), condition: { name: 'in_region', context: { allowed: [1n as unknown as string] } } }] }),
        'validation_error',
        'writes[0]',
      ],
      ['a NUL in a relation filter', db.store.readTuples(id, { relation: `a${nul}` }), 'validation_error', 'relation'],
      ['a NUL in a user filter', db.store.readTuples(id, { user: `us${nul}er:a` }), 'invalid_user', 'user'],
      ['a NUL in an object filter', db.store.readTuples(id, { object: `d${nul}oc:` }), 'invalid_object_format', 'object'],
      ['a NUL in a model id', db.store.readModel(id, `x${nul}`), 'validation_error', 'modelId'],
      ['a NUL in a model', db.store.writeModel(id, { ...MODEL, type_definitions: [...MODEL.type_definitions, { type: `fol${nul}der` }] }), 'validation_error', 'model'],
    ];
    for (const [what, promise, code, text] of cases) {
      const e = await rejection(promise);
      expect({ what, code: e.code }).toEqual({ what, code });
      expect(e.message).toContain(text);
    }
    expect(await state(id)).toEqual(before);
  });

  it('rejects an implicit tuple (object#relation as its own user), as OpenFGA does', async () => {
    const { id } = await db.store.createStore('implicit');
    await db.store.writeModel(id, parseDSL('model\n  schema 1.1\ntype user\ntype team\n  relations\n    define member: [user, team#member]\n'));
    const before = await state(id);
    const e = await rejection(db.store.write(id, { writes: [{ user: 'user:anne', relation: 'member', object: 'team:a' }, { user: 'team:core#member', relation: 'member', object: 'team:core' }] }));
    expect(e).toEqual({ code: 'validation_error', message: "invalid tuple 'team:core#member@team:core#member': cannot write a tuple that is implicit" });
    expect(await state(id)).toEqual(before);
    // Another team's members, and deletes, are fine.
    await expect(db.store.write(id, { writes: [{ user: 'team:other#member', relation: 'member', object: 'team:core' }] })).resolves.toBe('2');
  });

  it('treats SQL-looking input and awkward JSON as data', async () => {
    const id = await storeWithModel();
    const context = { allowed: ["eu'); DROP TABLE tuples; --", 'a"b\\c{},NULL', '', 'NULL', 'ünï€ode'] };
    const sneaky: TupleKey = { user: 'user:o_brien', relation: 'viewer', object: 'doc:x|y@z.w+v/u-t', condition: { name: 'in_region', context } };
    await db.store.write(id, { writes: [sneaky, viewer('plain', 'p')] });
    expect((await db.store.readTuples(id, { user: 'user:o_brien' })).tuples).toEqual([sneaky]);
    expect((await db.store.readTuples(id, { object: 'doc:plain' })).tuples).toEqual([viewer('plain', 'p')]);
  });
});

describe('cost', () => {
  it('reads only the tuples a write names, never a scan of the store', async () => {
    const { rows: fn } = await db.admin.query(`SELECT to_regproc('pg_stat_force_next_flush') IS NOT NULL AS ok`);
    if (!fn[0].ok) return; // PostgreSQL < 15: statistics cannot be flushed on demand.
    const id = await storeWithModel();
    await db.admin.query(
      `INSERT INTO "${db.schema}".tuples (store_id, object_type, object_id, relation, subject, revision)
       SELECT $1, 'doc', 'big', 'viewer', 'user:seed' || i, 1 FROM generate_series(1, 20000) i`,
      [id],
    );
    // No ANALYZE: a fresh table's missing statistics are what once led the planner to a hash join
    // over every tuple of the store.
    const client = await db.store.pool.connect();
    const read = async () => {
      await client.query('SELECT pg_stat_force_next_flush()');
      await client.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await client.query(
        `SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'tuples'`,
        [db.schema],
      );
      return Number(rows[0].n);
    };
    try {
      const before = await read();
      for (let i = 0; i < 5; i++) {
        await client.query('BEGIN');
        const deletes = Array.from({ length: 50 }, (_, j) => ({ user: `user:seed${i * 50 + j + 1}`, relation: 'viewer', object: 'doc:big' }));
        await db.store.write(id, { writes: Array.from({ length: 100 }, (_, j) => viewer('big', `new${i}-${j}`)), deletes }, { client });
        await client.query('COMMIT');
      }
      const after = await read();
      // 5 writes of 150 tuples: a few lookups each; a scan would read 20,000 rows per write.
      expect(after - before).toBeLessThan(3_000);
    } finally {
      client.release();
    }
  });
});

describe('cost of polling', () => {
  it('an empty poll and a short catch-up read only the rows they return', async () => {
    const { rows: fn } = await db.admin.query(`SELECT to_regproc('pg_stat_force_next_flush') IS NOT NULL AS ok`);
    if (!fn[0].ok) return;
    const id = await storeWithModel();
    // A long changelog (no ANALYZE, as on a fresh table), then the store's head after it.
    await db.admin.query(
      `INSERT INTO "${db.schema}".changelog (store_id, revision, seq, op, object_type, object_id, relation, subject)
       SELECT $1, i, 1, 'write', 'doc', 'c' || i, 'viewer', 'user:c' || i FROM generate_series(2, 20001) i`,
      [id],
    );
    await db.admin.query(`UPDATE "${db.schema}".stores SET revision = 20001 WHERE id = $1`, [id]);
    // One connection, so the statistics flushed on demand are those of the polls.
    const one = adminPool(1);
    const store = createPostgresStore({ pool: one, schema: db.schema });
    const read = async () => {
      await one.query('SELECT pg_stat_force_next_flush()');
      await one.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await one.query(
        `SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) AS n FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'changelog'`,
        [db.schema],
      );
      return Number(rows[0].n);
    };
    try {
      const before = await read();
      // readChanges runs the statement a PostgresSource polls with.
      for (let i = 0; i < 10; i++) expect((await store.readChanges(id, { since: 20001 })).changes).toEqual([]);
      expect((await store.readChanges(id, { since: 19990 })).changes).toHaveLength(11);
      const after = await read();
      // A scan would read 20,000 rows per poll.
      expect(after - before).toBeLessThan(500);
    } finally {
      await store.close();
      await one.end();
    }
  });
});

describe('readTuples', () => {
  it('filters by object, type, relation and user, and pages with a token', async () => {
    const id = await storeWithModel();
    const writes = Array.from({ length: 25 }, (_, i) => viewer(i % 5, `u${i}`));
    await db.store.write(id, { writes: [...writes, { user: 'user:u1', relation: 'owner', object: 'doc:0' }] });
    expect((await db.store.readTuples(id, { object: 'doc:0' })).tuples).toHaveLength(6);
    expect((await db.store.readTuples(id, { object: 'doc:', relation: 'owner' })).tuples).toEqual([{ user: 'user:u1', relation: 'owner', object: 'doc:0' }]);
    expect((await db.store.readTuples(id, { object: 'doc:', user: 'user:u1' })).tuples).toHaveLength(2);
    const seen: TupleKey[] = [];
    let token: string | undefined;
    do {
      const page = await db.store.readTuples(id, { pageSize: 7, ...(token === undefined ? {} : { continuationToken: token }) });
      expect(page.tuples.length).toBeLessThanOrEqual(7);
      seen.push(...page.tuples);
      token = page.continuationToken;
    } while (token !== undefined);
    expect(seen).toHaveLength(26);
    expect(new Set(seen.map((t) => `${t.object}#${t.relation}@${t.user}`)).size).toBe(26);
    expect((await rejection(db.store.readTuples(id, { object: 'doc' }))).code).toBe('invalid_object_format');
    expect((await rejection(db.store.readTuples(id, { user: 'nobody' }))).code).toBe('invalid_user');
    expect((await rejection(db.store.readTuples(id, { continuationToken: 'eyJ4Ijox' }))).code).toBe('invalid_continuation_token');
    expect((await rejection(db.store.readTuples('01ARZ3NDEKTSV4RRFFQ69G5FAV'))).code).toBe('store_id_not_found');
  });
});

describe('compact', () => {
  it('drops old changelog entries, keeps tuples, and refuses to read changes it no longer has', async () => {
    const id = await storeWithModel();
    for (let i = 0; i < 10; i++) await db.store.write(id, { writes: [viewer(i, 'anne')] });
    expect(await db.store.compact(id, { keep: 4 })).toEqual({ deleted: 7, oldestRetained: '8' });
    expect((await db.store.getStore(id))?.oldestRetained).toBe('8');
    expect((await db.store.readTuples(id)).tuples).toHaveLength(10);
    const e = await rejection(db.store.readChanges(id, { since: 6 }));
    expect(e.code).toBe('validation_error');
    expect(e.message).toContain('starts at revision 8');
    expect((await db.store.readChanges(id, { since: 7 })).changes.map((c) => c.revision)).toEqual(['8', '9', '10', '11']);
    // Compacting to an older horizon does nothing.
    expect(await db.store.compact(id, { keep: 6 })).toEqual({ deleted: 0, oldestRetained: '8' });
    // By time: everything committed before now.
    expect(await db.store.compact(id, { olderThan: new Date(Date.now() + 60_000) })).toEqual({ deleted: 4, oldestRetained: '12' });
    expect((await db.store.readChanges(id, { since: 11 })).changes).toEqual([]);
    expect((await rejection(db.store.compact(id, {}))).code).toBe('validation_error');
    expect((await rejection(db.store.compact(id, { keep: -1 }))).code).toBe('validation_error');
  });
});
