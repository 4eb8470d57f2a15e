import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createAuthorizer, type ChangeSet, type GatehouseError, type TupleKey } from '@gatehouse/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSource, PostgresSource, type PostgresSourceEvent } from '../src/index';
import { assertChain, authorizerTuples, connectionString, databaseTuples, MODEL, MODEL_V2, recordingSink, sleep, testDatabase, until, viewer, type TestDatabase } from './helpers';

let db: TestDatabase;
const sources: PostgresSource[] = [];

beforeAll(async () => {
  db = await testDatabase('source');
});

afterAll(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  await db?.drop();
});

function appName(): string {
  return `gh-test-${randomBytes(4).toString('hex')}`;
}

/** A source on the test schema with its own connections (named, so tests can find and kill them). */
function source(storeId: string, options: Partial<ConstructorParameters<typeof PostgresSource>[0]> = {}): PostgresSource {
  const url = connectionString();
  const s = createPostgresSource({ storeId, schema: db.schema, ...(url === undefined ? {} : { connectionString: url }), ...options });
  sources.push(s);
  return s;
}

async function storeWithModel(tuples: TupleKey[] = []): Promise<string> {
  const { id } = await db.store.createStore('follow');
  await db.store.writeModel(id, MODEL);
  if (tuples.length > 0) await db.store.write(id, { writes: tuples });
  return id;
}

/** A TCP server that accepts connections and never says a word, like a proxy without a backend. */
async function silentServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/test`,
    connections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Takes `LOCK TABLE <table> IN ACCESS EXCLUSIVE MODE` in an open transaction on an admin
 * connection, so every query of the source that reads the table waits, as on a server that stopped
 * answering. `release()` rolls back and returns the connection.
 */
async function lockTable(table: 'changelog' | 'tuples'): Promise<{ release: () => Promise<void> }> {
  const admin = await db.admin.connect();
  try {
    await admin.query('BEGIN');
    await admin.query(`LOCK TABLE "${db.schema}".${table} IN ACCESS EXCLUSIVE MODE`);
  } catch (error) {
    await admin.query('ROLLBACK').catch(() => undefined);
    admin.release(true);
    throw error;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await admin.query('ROLLBACK').catch(() => undefined);
      admin.release();
    },
  };
}

/** Sessions of `applicationName` waiting for a lock. */
async function lockWaiters(applicationName: string): Promise<number> {
  const { rows } = await db.admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [applicationName]);
  return rows[0]!.n;
}

async function sessions(applicationName: string): Promise<number> {
  const { rows } = await db.admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1', [`${applicationName}%`]);
  return rows[0]!.n;
}

describe('PostgresSource', () => {
  it('loads a full snapshot, then follows writes, deletes and model changes revision by revision', async () => {
    const conditional: TupleKey = { user: 'user:dana', relation: 'viewer', object: 'doc:9', condition: { name: 'in_region', context: { allowed: ['eu'] } } };
    const id = await storeWithModel([viewer(1, 'anne'), conditional]);
    const rec = recordingSink();
    const src = source(id, { listen: false, pollInterval: 20 });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    expect(rec.deliveries[0]).toEqual({ kind: 'snapshot', to: '2', tuples: 2 });
    const { authorizer } = rec;
    expect(authorizer.check(viewer(1, 'anne')).allowed).toBe(true);
    expect(authorizer.check({ ...viewer(9, 'dana'), context: { region: 'eu' } }).allowed).toBe(true);
    expect(authorizer.check({ ...viewer(9, 'dana'), context: { region: 'us' } }).allowed).toBe(false);

    const r3 = await db.store.write(id, { writes: [viewer(2, 'bob')], deletes: [viewer(1, 'anne')] });
    await authorizer.waitForRevision(r3, { timeoutMs: 10_000 });
    expect(authorizer.check(viewer(1, 'anne')).allowed).toBe(false);
    expect(authorizer.check(viewer(2, 'bob')).allowed).toBe(true);

    const { modelId, revision: r4 } = await db.store.writeModel(id, MODEL_V2);
    const r5 = await db.store.write(id, { writes: [{ user: 'user:erin', relation: 'editor', object: 'doc:3' }] });
    await authorizer.waitForRevision(r5, { timeoutMs: 10_000 });
    expect(authorizer.check({ user: 'user:erin', relation: 'viewer', object: 'doc:3' })).toMatchObject({ allowed: true, revision: r5, modelId });
    expect(BigInt(r4)).toBe(BigInt(r3) + 1n);
    expect(assertChain(rec.deliveries).covered.map(String)).toEqual(['3', '4', '5']);
    expect(authorizerTuples(authorizer)).toEqual(await databaseTuples(db.admin, db.schema, id));
    expect(rec.errors).toEqual([]);
    await src.stop();
  });

  it('keeps up by polling alone (listen: false) and opens no LISTEN session', async () => {
    const id = await storeWithModel();
    const name = appName();
    const rec = recordingSink();
    const src = source(id, { listen: false, pollInterval: 100, applicationName: name });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    for (let i = 0; i < 5; i++) {
      const revision = await db.store.write(id, { writes: [viewer(i, 'poll')] });
      const started = Date.now();
      await rec.authorizer.waitForRevision(revision, { timeoutMs: 5_000 });
      expect(Date.now() - started).toBeLessThan(1_000);
    }
    expect(src.listening).toBe(false);
    expect(await sessions(`${name}-listen`)).toBe(0);
    await src.stop();
    await until(async () => (await sessions(name)) === 0, 5_000, 'the sessions to end');
  });

  it('wakes up on NOTIFY long before the poll interval', async () => {
    const id = await storeWithModel();
    const rec = recordingSink();
    const src = source(id, { pollInterval: 60_000 });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    await until(() => src.listening, 10_000, 'the LISTEN connection');
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const revision = await db.store.write(id, { writes: [viewer(i, 'notified')] });
      await rec.authorizer.waitForRevision(revision, { timeoutMs: 5_000 });
      expect(Date.now() - started).toBeLessThan(2_000);
    }
    await src.stop();
  });

  it('polls at once when an authorizer asks for a revision it has not seen (read your writes)', async () => {
    const id = await storeWithModel();
    const authorizer = createAuthorizer({ source: source(id, { listen: false, pollInterval: 60_000 }) });
    await authorizer.ready({ timeoutMs: 10_000 });
    const revision = await db.store.write(id, { writes: [viewer(1, 'ryw')] });
    const started = Date.now();
    const result = await authorizer.checkAsync(viewer(1, 'ryw'), { atLeast: revision, timeoutMs: 5_000 });
    expect(result).toMatchObject({ allowed: true, revision });
    expect(Date.now() - started).toBeLessThan(1_000);
    await authorizer.stop();
  });

  it('confirms a quiet store with heartbeats, so maxStaleness holds without changes', async () => {
    const id = await storeWithModel([viewer(1, 'anne')]);
    const authorizer = createAuthorizer({ source: source(id, { listen: false, pollInterval: 50 }), maxStaleness: 500 });
    await authorizer.ready({ timeoutMs: 10_000 });
    await sleep(1_200);
    expect(authorizer.status().stale).toBe(false);
    expect(authorizer.check(viewer(1, 'anne')).allowed).toBe(true);
    await authorizer.stop();
  });

  it('reloads in full when it falls behind the retained changelog, and says so', async () => {
    const id = await storeWithModel([viewer(0, 'start')]);
    const rec = recordingSink();
    const events: PostgresSourceEvent[] = [];
    const src = source(id, { listen: false, pollInterval: 60_000, onEvent: (e) => events.push(e) });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    const position = src.revision!;
    let head = position;
    for (let i = 1; i <= 5; i++) head = await db.store.write(id, { writes: [viewer(i, 'behind')] });
    await db.store.compact(id, { keep: 2 });
    src.requestRevision(head);
    await rec.authorizer.waitForRevision(head, { timeoutMs: 10_000 });
    await until(() => events.filter((e) => e.type === 'snapshot').length === 2, 5_000, 'the snapshot event');
    const oldestRetained = (BigInt(head) - 1n).toString();
    expect(events.filter((e) => e.type === 'reload')).toEqual([{ type: 'reload', reason: 'behind_retention', position, oldestRetained }]);
    expect(events.filter((e) => e.type === 'snapshot').map((e) => e.type === 'snapshot' && [e.reason, e.revision, e.tuples])).toEqual([
      ['start', position, 1],
      ['behind_retention', head, 6],
    ]);
    expect(rec.deliveries.map((d) => d.kind)).toEqual(['snapshot', 'snapshot']);
    expect(authorizerTuples(rec.authorizer)).toEqual(await databaseTuples(db.admin, db.schema, id));
    await src.stop();
  });

  it('catches up with a full snapshot when the sink refuses a change set', async () => {
    const id = await storeWithModel([viewer(0, 'start')]);
    const rec = recordingSink();
    let refuse = true;
    const events: PostgresSourceEvent[] = [];
    const src = source(id, { listen: false, pollInterval: 20, onEvent: (e) => events.push(e) });
    src.start({
      ...rec.sink,
      changes(changes: ChangeSet) {
        if (refuse) {
          refuse = false;
          throw new Error('cannot apply');
        }
        return rec.sink.changes(changes);
      },
    });
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    const revision = await db.store.write(id, { writes: [viewer(1, 'x')] });
    await rec.authorizer.waitForRevision(revision, { timeoutMs: 10_000 });
    expect(events.find((e) => e.type === 'reload')).toMatchObject({ reason: 'changes_rejected' });
    expect(rec.errors.map((e) => e.code)).toEqual(['internal']);
    expect(rec.authorizer.check(viewer(1, 'x')).allowed).toBe(true);
    await src.stop();
  });

  it('waits for the first model of an empty store, then loads it', async () => {
    const { id } = await db.store.createStore('empty');
    const rec = recordingSink();
    const src = source(id, { pollInterval: 30 });
    src.start(rec.sink);
    await until(() => rec.errors.length > 0, 10_000, 'the missing-model report');
    expect(rec.errors.map((e) => e.code)).toEqual(['latest_authorization_model_not_found']);
    await sleep(200);
    expect(rec.errors).toHaveLength(1);
    await db.store.writeModel(id, MODEL);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    expect(rec.authorizer.getSnapshot()?.revision).toBe('1');
    await src.stop();
  });

  it('reports a deleted store as store_id_not_found and keeps serving the last snapshot', async () => {
    const id = await storeWithModel([viewer(1, 'anne')]);
    const rec = recordingSink();
    const src = source(id, { listen: false, pollInterval: 20, backoff: { initial: 20, max: 50 } });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    await db.store.deleteStore(id);
    await until(() => rec.errors.length > 0, 10_000, 'the error report');
    expect(rec.errors[0]!.code).toBe('store_id_not_found');
    expect(rec.authorizer.check(viewer(1, 'anne')).allowed).toBe(true);
    await src.stop();
  });

  it('survives its connections being killed while writes go on, missing and repeating nothing', async () => {
    const id = await storeWithModel([viewer(0, 'start')]);
    const name = appName();
    const rec = recordingSink();
    const events: PostgresSourceEvent[] = [];
    const src = source(id, { pollInterval: 25, applicationName: name, backoff: { initial: 20, max: 200 }, onEvent: (e) => events.push(e) });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    await until(() => src.listening, 10_000, 'the LISTEN connection');

    let writing = true;
    const written: string[] = [];
    const writer = (async () => {
      for (let i = 1; writing; i++) {
        // Writes and deletes, so a change applied twice or lost would show in the final state.
        const deletes = i % 3 === 0 ? [viewer(i - 2, 'w')] : [];
        written.push(await db.store.write(id, { writes: [viewer(i, 'w')], deletes }));
        await sleep(5);
      }
    })();
    let kills = 0;
    for (let round = 0; round < 12; round++) {
      await sleep(120);
      const { rows } = await db.admin.query<{ killed: boolean }>(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name LIKE $1 AND pid <> pg_backend_pid()',
        [`${name}%`],
      );
      kills += rows.filter((r) => r.killed).length;
    }
    writing = false;
    await writer;
    const head = written[written.length - 1]!;
    await rec.authorizer.waitForRevision(head, { timeoutMs: 20_000 });

    expect(kills).toBeGreaterThanOrEqual(12);
    expect(written.length).toBeGreaterThan(50);
    // A connection killed while idle is replaced silently; one killed mid-query is reported.
    expect(rec.errors.filter((e: GatehouseError) => e.code !== 'source_unavailable')).toEqual([]);
    expect(events.filter((e) => e.type === 'listen' && e.state === 'disconnected').length).toBeGreaterThanOrEqual(3);
    // One snapshot, then change sets that each start where the last ended: every revision once.
    expect(rec.deliveries.filter((d) => d.kind === 'snapshot')).toHaveLength(1);
    const { covered } = assertChain(rec.deliveries);
    const start = BigInt(rec.deliveries[0]!.to);
    expect(covered).toEqual(Array.from({ length: Number(BigInt(head) - start) }, (_, i) => start + 1n + BigInt(i)));
    expect(authorizerTuples(rec.authorizer)).toEqual(await databaseTuples(db.admin, db.schema, id));
    await src.stop();
    // The server ends a backend just after its client leaves.
    await until(async () => (await sessions(name)) === 0, 5_000, 'the sessions to end');
  });

  it('splits a long catch-up into change sets of whole revisions of about 100,000 rows at most', async () => {
    const id = await storeWithModel();
    const rec = recordingSink();
    const src = source(id, { listen: false, pollInterval: 20 });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    // Three large revisions committed at once, as a bulk import while the follower looked away;
    // revision 3 alone is larger than the budget.
    await db.admin.query(
      `WITH sizes(rev, n) AS (VALUES (2, 40000), (3, 110000), (4, 20000)),
       r AS (SELECT rev, i FROM sizes, generate_series(1, n) i),
       t AS (INSERT INTO "${db.schema}".tuples (store_id, object_type, object_id, relation, subject, revision)
             SELECT $1, 'doc', 'r' || rev || '-' || i, 'viewer', 'user:bulk', rev FROM r),
       c AS (INSERT INTO "${db.schema}".changelog (store_id, revision, seq, op, object_type, object_id, relation, subject)
             SELECT $1, rev, i, 'write', 'doc', 'r' || rev || '-' || i, 'viewer', 'user:bulk' FROM r)
       UPDATE "${db.schema}".stores SET revision = 4 WHERE id = $1`,
      [id],
    );
    await rec.authorizer.waitForRevision('4', { timeoutMs: 30_000 });
    expect(rec.deliveries.slice(1)).toEqual([
      { kind: 'changes', from: '1', to: '2', writes: 40_000, deletes: 0, model: false },
      { kind: 'changes', from: '2', to: '3', writes: 110_000, deletes: 0, model: false },
      { kind: 'changes', from: '3', to: '4', writes: 20_000, deletes: 0, model: false },
    ]);
    expect(authorizerTuples(rec.authorizer)).toEqual(await databaseTuples(db.admin, db.schema, id));
    await src.stop();
    // readChanges pages the same way: whole revisions, the next page from `revision`.
    const pages: [string, number][] = [];
    for (let since = '1'; since !== '4'; ) {
      const page = await db.store.readChanges(id, { since, limit: 10_000 });
      pages.push([page.revision, page.changes.length]);
      since = page.revision;
    }
    expect(pages).toEqual([
      ['2', 40_000],
      ['3', 110_000],
      ['4', 20_000],
    ]);
  });

  it('starts a full load over when its connection is cut mid-way, delivering one whole snapshot', async () => {
    const id = await storeWithModel();
    for (let i = 0; i < 3; i++) await db.store.write(id, { writes: Array.from({ length: 1000 }, (_, j) => viewer(`load${i}`, j)) });
    const name = appName();
    const rec = recordingSink();
    const src = source(id, { listen: false, fetchSize: 10, applicationName: name, backoff: { initial: 20, max: 100 } });
    src.start(rec.sink);
    let cut = 0;
    const deadline = Date.now() + 20_000;
    while (cut < 2 && rec.authorizer.getSnapshot() === undefined && Date.now() < deadline) {
      // Only sessions inside the load's transaction: the cursor is open there.
      const { rows } = await db.admin.query<{ killed: boolean }>(
        `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
          WHERE application_name = $1 AND state IN ('active', 'idle in transaction') AND xact_start IS NOT NULL`,
        [name],
      );
      cut += rows.filter((r) => r.killed).length;
      await sleep(5);
    }
    await rec.authorizer.ready({ timeoutMs: 20_000 });
    expect(cut).toBeGreaterThanOrEqual(1);
    expect(rec.errors.length).toBeGreaterThanOrEqual(1);
    expect(rec.errors.every((e) => e.code === 'source_unavailable')).toBe(true);
    expect(rec.deliveries).toEqual([{ kind: 'snapshot', to: '4', tuples: 3000 }]);
    expect(authorizerTuples(rec.authorizer)).toEqual(await databaseTuples(db.admin, db.schema, id));
    await src.stop();
  });

  it('accepts a reset store (revision went back) only as a full reload, announced', async () => {
    const id = await storeWithModel([viewer(1, 'anne')]);
    const rec = recordingSink();
    const events: PostgresSourceEvent[] = [];
    const src = source(id, { listen: false, pollInterval: 20, backoff: { initial: 20, max: 50 }, onEvent: (e) => events.push(e) });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    // As after restoring an older backup.
    await db.admin.query(`UPDATE "${db.schema}".stores SET revision = 1 WHERE id = $1`, [id]);
    await until(() => events.some((e) => e.type === 'reload'), 10_000, 'the reload');
    expect(events.find((e) => e.type === 'reload')).toEqual({ type: 'reload', reason: 'store_reset', position: '2' });
    // The authorizer refuses to go back (allowRevisionRollback is off) and says so.
    await until(() => rec.errors.length > 0, 10_000, 'the refusal');
    expect(rec.errors[0]!.code).toBe('validation_error');
    expect(rec.authorizer.getSnapshot()?.revision).toBe('2');
    await src.stop();
  });

  it('starts a restarted source with a full snapshot for its new sink', async () => {
    const id = await storeWithModel([viewer(1, 'anne')]);
    // On the store's pool, which stop() leaves open, so the source can be started again.
    const src = db.store.source(id, { listen: false, pollInterval: 20 });
    sources.push(src);
    const first = recordingSink();
    src.start(first.sink);
    await first.authorizer.ready({ timeoutMs: 10_000 });
    await src.stop();

    // Nothing changed meanwhile: the new sink still needs a snapshot to become ready.
    const second = recordingSink();
    src.start(second.sink);
    await second.authorizer.ready({ timeoutMs: 5_000 });
    await src.stop();

    // Something changed meanwhile: a change set from the old position is not for this sink.
    const revision = await db.store.write(id, { writes: [viewer(2, 'bob')] });
    const third = recordingSink();
    src.start(third.sink);
    await third.authorizer.waitForRevision(revision, { timeoutMs: 5_000 });
    await src.stop();
    for (const rec of [second, third]) {
      expect(rec.errors).toEqual([]);
      expect(rec.deliveries[0]?.kind).toBe('snapshot');
    }
    expect(third.deliveries).toEqual([{ kind: 'snapshot', to: revision, tuples: 2 }]);
  });

  it('stops at once while its LISTEN connection waits on a server that never answers', async () => {
    const id = await storeWithModel();
    const silent = await silentServer();
    try {
      const rec = recordingSink();
      const src = source(id, { pollInterval: 20, listen: { connectionString: silent.url } });
      src.start(rec.sink);
      await rec.authorizer.ready({ timeoutMs: 10_000 });
      await until(() => silent.connections() > 0, 5_000, 'the LISTEN connection attempt');
      const started = Date.now();
      await Promise.race([src.stop(), sleep(5_000).then(() => Promise.reject(new Error('stop() did not resolve within 5 s')))]);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(src.listening).toBe(false);
    } finally {
      await silent.close();
    }
  });

  it('reports a database address that accepts connections but never answers, and still stops', async () => {
    // As a load balancer with no healthy backend: TCP connects, PostgreSQL never speaks.
    const silent = await silentServer();
    const rec = recordingSink();
    const events: PostgresSourceEvent[] = [];
    const src = new PostgresSource({
      storeId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      schema: db.schema,
      connectionString: silent.url,
      backoff: { initial: 60_000, max: 60_000 },
      onEvent: (e) => events.push(e),
    });
    try {
      src.start(rec.sink);
      await until(() => rec.errors.length > 0 && events.some((e) => e.type === 'listen'), 20_000, 'both connections to report the failure');
      expect(rec.errors.map((e) => e.code)).toEqual(['source_unavailable']);
      expect(events.filter((e) => e.type === 'listen')).toEqual([{ type: 'listen', state: 'disconnected', error: expect.objectContaining({ code: 'source_unavailable' }) }]);
      const started = Date.now();
      await Promise.race([src.stop(), sleep(5_000).then(() => Promise.reject(new Error('stop() did not resolve within 5 s')))]);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await silent.close();
    }
  });

  it('reports a poll that gets no answer within queryTimeout, drops its connection, and then applies the change once', async () => {
    const id = await storeWithModel([viewer(0, 'start')]);
    const name = appName();
    const rec = recordingSink();
    const src = source(id, { listen: false, pollInterval: 60_000, queryTimeout: 300, applicationName: name, backoff: { initial: 50, max: 200 } });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    const start = rec.authorizer.getSnapshot()!.revision;
    const head = await db.store.write(id, { writes: [viewer(1, 'pending')] });
    const lock = await lockTable('changelog');
    try {
      src.requestRevision(head);
      await until(() => rec.errors.length >= 2, 20_000, 'two timed-out polls to be reported');
      // Each retry waits on the lock on a new connection: a timed-out one is not reused (its query
      // still runs on the server, and its backend waits until the lock goes).
      await until(async () => (await lockWaiters(name)) >= 2, 10_000, 'the retries on new connections');
      expect(rec.authorizer.getSnapshot()?.revision).toBe(start);
    } finally {
      await lock.release();
    }
    await rec.authorizer.waitForRevision(head, { timeoutMs: 20_000 });
    for (const error of rec.errors) {
      expect(error.code).toBe('source_unavailable');
      expect(error.message).toMatch(new RegExp(`^poll store ${id}: .*no answer within queryTimeout \\(300 ms\\)`));
    }
    expect(rec.deliveries).toEqual([
      { kind: 'snapshot', to: start, tuples: 1 },
      { kind: 'changes', from: start, to: head, writes: 1, deletes: 0, model: false },
    ]);
    expect(rec.authorizer.check(viewer(1, 'pending')).allowed).toBe(true);
    expect(authorizerTuples(rec.authorizer)).toEqual(await databaseTuples(db.admin, db.schema, id));
    await src.stop();
    // The backends of the dropped connections end once their query completes after the lock.
    await until(async () => (await sessions(name)) === 0, 10_000, 'the sessions to end');
  });

  it('fails the authorizer closed with maxStaleness while its polls time out', async () => {
    const id = await storeWithModel([viewer(1, 'anne')]);
    const authorizer = createAuthorizer({
      source: source(id, { listen: false, pollInterval: 50, queryTimeout: 300, backoff: { initial: 50, max: 200 } }),
      maxStaleness: 1_000,
    });
    const syncErrors: GatehouseError[] = [];
    authorizer.on('syncError', (e) => syncErrors.push(e));
    await authorizer.ready({ timeoutMs: 10_000 });
    const lock = await lockTable('changelog');
    try {
      await until(() => authorizer.status().stale, 20_000, 'the snapshot to go stale');
      expect(() => authorizer.check(viewer(1, 'anne'))).toThrow(expect.objectContaining({ code: 'stale_snapshot' }));
      expect(syncErrors.length).toBeGreaterThanOrEqual(1);
      expect(syncErrors.every((e) => e.code === 'source_unavailable' && e.message.includes('queryTimeout (300 ms)'))).toBe(true);
    } finally {
      await lock.release();
    }
    await until(() => !authorizer.status().stale, 20_000, 'the snapshot to be confirmed again');
    expect(authorizer.check(viewer(1, 'anne')).allowed).toBe(true);
    await authorizer.stop();
  });

  it('stops promptly while a poll waits for an answer that does not come', async () => {
    const id = await storeWithModel();
    const name = appName();
    const rec = recordingSink();
    // The default queryTimeout (30 s): stop() must not wait for it.
    const src = source(id, { listen: false, pollInterval: 60_000, applicationName: name });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    const head = await db.store.write(id, { writes: [viewer(1, 'x')] });
    const lock = await lockTable('changelog');
    try {
      src.requestRevision(head);
      await until(async () => (await lockWaiters(name)) === 1, 10_000, 'the poll to wait on the lock');
      const started = Date.now();
      await Promise.race([src.stop(), sleep(5_000).then(() => Promise.reject(new Error('stop() did not resolve within 5 s')))]);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(rec.errors).toEqual([]);
    } finally {
      await lock.release();
    }
    await until(async () => (await sessions(name)) === 0, 10_000, 'the sessions to end');
  });

  it('reports a full load that gets no answer within queryTimeout, then loads once the database answers', async () => {
    const id = await storeWithModel([viewer(1, 'anne'), viewer(2, 'bob')]);
    const name = appName();
    const rec = recordingSink();
    const events: PostgresSourceEvent[] = [];
    const src = source(id, { listen: false, pollInterval: 50, queryTimeout: 300, applicationName: name, backoff: { initial: 50, max: 200 }, onEvent: (e) => events.push(e) });
    const lock = await lockTable('tuples');
    try {
      src.start(rec.sink);
      await until(() => rec.errors.length >= 2, 20_000, 'two timed-out loads to be reported');
      expect(rec.authorizer.getSnapshot()).toBeUndefined();
    } finally {
      await lock.release();
    }
    await rec.authorizer.ready({ timeoutMs: 20_000 });
    for (const error of rec.errors) {
      expect(error.code).toBe('source_unavailable');
      expect(error.message).toMatch(new RegExp(`^load store ${id}: .*no answer within queryTimeout \\(300 ms\\)`));
    }
    expect(rec.deliveries).toEqual([{ kind: 'snapshot', to: '2', tuples: 2 }]);
    expect(events.filter((e) => e.type === 'snapshot')).toHaveLength(1);
    expect(authorizerTuples(rec.authorizer)).toEqual(await databaseTuples(db.admin, db.schema, id));
    await src.stop();
    await until(async () => (await sessions(name)) === 0, 10_000, 'the sessions to end');
  });

  it('validates its options', () => {
    expect(() => new PostgresSource({ storeId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', queryTimeout: 0 })).toThrow(expect.objectContaining({ code: 'validation_error', message: expect.stringContaining('queryTimeout') }));
    expect(() => new PostgresSource({ storeId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', queryTimeout: Number.NaN })).toThrow(expect.objectContaining({ code: 'validation_error' }));
    expect(() => new PostgresSource({ storeId: 'x' })).toThrow(expect.objectContaining({ code: 'validation_error' }));
    expect(() => new PostgresSource({ storeId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', schema: 'bad schema' })).toThrow(expect.objectContaining({ code: 'validation_error' }));
    expect(() => new PostgresSource({ storeId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', pollInterval: 0 })).toThrow(expect.objectContaining({ code: 'validation_error' }));
  });
});
