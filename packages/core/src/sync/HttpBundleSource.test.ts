import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GatehouseError } from '../errors/index';
import type { AuthorizationModel } from '../model/types';
import { encodeBundle, encodeChanges } from './bundle';
import { applyChangeSet, mergeChangeSets } from './changes';
import { HttpBundleSource } from './HttpBundleSource';
import type { HttpBundleSourceOptions } from './HttpBundleSource';
import type { SnapshotSink } from './source';
import type { ChangeSet, SnapshotData } from './types';

const model: AuthorizationModel = { schema_version: '1.1', type_definitions: [{ type: 'user' }, { type: 'track' }] };
const t = (user: string) => ({ user, relation: 'viewer', object: 'track:1' });

type Handler = (url: URL, init: RequestInit) => Response | Promise<Response>;

/**
 * An in-process server speaking the bundle protocol (what `createBundleHandler` serves), so the
 * client logic runs under fake timers. Tests push one-off responses with `next()`.
 */
function fakeServer(options: { changes?: boolean; window?: number; holds?: boolean } = {}) {
  let data: SnapshotData = { model, modelId: 'm1', revision: '1', tuples: [t('user:a')] };
  const history: ChangeSet[] = [];
  const listeners = new Set<() => void>();
  const overrides: { path: string | undefined; handler: Handler }[] = [];
  const requests: { path: string; query: Record<string, string>; ifNoneMatch: string | null; headers: Headers; at: number }[] = [];

  const write = (changes: Omit<ChangeSet, 'from' | 'to'>) => {
    const next = String(Number(data.revision) + 1);
    const set: ChangeSet = { from: data.revision, to: next, ...changes };
    data = applyChangeSet(data, set);
    history.push(set);
    if (history.length > (options.window ?? 100)) history.shift();
    for (const l of [...listeners]) l();
  };

  const hold = (seconds: number, signal: AbortSignal | null | undefined, since: string) =>
    new Promise<void>((resolve) => {
      if (options.holds === false || data.revision !== since) return resolve();
      const done = () => {
        clearTimeout(timer);
        listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, seconds * 1000);
      listeners.add(done);
      signal?.addEventListener('abort', done);
    });

  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), ifNoneMatch: headers.get('if-none-match'), headers, at: Date.now() });
    const index = overrides.findIndex((o) => o.path === undefined || o.path === url.pathname);
    if (index >= 0) return (overrides.splice(index, 1)[0] as (typeof overrides)[number]).handler(url, init);
    const wait = Number(url.searchParams.get('wait') ?? 0);
    if (url.pathname === '/bundle') {
      const etag = () => `W/"${data.revision}"`;
      if (wait > 0 && headers.get('if-none-match') === etag()) await hold(wait, init.signal, data.revision);
      if (headers.get('if-none-match') === etag()) return new Response(null, { status: 304, headers: { etag: etag() } });
      return new Response(encodeBundle(data), { status: 200, headers: { etag: etag() } });
    }
    if (url.pathname === '/changes') {
      if (options.changes === false) return new Response('not found', { status: 404 });
      const since = url.searchParams.get('since') ?? '';
      if (wait > 0) await hold(wait, init.signal, since);
      if (since === data.revision) return Response.json(JSON.parse(encodeChanges({ from: since, to: since, writes: [], deletes: [] })), { headers: { etag: `W/"${data.revision}"` } });
      const start = history.findIndex((c) => c.from === since);
      if (start < 0) return new Response('revision too old', { status: 410 });
      const merged = history.slice(start).reduce((a, b) => mergeChangeSets(a, b));
      return new Response(encodeChanges(merged), { status: 200, headers: { etag: `W/"${data.revision}"` } });
    }
    return new Response('no such endpoint', { status: 404 });
  };

  return {
    fetch,
    write,
    requests,
    /** Answers the next request (to `path`, if given) with `handler` instead. */
    next: (handler: Handler, path?: string) => overrides.push({ path, handler }),
    get data() {
      return data;
    },
  };
}

type Event = { kind: 'snapshot'; data: SnapshotData } | { kind: 'changes'; changes: ChangeSet } | { kind: 'error'; error: GatehouseError };

function recorder(options: { rejectChanges?: () => boolean } = {}) {
  const events: Event[] = [];
  let state: SnapshotData | undefined;
  const sink: SnapshotSink = {
    snapshot(data) {
      events.push({ kind: 'snapshot', data });
      state = data;
    },
    changes(changes) {
      if (options.rejectChanges?.()) throw new Error('gap: cannot apply');
      events.push({ kind: 'changes', changes });
      state = applyChangeSet(state as SnapshotData, changes);
    },
    error(error) {
      events.push({ kind: 'error', error });
    },
  };
  return {
    sink,
    events,
    state: () => state,
    kinds: () => events.map((e) => e.kind),
    errors: () => events.flatMap((e) => (e.kind === 'error' ? [e.error] : [])),
  };
}

/** Advances fake time in small steps until `condition` holds (or fails the test after `limit` ms). */
async function until(condition: () => boolean, limit = 120_000): Promise<number> {
  let elapsed = 0;
  while (!condition() && elapsed < limit) {
    await vi.advanceTimersByTimeAsync(25);
    elapsed += 25;
  }
  expect(condition()).toBe(true);
  return elapsed;
}

const users = (data: SnapshotData | undefined) => data?.tuples.map((x) => x.user).sort();

describe('HttpBundleSource', () => {
  let source: HttpBundleSource | undefined;
  const make = (server: ReturnType<typeof fakeServer>, options: Partial<HttpBundleSourceOptions> = {}) => {
    source = new HttpBundleSource({
      url: 'http://policy.test/bundle',
      fetch: server.fetch as typeof fetch,
      backoff: { initial: 100, max: 1_000, random: () => 0 },
      ...options,
    });
    return source;
  };

  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    vi.useRealTimers();
  });

  it('loads the full bundle, then follows changes by long poll', async () => {
    const server = fakeServer();
    const r = recorder();
    make(server).start(r.sink);
    await until(() => r.kinds().length === 1);
    expect(r.state()).toMatchObject({ revision: '1', modelId: 'm1' });
    expect(server.requests[0]).toMatchObject({ path: '/bundle', query: {} });

    // The next request is a held long poll on the change feed.
    await until(() => server.requests.length === 2);
    expect(server.requests[1]).toMatchObject({ path: '/changes', query: { since: '1', wait: '30' } });
    server.write({ writes: [t('user:b')], deletes: [t('user:a')] });
    await until(() => r.kinds().length === 2);
    expect(r.events[1]).toMatchObject({ kind: 'changes', changes: { from: '1', to: '2' } });
    expect(users(r.state())).toEqual(['user:b']);
    expect(source?.revision).toBe('2');
  });

  it('holds the long poll until the server times it out, without extra requests', async () => {
    const server = fakeServer();
    const r = recorder();
    make(server).start(r.sink);
    await until(() => server.requests.length === 2);
    await vi.advanceTimersByTimeAsync(29_000);
    expect(server.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(server.requests).toHaveLength(3);
    expect(r.kinds()).toEqual(['snapshot']);
  });

  it('revalidates with If-None-Match and keeps the snapshot on 304 (poll mode, no change feed)', async () => {
    const server = fakeServer();
    const r = recorder();
    make(server, { mode: 'poll', interval: 1_000, changesUrl: false }).start(r.sink);
    await until(() => server.requests.length === 3);
    expect(server.requests.map((q) => q.path)).toEqual(['/bundle', '/bundle', '/bundle']);
    expect(server.requests[0]?.ifNoneMatch).toBeNull();
    expect(server.requests[1]?.ifNoneMatch).toBe('W/"1"');
    expect(r.kinds()).toEqual(['snapshot']);
    server.write({ writes: [t('user:b')], deletes: [] });
    await until(() => r.kinds().length === 2);
    expect(r.events[1]).toMatchObject({ kind: 'snapshot', data: { revision: '2' } });
  });

  it('turns the change feed off after a 404 and long-polls the bundle instead', async () => {
    const server = fakeServer({ changes: false });
    const r = recorder();
    make(server).start(r.sink);
    await until(() => server.requests.length === 3);
    expect(server.requests.map((q) => q.path)).toEqual(['/bundle', '/changes', '/bundle']);
    expect(server.requests[2]).toMatchObject({ query: { since: '1', wait: '30' }, ifNoneMatch: 'W/"1"' });
    server.write({ writes: [t('user:b')], deletes: [] });
    await until(() => r.kinds().length === 2);
    expect(r.events[1]).toMatchObject({ kind: 'snapshot', data: { revision: '2' } });
    await until(() => server.requests.length === 4);
    expect(server.requests[3]?.path).toBe('/bundle');
  });

  it('falls back to the full bundle on 410, without waiting', async () => {
    const server = fakeServer({ window: 1 });
    const r = recorder();
    make(server, { mode: 'poll', interval: 5_000 }).start(r.sink);
    await until(() => r.kinds().length === 1);
    server.write({ writes: [t('user:b')], deletes: [] });
    server.write({ writes: [t('user:c')], deletes: [] });
    await until(() => r.kinds().length === 2);
    const paths = server.requests.map((q) => `${q.path}${q.query.wait ? '+wait' : ''}`);
    expect(paths).toEqual(['/bundle', '/changes', '/bundle']);
    expect(r.events[1]).toMatchObject({ kind: 'snapshot', data: { revision: '3' } });
    expect(users(r.state())).toEqual(['user:a', 'user:b', 'user:c']);
  });

  it('reloads in full when the sink rejects a change set', async () => {
    const server = fakeServer();
    let reject = true;
    const r = recorder({ rejectChanges: () => reject });
    make(server).start(r.sink);
    await until(() => server.requests.length === 2);
    server.write({ writes: [t('user:b')], deletes: [] });
    await until(() => r.kinds().length === 3);
    reject = false;
    expect(r.kinds()).toEqual(['snapshot', 'error', 'snapshot']);
    expect(r.errors()[0]?.message).toMatch(/gap: cannot apply/);
    expect(r.state()).toMatchObject({ revision: '2' });
    expect(server.requests[2]).toMatchObject({ path: '/bundle', ifNoneMatch: null });
  });

  it('reports corrupt payloads, keeps the last good data, backs off and recovers', async () => {
    const server = fakeServer();
    const r = recorder();
    const corruptRow = () => {
      const doc = JSON.parse(encodeChanges({ from: '1', to: '2', writes: [t('user:b')], deletes: [] }));
      doc.writes.rows[1] = 999;
      return new Response(JSON.stringify(doc));
    };
    // The bundle is fine; the first two answers of the change feed are corrupt.
    server.next(() => new Response('{"format":"gatehouse.changes",'), '/changes');
    server.next(corruptRow, '/changes');
    make(server).start(r.sink);
    await until(() => r.errors().length === 2);
    expect(r.kinds()).toEqual(['snapshot', 'error', 'error']);
    expect(r.errors().map((e) => e.code)).toEqual(['invalid_bundle', 'invalid_bundle']);
    expect(r.errors()[0]?.message).toMatch(/invalid change set: change set is not valid JSON/);
    expect(r.errors()[1]?.message).toBe('invalid change set: writes row 0: object id index 999 is not a valid index into the string table (6 entries)');
    expect(r.state()).toMatchObject({ revision: '1', tuples: [t('user:a')] });
    const at = server.requests.map((q) => q.at);
    expect((at[2] as number) - (at[1] as number)).toBeGreaterThanOrEqual(100);
    expect((at[3] ?? Infinity) - (at[2] as number)).toBeGreaterThanOrEqual(200);

    await until(() => server.requests.length === 4);
    server.write({ writes: [t('user:b')], deletes: [] });
    await until(() => r.state()?.revision === '2');
    expect(r.kinds()).toEqual(['snapshot', 'error', 'error', 'changes']);
    expect(users(r.state())).toEqual(['user:a', 'user:b']);
  });

  it('retries a failing server with growing delays, honours Retry-After, and recovers', async () => {
    const server = fakeServer();
    const r = recorder();
    const failing = () => new Response('upstream exploded', { status: 500 });
    server.next(failing);
    server.next(failing);
    server.next(failing);
    server.next(() => new Response('busy', { status: 503, headers: { 'retry-after': '5' } }));
    make(server, { backoff: { initial: 100, max: 10_000, random: () => 0 } }).start(r.sink);
    await until(() => r.kinds().includes('snapshot'));
    const times = server.requests.map((q) => q.at);
    const gaps = times.slice(1).map((x, i) => x - (times[i] as number));
    // 100, 200, 400 ms of backoff, then the 5 s the server asked for.
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
    expect(gaps[2]).toBeGreaterThanOrEqual(400);
    expect(gaps[3]).toBeGreaterThanOrEqual(5_000);
    expect(r.errors().map((e) => e.code)).toEqual(['source_unavailable', 'source_unavailable', 'source_unavailable', 'source_unavailable']);
    expect(r.errors()[0]?.message).toBe('GET http://policy.test/bundle answered HTTP 500: upstream exploded');
    expect(r.state()?.revision).toBe('1');
  });

  it('abandons a request that hangs, reports a timeout, and recovers', async () => {
    const server = fakeServer();
    const r = recorder();
    server.next((_, init) => new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))));
    make(server, { timeout: 2_000 }).start(r.sink);
    const waited = await until(() => r.errors().length === 1);
    expect(waited).toBeGreaterThanOrEqual(2_000);
    expect(r.errors()[0]?.message).toBe('GET http://policy.test/bundle timed out after 2000 ms');
    await until(() => r.kinds().includes('snapshot'));
  });

  it('reports network failures as source_unavailable', async () => {
    const server = fakeServer();
    const r = recorder();
    server.next(() => Promise.reject(new TypeError('fetch failed')));
    make(server).start(r.sink);
    await until(() => r.kinds().includes('snapshot'));
    expect(r.errors()[0]).toMatchObject({ code: 'source_unavailable', message: 'GET http://policy.test/bundle failed: fetch failed' });
  });

  it('polls on the interval when the server answers long polls at once', async () => {
    const server = fakeServer({ holds: false });
    const r = recorder();
    make(server, { interval: 1_000 }).start(r.sink);
    await until(() => server.requests.length === 2);
    await vi.advanceTimersByTimeAsync(950);
    expect(server.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(server.requests).toHaveLength(3);
  });

  it('polls sooner when a caller needs a newer revision', async () => {
    const server = fakeServer();
    const r = recorder();
    const s = make(server, { mode: 'poll', interval: 60_000 });
    s.start(r.sink);
    await until(() => r.kinds().length === 1);
    server.write({ writes: [t('user:b')], deletes: [] });
    s.requestRevision('1'); // already there: no effect
    await vi.advanceTimersByTimeAsync(1_000);
    expect(server.requests).toHaveLength(1);
    s.requestRevision('2');
    await until(() => r.kinds().length === 2, 1_000);
    expect(r.state()?.revision).toBe('2');
  });

  it('sends the configured headers, resolving a function per request', async () => {
    const server = fakeServer();
    const r = recorder();
    let n = 0;
    make(server, { mode: 'poll', interval: 100, headers: () => ({ authorization: `Bearer t${++n}` }) }).start(r.sink);
    await until(() => server.requests.length === 2);
    expect(server.requests.map((q) => q.headers.get('authorization'))).toEqual(['Bearer t1', 'Bearer t2']);
  });

  it('stops at once, aborting a held long poll, and never calls the sink afterwards', async () => {
    const server = fakeServer();
    const r = recorder();
    const s = make(server);
    s.start(r.sink);
    await until(() => server.requests.length === 2);
    await s.stop();
    server.write({ writes: [t('user:b')], deletes: [] });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(r.kinds()).toEqual(['snapshot']);
    expect(server.requests).toHaveLength(2);
    expect(() => s.start(r.sink)).not.toThrow();
    await until(() => r.kinds().length === 2);
  });

  it('confirms the current revision to the sink when the server has nothing new (304, empty long poll)', async () => {
    const server = fakeServer();
    const r = recorder();
    const beats: { revision: string; at: number }[] = [];
    const sink: SnapshotSink = { ...r.sink, heartbeat: (revision) => beats.push({ revision, at: Date.now() }) };
    make(server).start(sink);
    await until(() => server.requests.length === 2);
    expect(beats).toEqual([]);
    // The held long poll ends empty after `wait` seconds: a heartbeat, not a delivery.
    await vi.advanceTimersByTimeAsync(30_100);
    expect(beats.map((b) => b.revision)).toEqual(['1']);
    expect(r.kinds()).toEqual(['snapshot']);
    server.write({ writes: [t('user:b')], deletes: [] });
    await until(() => r.kinds().length === 2);
    await vi.advanceTimersByTimeAsync(30_100);
    expect(beats.map((b) => b.revision)).toEqual(['1', '2']);
    await source?.stop();

    // Poll mode without a change feed: every 304 is a heartbeat.
    const polled = fakeServer();
    const p = recorder();
    const polledBeats: string[] = [];
    make(polled, { mode: 'poll', interval: 1_000, changesUrl: false }).start({ ...p.sink, heartbeat: (revision) => polledBeats.push(revision) });
    await until(() => polled.requests.length === 4);
    await vi.advanceTimersByTimeAsync(10);
    expect(polledBeats).toEqual(['1', '1', '1']);
  });

  it('carries on when a sink heartbeat throws', async () => {
    const server = fakeServer();
    const r = recorder();
    make(server, { mode: 'poll', interval: 1_000, changesUrl: false }).start({
      ...r.sink,
      heartbeat: () => {
        throw new Error('broken heartbeat handler');
      },
    });
    await until(() => server.requests.length === 3);
    server.write({ writes: [t('user:b')], deletes: [] });
    await until(() => r.kinds().length === 2);
    expect(r.errors()).toEqual([]);
  });

  it('derives the change URL next to the bundle URL, keeping the query', async () => {
    const server = fakeServer();
    const r = recorder();
    make(server, { url: 'http://policy.test/bundle?store=a' }).start(r.sink);
    await until(() => server.requests.length === 2);
    expect(server.requests[1]).toMatchObject({ path: '/changes', query: { store: 'a', since: '1', wait: '30' } });
    expect(() => new HttpBundleSource({ url: 'not a url', fetch: server.fetch as typeof fetch })).toThrow(/url "not a url" is not an absolute URL/);
  });
});
