import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSource, type PostgresSource } from '../src/index';
import { assertChain, authorizerTuples, connectionString, databaseTuples, MODEL, recordingSink, sleep, testDatabase, viewer, type TestDatabase } from './helpers';

let db: TestDatabase;
const sources: PostgresSource[] = [];

beforeAll(async () => {
  db = await testDatabase('concurrency');
});

afterAll(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  await db?.drop();
});

function source(storeId: string, options: { pollInterval?: number; fetchSize?: number; listen?: boolean } = {}): PostgresSource {
  const url = connectionString();
  const s = createPostgresSource({ storeId, schema: db.schema, ...(url === undefined ? {} : { connectionString: url }), listen: false, ...options });
  sources.push(s);
  return s;
}

async function storeWithModel(): Promise<string> {
  const { id } = await db.store.createStore('concurrency');
  await db.store.writeModel(id, MODEL);
  return id;
}

/** Whether a promise has settled, without waiting for it. */
function tracked<T>(promise: Promise<T>): { readonly promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const p = promise.finally(() => {
    done = true;
  });
  return { promise: p, settled: () => done };
}

describe('revisions', () => {
  it('gives N concurrent writers gapless, unique revisions, each logged exactly once', async () => {
    const id = await storeWithModel();
    const writers = 8;
    const perWriter = 25;
    const results = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const mine: { revision: string; tuple: string }[] = [];
        for (let i = 0; i < perWriter; i++) {
          const t = viewer(`w${w}-${i}`, w);
          mine.push({ revision: await db.store.write(id, { writes: [t] }), tuple: `${t.object}@${t.user}` });
        }
        return mine;
      }),
    );
    const all = results.flat();
    const revisions = all.map((r) => BigInt(r.revision)).sort((a, b) => (a < b ? -1 : 1));
    // The model took revision 1; the writes took 2 .. N+1, each once.
    expect(revisions).toEqual(Array.from({ length: writers * perWriter }, (_, i) => BigInt(i + 2)));
    // Each writer's own revisions grow: its writes committed in order.
    for (const mine of results) {
      const own = mine.map((m) => BigInt(m.revision));
      expect([...own].sort((a, b) => (a < b ? -1 : 1))).toEqual(own);
    }
    // The changelog holds each revision once, with the tuple its writer wrote.
    const { rows } = await db.admin.query<{ revision: string; t: string }>(
      `SELECT revision, object_type || ':' || object_id || '@' || subject AS t FROM "${db.schema}".changelog WHERE store_id = $1 AND op = 'write' ORDER BY revision`,
      [id],
    );
    expect(rows.map((r) => `${r.revision} ${r.t}`)).toEqual(
      [...all].sort((a, b) => (BigInt(a.revision) < BigInt(b.revision) ? -1 : 1)).map((r) => `${r.revision} ${r.tuple}`),
    );
  });

  it('never lets a later revision become visible before an earlier one commits', async () => {
    const id = await storeWithModel();
    const other = await storeWithModel();
    await db.store.write(id, { writes: [viewer(0, 'base')] });
    const rec = recordingSink();
    // A follower polling as fast as it can: it would see revision N+1 if it were ever visible early.
    const src = source(id, { pollInterval: 2 });
    src.start(rec.sink);
    await rec.authorizer.ready({ timeoutMs: 10_000 });
    const base = rec.authorizer.getSnapshot()!.revision;

    const a = await db.store.pool.connect();
    const b = await db.store.pool.connect();
    try {
      // Transaction A takes revision N and holds it open.
      await a.query('BEGIN');
      const revisionA = await db.store.write(id, { writes: [viewer(1, 'a')] }, { client: a });
      expect(BigInt(revisionA)).toBe(BigInt(base) + 1n);

      // Transaction B starts after A and commits as soon as it possibly can.
      await b.query('BEGIN');
      let revisionB: string | undefined;
      const writeB = tracked(
        db.store.write(id, { writes: [viewer(2, 'b')] }, { client: b }).then(async (r) => {
          revisionB = r;
          await b.query('COMMIT');
        }),
      );
      // A writer of another store is not held up by A: the lock is per store.
      await expect(db.store.write(other, { writes: [viewer(1, 'elsewhere')] })).resolves.toBe('2');

      await sleep(500);
      // B is still waiting for A's lock: it has not taken a revision, let alone committed.
      expect(writeB.settled()).toBe(false);
      expect(revisionB).toBeUndefined();
      // The follower, polling every few ms all along, has seen nothing past the base.
      expect(rec.authorizer.getSnapshot()!.revision).toBe(base);
      expect(rec.deliveries).toHaveLength(1);

      await a.query('COMMIT');
      await writeB.promise;
      expect(BigInt(revisionB!)).toBe(BigInt(revisionA) + 1n);
      await rec.authorizer.waitForRevision(revisionB!, { timeoutMs: 10_000 });
    } finally {
      a.release();
      b.release();
    }
    // Both changes applied exactly once, in order.
    const { covered } = assertChain(rec.deliveries);
    expect(covered).toEqual([BigInt(base) + 1n, BigInt(base) + 2n]);
    expect(rec.authorizer.check(viewer(1, 'a')).allowed).toBe(true);
    expect(rec.authorizer.check(viewer(2, 'b')).allowed).toBe(true);
    await src.stop();
  });

  it('(control) a sequence assigned at insert loses a change exactly this way', async () => {
    // What the store avoids: ids from a sequence are handed out at insert, not at commit. The
    // first writer takes 1 and holds; the second takes 2 and commits; a poller that reads "> 0"
    // sees 2, moves its position to 2, and never reads 1.
    const table = `"${db.schema}".naive_log`;
    await db.admin.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, change text NOT NULL)`);
    const a = await db.admin.connect();
    const b = await db.admin.connect();
    const seen: string[] = [];
    let position = 0n;
    const poll = async () => {
      const { rows } = await db.admin.query<{ id: string; change: string }>(`SELECT id, change FROM ${table} WHERE id > $1 ORDER BY id`, [position.toString()]);
      for (const r of rows) {
        seen.push(r.change);
        position = BigInt(r.id);
      }
    };
    try {
      await a.query('BEGIN');
      await a.query(`INSERT INTO ${table} (change) VALUES ('first')`);
      await b.query('BEGIN');
      await b.query(`INSERT INTO ${table} (change) VALUES ('second')`);
      await b.query('COMMIT');
      await poll();
      await a.query('COMMIT');
      await poll();
    } finally {
      a.release();
      b.release();
    }
    expect(seen).toEqual(['second']);
  });

  it('loads one consistent snapshot while writers keep committing', async () => {
    const id = await storeWithModel();
    // Enough tuples that a load with tiny fetches spans many round trips while writes land.
    for (let i = 0; i < 10; i++) await db.store.write(id, { writes: Array.from({ length: 200 }, (_, j) => viewer(`seed${i}`, j)) });
    let writing = true;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; writing; i++) await db.store.write(id, { writes: [viewer(`live${w}-${i}`, w), viewer(`live${w}-${i}`, 'x')] });
    });
    const followers = Array.from({ length: 4 }, () => {
      const rec = recordingSink();
      const src = source(id, { fetchSize: 37, pollInterval: 20 });
      src.start(rec.sink);
      return rec;
    });
    await Promise.all(followers.map((f) => f.authorizer.ready({ timeoutMs: 20_000 })));
    const firstSnapshots = followers.map((f) => ({ revision: f.authorizer.getSnapshot()!.revision, tuples: authorizerTuples(f.authorizer) }));
    await sleep(300);
    writing = false;
    await Promise.all(writers);
    // Only writes happened, so the tuples at revision R are exactly those written at or before R.
    for (const snap of firstSnapshots) {
      const { rows } = await db.admin.query<{ k: string }>(
        `SELECT object_type || ':' || object_id || '#' || relation || '@' || subject AS k FROM "${db.schema}".tuples WHERE store_id = $1 AND revision <= $2`,
        [id, snap.revision],
      );
      expect(snap.tuples).toEqual(rows.map((r) => r.k).sort());
    }
    expect(new Set(firstSnapshots.map((s) => s.revision)).size).toBeGreaterThanOrEqual(1);
    // And each follower then caught up to the end, change by change.
    const head = (await db.store.getStore(id))!.revision;
    const expected = await databaseTuples(db.admin, db.schema, id);
    for (const f of followers) {
      await f.authorizer.waitForRevision(head, { timeoutMs: 20_000 });
      assertChain(f.deliveries);
      expect(authorizerTuples(f.authorizer)).toEqual(expected);
    }
  });
});
