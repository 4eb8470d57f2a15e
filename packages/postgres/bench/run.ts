// The @gatehouse/postgres benchmark: write throughput, a full load of BENCH_TUPLES tuples into an
// authorizer, write-to-visible latency in another process (LISTEN and polling only), NOTIFY fan-out
// to many listeners, and the cost of an empty poll. A measurement, not a test: it prints figures.
//
//   pnpm --filter @gatehouse/postgres bench
//
// Knobs (environment): DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
// BENCH_TUPLES (1000000), BENCH_SECONDS per throughput case (3), BENCH_LATENCY_WRITES (200),
// BENCH_POLL_WRITES (100), BENCH_LISTENERS ("1,10,50"), BENCH_SKIP (comma list of: write, load,
// latency, fanout, poll), BENCH_JSON (a file to write the figures to), BENCH_KEEP=1 (keep the schema).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createAuthorizer, type TupleKey } from '@gatehouse/core';
import pg from 'pg';
import { createPostgresStore, type PostgresSourceEvent, type PostgresStore } from '../src/index';
import { MODEL } from '../test/helpers';
import { startFollower, type FollowerLine } from '../test/lines';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TUPLES = Number(process.env.BENCH_TUPLES ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const LATENCY_WRITES = Number(process.env.BENCH_LATENCY_WRITES ?? 200);
const POLL_WRITES = Number(process.env.BENCH_POLL_WRITES ?? 100);
const LISTENERS = (process.env.BENCH_LISTENERS ?? '1,10,50').split(',').map(Number).filter((n) => n > 0);
const SKIP = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const schema = `gh_bench_${randomBytes(4).toString('hex')}`;
const results: Record<string, unknown> = {};

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1]! };
}

function printLatency(label: string, ms: number[]): void {
  const s = summary(ms);
  results[label] = s;
  console.log(`  ${label.padEnd(46)} n=${String(s.n).padStart(4)}  p50 ${fmt(s.p50).padStart(7)} ms  p90 ${fmt(s.p90).padStart(7)} ms  p99 ${fmt(s.p99).padStart(7)} ms  max ${fmt(s.max).padStart(7)} ms`);
}

async function newStore(store: PostgresStore, name: string): Promise<string> {
  const { id } = await store.createStore(name);
  await store.writeModel(id, MODEL);
  return id;
}

let unique = 0;
const tuple = (tag: string): TupleKey => ({ user: `user:${tag}${unique++}`, relation: 'viewer', object: `doc:${tag}` });

/** Writes batches of `batch` tuples from `writers` concurrent writers for SECONDS; returns tuples/s and write latencies. */
async function throughput(store: PostgresStore, storeIds: readonly string[], batch: number, writers: number) {
  const deadline = performance.now() + SECONDS * 1000;
  const latencies: number[] = [];
  let tuples = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const storeId = storeIds[w % storeIds.length]!;
      while (performance.now() < deadline) {
        const writes = Array.from({ length: batch }, () => tuple(`b${batch}w${w}`));
        const t0 = performance.now();
        await store.write(storeId, { writes });
        latencies.push(performance.now() - t0);
        tuples += batch;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { tuplesPerSecond: tuples / elapsed, writesPerSecond: latencies.length / elapsed, latency: summary(latencies) };
}

async function benchWrites(store: PostgresStore): Promise<void> {
  console.log(`\nwrite throughput (${SECONDS} s per case; one transaction per write: lock, validate, existence check, insert, changelog, NOTIFY, commit)`);
  const one = await newStore(store, 'writes');
  const stores4 = [one, await newStore(store, 'w2'), await newStore(store, 'w3'), await newStore(store, 'w4')];
  const plain: [string, readonly string[], number, number][] = [
    ['batch 1, 1 writer', [one], 1, 1],
    ['batch 10, 1 writer', [one], 10, 1],
    ['batch 100, 1 writer', [one], 100, 1],
    ['batch 1, 4 writers, one store', [one], 1, 4],
    ['batch 10, 4 writers, one store', [one], 10, 4],
    ['batch 100, 4 writers, one store', [one], 100, 4],
    ['batch 1, 4 writers, 4 stores', stores4, 1, 4],
    ['batch 100, 4 writers, 4 stores', stores4, 100, 4],
  ];
  // The same writes without NOTIFY: what the notification's commit-time lock costs.
  const quiet = createPostgresStore({ pool: store.pool, schema, notify: false });
  const cases: [string, readonly string[], number, number, PostgresStore][] = [
    ...plain.map(([label, ids, batch, writers]): [string, readonly string[], number, number, PostgresStore] => [label, ids, batch, writers, store]),
    ['batch 1, 4 writers, 4 stores, no NOTIFY', stores4, 1, 4, quiet],
  ];
  for (const [label, ids, batch, writers, on] of cases) {
    const r = await throughput(on, ids, batch, writers);
    results[`write: ${label}`] = r;
    console.log(
      `  ${label.padEnd(40)} ${fmt(r.tuplesPerSecond, 0).padStart(8)} tuples/s  ${fmt(r.writesPerSecond, 0).padStart(6)} writes/s  write p50 ${fmt(r.latency.p50, 2)} ms  p99 ${fmt(r.latency.p99, 2)} ms`,
    );
  }
}

/** Seeds `n` tuples into a store straight in SQL (seeding is not what is measured). */
async function seed(admin: pg.Pool, storeId: string, n: number): Promise<void> {
  const s = `"${schema}"`;
  const teams = Math.max(1, Math.floor(n / 200));
  const members = Math.floor(n * 0.05);
  const teamGrants = Math.floor(n * 0.05);
  const direct = n - members - teamGrants;
  // doc viewers (users, 10 per doc), team members, and doc viewers through team#member.
  await admin.query(
    `INSERT INTO ${s}.tuples (store_id, object_type, object_id, relation, subject, revision)
     SELECT $1, 'doc', 'd' || (i / 10), 'viewer', 'user:u' || (i % 100000), 2 FROM generate_series(0, $2::int - 1) i`,
    [storeId, direct],
  );
  await admin.query(
    `INSERT INTO ${s}.tuples (store_id, object_type, object_id, relation, subject, revision)
     SELECT $1, 'team', 't' || (i % $3::int), 'member', 'user:m' || i, 2 FROM generate_series(0, $2::int - 1) i`,
    [storeId, members, teams],
  );
  await admin.query(
    `INSERT INTO ${s}.tuples (store_id, object_type, object_id, relation, subject, revision)
     SELECT $1, 'doc', 'g' || i, 'viewer', 'team:t' || (i % $3::int) || '#member', 2 FROM generate_series(0, $2::int - 1) i`,
    [storeId, teamGrants, teams],
  );
  // The seed bypassed the changelog: mark revision 2 as compacted, so no follower expects its rows.
  await admin.query(`UPDATE ${s}.stores SET revision = 2, retained_after = 2 WHERE id = $1`, [storeId]);
  await admin.query(`ANALYZE ${s}.tuples`);
}

async function benchLoad(store: PostgresStore, admin: pg.Pool): Promise<void> {
  console.log(`\nfull load of ${TUPLES.toLocaleString('en-US')} tuples through PostgresSource into an authorizer`);
  const id = await newStore(store, 'load');
  const seeded = performance.now();
  await seed(admin, id, TUPLES);
  const size = await admin.query<{ size: string }>(`SELECT pg_size_pretty(pg_total_relation_size('"${schema}".tuples')) AS size`);
  console.log(`  (seeded in ${fmt((performance.now() - seeded) / 1000)} s with INSERT … SELECT generate_series; tuples table + indexes: ${size.rows[0]!.size})`);
  for (let round = 1; round <= 2; round++) {
    const events: PostgresSourceEvent[] = [];
    const started = performance.now();
    const authorizer = createAuthorizer({ source: store.source(id, { listen: false, pollInterval: 60_000, onEvent: (e) => events.push(e) }) });
    await authorizer.ready();
    const total = performance.now() - started;
    const loaded = events.find((e) => e.type === 'snapshot');
    if (loaded?.type !== 'snapshot') throw new Error('no snapshot event');
    const check = authorizer.check({ user: 'user:m7', relation: 'viewer', object: `doc:g${7 % Math.max(1, Math.floor(TUPLES / 200))}` });
    results[`load round ${round}`] = { tuples: loaded.tuples, totalMs: total, fetchMs: loaded.fetchMs, buildMs: loaded.deliverMs };
    console.log(
      `  round ${round}: ${fmt(total / 1000, 2)} s to ready = fetch ${fmt(loaded.fetchMs / 1000, 2)} s (REPEATABLE READ cursor, FETCH 10000) + build ${fmt(loaded.deliverMs / 1000, 2)} s (authorizer indexes)` +
        `; ${loaded.tuples.toLocaleString('en-US')} tuples; sample check ${check.allowed ? 'allowed' : 'denied'}`,
    );
    await authorizer.stop();
    await sleep(200);
  }
}

/** Writes one tuple at a time and waits for a follower process to see each. */
async function latencyAgainst(store: PostgresStore, id: string, follow: { listen: boolean; pollInterval: number }, writes: number, label: string, background = 0): Promise<void> {
  const follower = startFollower({ storeId: id, schema, ...follow });
  try {
    await follower.next((l) => l.type === 'ready', 30_000);
    let running = background > 0;
    const noise = Array.from({ length: background }, async (_, w) => {
      while (running) await store.write(id, { writes: [tuple(`bg${w}`)] });
    });
    const fromCommit: number[] = [];
    const fromCall: number[] = [];
    for (let i = 0; i < writes; i++) {
      const called = now();
      const revision = await store.write(id, { writes: [tuple('lat')] });
      const committed = now();
      const seen = (await follower.next((l: FollowerLine) => l.type === 'snapshot' && BigInt(l.revision) >= BigInt(revision), 30_000)) as Extract<FollowerLine, { type: 'snapshot' }>;
      fromCommit.push(seen.at - committed);
      fromCall.push(seen.at - called);
      // Land the next write at a random point of the poll cycle (with LISTEN, just space them out).
      await sleep(follow.listen ? 5 + Math.random() * 20 : Math.random() * follow.pollInterval);
    }
    running = false;
    await Promise.all(noise);
    printLatency(`${label} (commit → visible)`, fromCommit);
    printLatency(`${label} (write() call → visible)`, fromCall);
    const errors = follower.lines.filter((l) => l.type === 'error');
    if (errors.length > 0) console.log(`  follower errors: ${JSON.stringify(errors)}`);
  } finally {
    await follower.stop();
  }
}

async function benchLatency(store: PostgresStore): Promise<void> {
  console.log('\nwrite-to-visible latency in another process (a node process running PostgresSource + createAuthorizer)');
  const id = await newStore(store, 'latency');
  await latencyAgainst(store, id, { listen: true, pollInterval: 1000 }, LATENCY_WRITES, 'LISTEN, poll 1000 ms');
  await latencyAgainst(store, id, { listen: true, pollInterval: 1000 }, LATENCY_WRITES, 'LISTEN, poll 1000 ms, 4 writers busy', 4);
  await latencyAgainst(store, id, { listen: false, pollInterval: 100 }, POLL_WRITES, 'polling only, every 100 ms');
  await latencyAgainst(store, id, { listen: false, pollInterval: 1000 }, Math.max(10, Math.floor(POLL_WRITES / 5)), 'polling only, every 1000 ms');
}

/** NOTIFY fan-out: how long after a commit each of N listening sessions hears about it. */
async function benchFanout(store: PostgresStore): Promise<void> {
  console.log('\nNOTIFY fan-out: write() call → notification heard, across N listening sessions (plain pg clients in this process)');
  const id = await newStore(store, 'fanout');
  const channel = `gatehouse_${id}`;
  for (const n of LISTENERS) {
    const clients: pg.Client[] = [];
    const heard = new Map<string, number[]>();
    try {
      for (let i = 0; i < n; i++) {
        const c = new pg.Client({ connectionString: url, application_name: 'gatehouse-bench-listen' });
        c.on('error', () => undefined);
        await c.connect();
        c.on('notification', (m) => {
          const at = now();
          const revision = m.payload!.slice(m.payload!.indexOf(':') + 1);
          const list = heard.get(revision) ?? [];
          list.push(at);
          heard.set(revision, list);
        });
        await c.query(`LISTEN "${channel}"`);
        clients.push(c);
      }
      const samples: number[] = [];
      let missed = 0;
      for (let i = 0; i < 50; i++) {
        // From the write() call: the notification may arrive before write() returns.
        const called = now();
        const revision = await store.write(id, { writes: [tuple('fan')] });
        const deadline = Date.now() + 10_000;
        while ((heard.get(revision)?.length ?? 0) < n && Date.now() < deadline) await sleep(1);
        const got = heard.get(revision) ?? [];
        missed += n - got.length;
        for (const at of got) samples.push(at - called);
        await sleep(10);
      }
      printLatency(`${n} listener${n === 1 ? '' : 's'} (write() call → heard)`, samples);
      if (missed > 0) console.log(`  ${missed} notifications not heard within 10 s`);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
  }
}

/** What a poll that finds nothing costs: the steady load every idle follower puts on the database. */
async function benchPoll(store: PostgresStore): Promise<void> {
  console.log('\nempty poll (the query every idle follower runs each interval)');
  const id = await newStore(store, 'poll');
  for (let i = 0; i < 50; i++) await store.write(id, { writes: [tuple('poll')] });
  const head = (await store.getStore(id))!.revision;
  const n = 3000;
  const started = performance.now();
  for (let i = 0; i < n; i++) await store.readChanges(id, { since: head, limit: 1000 });
  const ms = (performance.now() - started) / n;
  results['empty poll ms'] = ms;
  console.log(`  ${fmt(ms * 1000, 0)} µs per empty poll, round trip included (one connection, sequential): ~${fmt(1000 / ms, 0)} polls/s per connection`);
}

async function main(): Promise<void> {
  console.log(`@gatehouse/postgres bench: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 0)} GB, node ${process.version}`);
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  admin.on('error', () => undefined);
  const version = await admin.query<{ server_version: string }>('SHOW server_version');
  console.log(`PostgreSQL ${version.rows[0]!.server_version} at ${url.replace(/:[^:@/]*@/, ':***@')}, schema ${schema}`);
  const store = createPostgresStore({ connectionString: url, schema });
  try {
    await store.migrate();
    if (!SKIP.has('write')) await benchWrites(store);
    if (!SKIP.has('latency')) await benchLatency(store);
    if (!SKIP.has('fanout')) await benchFanout(store);
    if (!SKIP.has('poll')) await benchPoll(store);
    if (!SKIP.has('load')) await benchLoad(store, admin);
  } finally {
    await store.close();
    if (process.env.BENCH_KEEP !== '1') await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
}

await main();
