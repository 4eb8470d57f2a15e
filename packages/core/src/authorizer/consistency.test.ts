import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatehouseError, httpStatusOf, openfgaCodeOf } from '../errors/index';
import type { TupleKey } from '../store/types';
import { encodeBundle } from '../sync/bundle';
import { HttpBundleSource } from '../sync/HttpBundleSource';
import { MemorySource } from '../sync/MemorySource';
import type { SnapshotSink, SnapshotSource } from '../sync/source';
import type { ChangeSet, SnapshotData } from '../sync/types';
import { data, model, ScriptedSource } from './authorizer.fixture';
import { createAuthorizer } from './createAuthorizer';
import type { Authorizer, FreshEvent, StaleEvent } from './types';
import { rejection, thrown } from '../../test/helpers/errors';

const t = (user: string, relation: string, object: string): TupleKey => ({ user, relation, object });
const viewer = (user: string) => ({ user, relation: 'viewer', object: 'doc:d1' });



/**
 * A MemorySource seen through a slow link: every delivery reaches the authorizer `delayMs` later
 * (MemorySource merges what piles up meanwhile). Polls are counted.
 */
class SlowSource implements SnapshotSource {
  readonly requested: string[] = [];
  constructor(
    readonly upstream: MemorySource,
    private readonly delayMs: number,
  ) {}
  private relay: SnapshotSink | undefined;
  start(sink: SnapshotSink): void {
    const later = (fn: () => void | Promise<void>) => new Promise<void>((resolve, reject) => setTimeout(() => Promise.resolve().then(fn).then(resolve, reject), this.delayMs));
    this.relay = {
      snapshot: (d: SnapshotData) => later(() => sink.snapshot(d)),
      changes: (c: ChangeSet) => later(() => sink.changes(c)),
      error: (e) => sink.error(e),
    };
    this.upstream.start(this.relay);
  }
  async stop(): Promise<void> {
    if (this.relay) await this.upstream.stop(this.relay);
  }
  requestRevision(atLeast: string): void {
    this.requested.push(atLeast);
  }
}

describe('consistency: atLeast', () => {
  let authorizer: Authorizer | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await authorizer?.stop();
    authorizer = undefined;
    vi.useRealTimers();
  });

  it('waits for the revision a write returned, then answers at it (read your writes)', async () => {
    const upstream = new MemorySource({ model, modelId: 'm1', revision: 1 });
    const source = new SlowSource(upstream, 100);
    authorizer = createAuthorizer({ source });
    await vi.advanceTimersByTimeAsync(100);
    expect(authorizer.revision).toBe('1');

    const revision = upstream.write([t('user:u1', 'owner', 'doc:d1')]);
    // Right after the write, a plain check still sees the old revision...
    expect(authorizer.check(viewer('user:u1'))).toEqual({ allowed: false, revision: '1', modelId: 'm1' });
    // ...while a consistent one waits for the write to arrive.
    const consistent = authorizer.checkAsync(viewer('user:u1'), { atLeast: revision });
    const listed = authorizer.listObjectsAsync({ user: 'user:u1', relation: 'viewer', type: 'doc' }, { atLeast: Number(revision) });
    const batch = authorizer.batchCheckAsync([viewer('user:u1')], { atLeast: revision });
    const users = authorizer.listUsersAsync({ object: 'doc:d1', relation: 'owner', userFilters: [{ type: 'user' }] }, { atLeast: revision });
    expect(source.requested).toEqual(['2', '2', '2', '2']);
    await vi.advanceTimersByTimeAsync(100);
    expect(await consistent).toEqual({ allowed: true, revision: '2', modelId: 'm1' });
    expect(await listed).toEqual({ objects: ['doc:d1'], revision: '2', modelId: 'm1' });
    expect((await batch).results).toEqual([{ allowed: true }]);
    expect((await users).users).toEqual(['user:u1']);
  });

  it('answers at once when the revision is already there, without asking the source', async () => {
    const source = new ScriptedSource();
    authorizer = createAuthorizer({ source });
    await source.snapshot(data('9', [t('user:u1', 'owner', 'doc:d1')]));
    expect(await authorizer.checkAsync(viewer('user:u1'), { atLeast: '3' })).toEqual({ allowed: true, revision: '9', modelId: 'm1' });
    expect((await authorizer.waitForRevision(9)).revision).toBe('9');
    expect(source.requested).toEqual([]);
  });

  it('fails closed with consistency_timeout when the revision does not arrive in time (OpenFGA 4004, HTTP 504)', async () => {
    const source = new ScriptedSource();
    authorizer = createAuthorizer({ source, consistencyTimeoutMs: 2_000 });
    await source.snapshot(data('4', []));
    const byDefault = rejection(authorizer.checkAsync(viewer('user:u1'), { atLeast: '5' }));
    const explicit = rejection(authorizer.waitForRevision('6', { timeoutMs: 500 }));
    await vi.advanceTimersByTimeAsync(500);
    const e1 = await explicit;
    expect(e1.code).toBe('consistency_timeout');
    expect(e1.message).toBe('revision 6 was not reached within 500 ms (the snapshot is at revision 4)');
    await vi.advanceTimersByTimeAsync(1_500);
    expect((await byDefault).code).toBe('consistency_timeout');
    expect([httpStatusOf('consistency_timeout'), openfgaCodeOf('consistency_timeout')]).toEqual([504, 4004]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves waiters in revision order as deltas arrive, and leaves the rest waiting', async () => {
    const source = new ScriptedSource();
    authorizer = createAuthorizer({ source });
    await source.snapshot(data('1', []));
    const seen: string[] = [];
    const a = authorizer.waitForRevision('2').then((s) => seen.push(`2@${s.revision}`));
    const b = authorizer.waitForRevision('4').then((s) => seen.push(`4@${s.revision}`));
    const c = authorizer.waitForRevision('3').then((s) => seen.push(`3@${s.revision}`));
    await source.changes({ from: '1', to: '3', writes: [t('user:u1', 'owner', 'doc:d1')], deletes: [] });
    await Promise.all([a, c]);
    expect(seen).toEqual(['2@3', '3@3']);
    await source.changes({ from: '3', to: '4', writes: [], deletes: [] });
    await b;
    expect(seen).toEqual(['2@3', '3@3', '4@4']);
  });

  it('waits for the first snapshot when no atLeast is given, up to the timeout', async () => {
    const source = new ScriptedSource();
    authorizer = createAuthorizer({ source, consistencyTimeoutMs: 1_000 });
    const early = authorizer.checkAsync(viewer('user:u1'));
    await source.snapshot(data('1', [t('user:u1', 'owner', 'doc:d1')]));
    expect(await early).toEqual({ allowed: true, revision: '1', modelId: 'm1' });

    const other = createAuthorizer({ source: new ScriptedSource() });
    const late = rejection(other.checkAsync(viewer('user:u1'), { timeoutMs: 300 }));
    await vi.advanceTimersByTimeAsync(300);
    expect((await late).code).toBe('not_ready');
    await other.stop();
  });

  it('rejects a malformed atLeast as validation_error', async () => {
    const source = new ScriptedSource();
    authorizer = createAuthorizer({ source });
    await source.snapshot(data('1', []));
    expect((await rejection(authorizer.checkAsync(viewer('user:u1'), { atLeast: 'soon' }))).code).toBe('validation_error');
    expect((await rejection(authorizer.waitForRevision(-1))).code).toBe('validation_error');
  });

  it('asks an HttpBundleSource to poll sooner, so a long interval does not delay read-your-writes', async () => {
    let state: SnapshotData = data('1', []);
    const fetch = async (input: string | URL | Request): Promise<Response> => {
      const url = new URL(String(input));
      if (url.pathname === '/changes') return new Response('no change feed', { status: 404 });
      return new Response(encodeBundle(state), { headers: { etag: `"${state.revision}"` } });
    };
    const source = new HttpBundleSource({ url: 'http://policy.test/bundle', fetch: fetch as typeof globalThis.fetch, mode: 'poll', interval: 60_000 });
    authorizer = createAuthorizer({ source });
    await authorizer.ready();
    state = data('2', [t('user:u1', 'owner', 'doc:d1')]);
    const answer = authorizer.checkAsync(viewer('user:u1'), { atLeast: '2', timeoutMs: 1_000 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await answer).toEqual({ allowed: true, revision: '2', modelId: 'm1' });
  });
});

describe('staleness', () => {
  let authorizer: Authorizer | undefined;
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await authorizer?.stop();
    authorizer = undefined;
    vi.useRealTimers();
  });

  function stalenessSetup(onStale: 'deny' | 'serve') {
    const source = new ScriptedSource();
    authorizer = createAuthorizer({ source, maxStaleness: 1_000, onStale });
    const events: (StaleEvent | FreshEvent)[] = [];
    const kinds: string[] = [];
    authorizer.on('stale', (e) => (events.push(e), kinds.push('stale')));
    authorizer.on('fresh', (e) => (events.push(e), kinds.push('fresh')));
    return { source, authorizer, events, kinds };
  }

  it('denies with stale_snapshot once the source has not confirmed the snapshot for maxStaleness (deny)', async () => {
    const { source, authorizer: a, events, kinds } = stalenessSetup('deny');
    await source.snapshot(data('3', [t('user:u1', 'owner', 'doc:d1')]));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(a.check(viewer('user:u1')).allowed).toBe(true);
    expect(kinds).toEqual([]);
    // Errors are not confirmations.
    source.fail(new GatehouseError('source_unavailable', 'GET http://policy/changes failed: ECONNRESET'));
    await vi.advanceTimersByTimeAsync(1);
    expect(kinds).toEqual(['stale']);
    expect(events[0]).toEqual({ revision: '3', lastContactAt: Date.now() - 1_001, ageMs: 1_001, denying: true });
    const error = thrown(() => a.check(viewer('user:u1')));
    expect(error.code).toBe('stale_snapshot');
    expect(error.message).toBe('the snapshot at revision 3 is stale: the source last confirmed it 1001 ms ago (maxStaleness 1000 ms)');
    expect((error.cause as GatehouseError).code).toBe('source_unavailable');
    expect([httpStatusOf('stale_snapshot'), openfgaCodeOf('stale_snapshot')]).toEqual([503, 4010]);
    expect(thrown(() => a.batchCheck([viewer('user:u1')])).code).toBe('stale_snapshot');
    expect(thrown(() => a.listObjects({ user: 'user:u1', relation: 'viewer', type: 'doc' })).code).toBe('stale_snapshot');
    expect(a.status()).toMatchObject({ stale: true, revision: '3' });

    // A heartbeat for the current revision makes it fresh again; one for another revision does not.
    await vi.advanceTimersByTimeAsync(500);
    source.beat('2');
    expect(a.status().stale).toBe(true);
    source.beat('3');
    expect(kinds).toEqual(['stale', 'fresh']);
    // Stale from the moment maxStaleness passed, 1 ms before the timer noticed.
    expect(events[1]).toEqual({ revision: '3', staleForMs: 501 });
    expect(a.check(viewer('user:u1')).allowed).toBe(true);
  });

  it('keeps serving when stale with onStale: serve, and still announces it', async () => {
    const { source, authorizer: a, kinds } = stalenessSetup('serve');
    await source.snapshot(data('3', [t('user:u1', 'owner', 'doc:d1')]));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(kinds).toEqual(['stale']);
    expect(a.check(viewer('user:u1'))).toEqual({ allowed: true, revision: '3', modelId: 'm1' });
    expect(a.status().stale).toBe(true);
    await source.changes({ from: '3', to: '4', writes: [], deletes: [] });
    expect(kinds).toEqual(['stale', 'fresh']);
    expect(a.status().stale).toBe(false);
  });

  it('counts full snapshots, deltas, empty change sets and repeated snapshots as confirmations', async () => {
    const { source, authorizer: a, kinds } = stalenessSetup('deny');
    await source.snapshot(data('3', []));
    for (const confirm of [
      () => source.changes({ from: '3', to: '4', writes: [t('user:u1', 'owner', 'doc:d1')], deletes: [] }),
      () => source.changes({ from: '4', to: '4', writes: [], deletes: [] }),
      () => source.snapshot(data('4', [])),
      () => source.snapshot(data('5', [])),
      async () => source.beat('5'),
    ]) {
      await vi.advanceTimersByTimeAsync(900);
      await confirm();
    }
    await vi.advanceTimersByTimeAsync(900);
    expect(kinds).toEqual([]);
    expect(a.check(viewer('user:u1')).revision).toBe('5');
  });

  it('does not count refused deliveries', async () => {
    const { source, kinds } = stalenessSetup('deny');
    await source.snapshot(data('3', []));
    await vi.advanceTimersByTimeAsync(900);
    await source.changes({ from: '2', to: '4', writes: [], deletes: [] });
    await source.snapshot(data('1', []));
    await vi.advanceTimersByTimeAsync(101);
    expect(kinds).toEqual(['stale']);
  });

  it('is measured from the clock on every decision, not only by its timer', async () => {
    let now = 1_000_000;
    const source = new ScriptedSource();
    authorizer = createAuthorizer({ source, maxStaleness: 1_000, now: () => now });
    await source.snapshot(data('3', []));
    now += 1_001;
    expect(thrown(() => authorizer?.check(viewer('user:u1'))).code).toBe('stale_snapshot');
  });

  it('stays fresh with an HttpBundleSource whose server answers 304 (heartbeats)', async () => {
    const fetch = async (_: unknown, init: RequestInit = {}): Promise<Response> => {
      const headers = new Headers(init.headers);
      if (headers.get('if-none-match') === '"1"') return new Response(null, { status: 304 });
      return new Response(encodeBundle(data('1', [t('user:u1', 'owner', 'doc:d1')])), { headers: { etag: '"1"' } });
    };
    const source = new HttpBundleSource({ url: 'http://policy.test/bundle', changesUrl: false, fetch: fetch as typeof globalThis.fetch, mode: 'poll', interval: 1_000 });
    authorizer = createAuthorizer({ source, maxStaleness: 3_000 });
    const kinds: string[] = [];
    authorizer.on('stale', () => kinds.push('stale'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(kinds).toEqual([]);
    expect(authorizer.check(viewer('user:u1')).allowed).toBe(true);
  });

  it('never goes stale by default', async () => {
    const source = new ScriptedSource();
    authorizer = createAuthorizer({ source });
    await source.snapshot(data('3', []));
    await vi.advanceTimersByTimeAsync(365 * 86_400_000);
    expect(authorizer.check(viewer('user:u1')).allowed).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
