import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatehouseError, httpStatusOf, openfgaCodeOf } from '../errors/index';
import type { TupleKey } from '../store/types';
import { MemorySource } from '../sync/MemorySource';
import type { SnapshotSource } from '../sync/source';
import { data, model, model2, ScriptedSource } from './authorizer.fixture';
import { createAuthorizer } from './createAuthorizer';
import type { Authorizer, DecisionEvent, EvaluationErrorEvent, SnapshotEvent } from './types';
import { rejection, thrown } from '../../test/helpers/errors';

const t = (user: string, relation: string, object: string): TupleKey => ({ user, relation, object });
const viewer = (user: string, object = 'doc:d1') => ({ user, relation: 'viewer', object });

let authorizers: Authorizer[] = [];
function make(...args: Parameters<typeof createAuthorizer>): Authorizer {
  const a = createAuthorizer(...args);
  authorizers.push(a);
  return a;
}

afterEach(async () => {
  await Promise.all(authorizers.map((a) => a.stop()));
  authorizers = [];
  vi.useRealTimers();
});



describe('createAuthorizer: decisions', () => {
  it('answers every operation from the current snapshot, stamped with its revision and model', async () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 10, tuples: [t('user:u1', 'owner', 'doc:d1'), t('folder:f1', 'parent', 'doc:d1'), t('team:t1#member', 'viewer', 'folder:f1'), t('user:u2', 'member', 'team:t1')] });
    const a = make({ source });
    await a.ready();
    expect(a.revision).toBe('10');
    expect(a.modelId).toBe('m1');
    expect(a.check(viewer('user:u1'))).toEqual({ allowed: true, revision: '10', modelId: 'm1' });
    expect(a.check(viewer('user:u3'))).toEqual({ allowed: false, revision: '10', modelId: 'm1' });
    const batch = a.batchCheck([viewer('user:u2'), viewer('user:u3'), { user: 'user:u1', relation: 'nope', object: 'doc:d1' }]);
    expect(batch.revision).toBe('10');
    expect(batch.results[0]).toEqual({ allowed: true });
    expect(batch.results[1]).toEqual({ allowed: false });
    expect(batch.results[2]?.error?.code).toBe('validation_error');
    expect(a.listObjects({ user: 'user:u2', relation: 'viewer', type: 'doc' })).toEqual({ objects: ['doc:d1'], revision: '10', modelId: 'm1' });
    expect(a.listUsers({ object: 'doc:d1', relation: 'owner', userFilters: [{ type: 'user' }] })).toEqual({ users: ['user:u1'], revision: '10', modelId: 'm1' });
    const why = a.explain(viewer('user:u2'));
    expect(why).toMatchObject({ allowed: true, revision: '10', modelId: 'm1' });
    expect(why.text).toMatch(/folder:f1/);

    source.write([t('user:u3', 'editor', 'doc:d1')]);
    expect(a.check(viewer('user:u3'))).toEqual({ allowed: true, revision: '11', modelId: 'm1' });
  });

  it('fails closed with not_ready before the first snapshot (OpenFGA 4010, HTTP 503)', () => {
    const a = make({ source: new ScriptedSource() });
    for (const call of [() => a.check(viewer('user:u1')), () => a.batchCheck([]), () => a.listObjects({ user: 'user:u1', relation: 'viewer', type: 'doc' }), () => a.listUsers({ object: 'doc:d1', relation: 'viewer', userFilters: [{ type: 'user' }] }), () => a.explain(viewer('user:u1'))]) {
      const error = thrown(call);
      expect(error.code).toBe('not_ready');
      expect(error.message).toMatch(/no snapshot loaded yet: await authorizer.ready\(\)/);
    }
    expect([httpStatusOf('not_ready'), openfgaCodeOf('not_ready')]).toEqual([503, 4010]);
    expect(a.getSnapshot()).toBeUndefined();
    expect(a.status()).toMatchObject({ ready: false, revision: undefined, stale: false });
  });

  it('turns evaluation failures into typed errors, emits them, and denies', async () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1, tuples: [{ user: 'user:*', relation: 'viewer', object: 'doc:d1', condition: { name: 'not_expired', context: { expires: '2030-01-01T00:00:00Z' } } }] });
    const a = make({ source });
    const errors: EvaluationErrorEvent[] = [];
    a.on('error', (e) => errors.push(e));
    // The condition needs `now`, which the request does not give.
    expect(thrown(() => a.check(viewer('user:u1'))).code).toBe('condition_evaluation_error');
    expect(thrown(() => a.listObjects({ user: 'user:u1', relation: 'viewer', type: 'nope' })).code).toBe('type_not_found');
    expect(thrown(() => a.check({ user: 'not a user', relation: 'viewer', object: 'doc:d1' })).code).toBe('validation_error');
    expect(thrown(() => a.check(null as never)).code).toBe('validation_error');
    expect(thrown(() => a.batchCheck('x' as never)).code).toBe('validation_error');
    expect(errors.map((e) => [e.operation, e.error.code, e.revision])).toEqual([
      ['check', 'condition_evaluation_error', '1'],
      ['listObjects', 'type_not_found', '1'],
      ['check', 'validation_error', '1'],
      ['check', 'validation_error', '1'],
    ]);
    expect(a.check({ ...viewer('user:u1'), context: { now: '2025-01-01T00:00:00Z' } }).allowed).toBe(true);
  });
});

describe('createAuthorizer: lifecycle', () => {
  it('ready() resolves on the first snapshot, and at once afterwards', async () => {
    const source = new ScriptedSource();
    const a = make({ source });
    let resolved = false;
    const ready = a.ready().then(() => (resolved = true));
    await Promise.resolve();
    expect(resolved).toBe(false);
    expect(await source.snapshot(data('1', []))).toBe('applied');
    await ready;
    expect(resolved).toBe(true);
    await expect(a.ready()).resolves.toBeUndefined();
    expect(a.status()).toMatchObject({ ready: true, revision: '1', modelId: 'm1' });
  });

  it('ready() rejects with not_ready after its timeout, naming the source trouble', async () => {
    vi.useFakeTimers();
    const source = new ScriptedSource();
    const a = make({ source, readyTimeoutMs: 1_000 });
    source.fail(new GatehouseError('source_unavailable', 'GET http://policy/bundle failed: connection refused'));
    const pending = rejection(a.ready());
    await vi.advanceTimersByTimeAsync(999);
    const shorter = rejection(a.ready({ timeoutMs: 10 }));
    await vi.advanceTimersByTimeAsync(10);
    const error = await pending;
    expect(error.code).toBe('not_ready');
    expect(error.message).toBe("no snapshot loaded within 1000 ms; the source's last error: GET http://policy/bundle failed: connection refused");
    expect((error.cause as GatehouseError).code).toBe('source_unavailable');
    expect((await shorter).message).toMatch(/within 10 ms/);
  });

  it('stop() stops the source, rejects pending waits and ignores late deliveries', async () => {
    const source = new ScriptedSource();
    const a = make({ source });
    const ready = rejection(a.ready());
    const waiting = rejection(a.waitForRevision('5'));
    const sink = source.sink;
    await a.stop();
    expect(source.stopped).toBe(1);
    expect((await ready).code).toBe('not_ready');
    expect((await waiting).message).toBe('the authorizer was stopped');
    sink?.snapshot(data('1', []));
    expect(a.getSnapshot()).toBeUndefined();
    expect(thrown(() => a.check(viewer('user:u1'))).message).toBe('the authorizer was stopped before its first snapshot');
    expect((await rejection(a.ready())).code).toBe('not_ready');
    expect((await rejection(a.start())).code).toBe('validation_error');
    await a.stop();
    expect(source.stopped).toBe(1);
  });

  it('keeps answering from the last snapshot after stop()', async () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1, tuples: [t('user:u1', 'owner', 'doc:d1')] });
    const a = make({ source });
    await a.stop();
    source.write([t('user:u2', 'owner', 'doc:d1')]);
    expect(a.check(viewer('user:u2'))).toEqual({ allowed: false, revision: '1', modelId: 'm1' });
    expect(a.status().stopped).toBe(true);
  });

  it('with autoStart: false, starts on start(), so listeners see the first snapshot', async () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1 });
    const a = make({ source, autoStart: false });
    const events: SnapshotEvent[] = [];
    a.on('snapshot', (e) => events.push(e));
    expect(a.getSnapshot()).toBeUndefined();
    await a.start();
    await a.start();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'full', revision: '1', previousRevision: undefined, modelChanged: true, tupleCount: 0 });
  });

  it('throws a synchronous start failure at once, and reports an asynchronous one through ready()', async () => {
    expect(() => createAuthorizer({ source: { start: () => { throw new Error('already started'); }, stop: () => {} } })).toThrow(/internal error: already started/);
    const failing = { start: () => Promise.reject(new GatehouseError('source_unavailable', 'cannot open')), stop: () => {} };
    const a = make({ source: failing, autoStart: false });
    const errors: GatehouseError[] = [];
    a.on('syncError', (e) => errors.push(e));
    expect((await rejection(a.start())).message).toBe('cannot open');
    expect((await rejection(a.ready())).message).toBe('cannot open');
    expect(errors.map((e) => e.code)).toEqual(['source_unavailable']);
  });

  it.each<[string, Parameters<typeof createAuthorizer>[0], RegExp]>([
    ['a negative cache size', { cache: { max: -1 } }, /cache.max must be a non-negative integer, got -1/],
    ['a fractional cache size', { cache: { max: 1.5 } }, /cache.max/],
    ['a sample rate above 1', { decisionLog: { sampleRate: 2 } }, /decisionLog.sampleRate must be a number from 0 to 1, got 2/],
    ['a negative staleness', { maxStaleness: -5 }, /maxStaleness must be a non-negative number of ms, got -5/],
    ['a NaN timeout', { consistencyTimeoutMs: Number.NaN }, /consistencyTimeoutMs/],
    ['an unknown onStale', { onStale: 'ignore' as 'deny' }, /onStale must be 'deny' or 'serve', got "ignore"/],
    ['a zero depth', { maxDepth: 0 }, /maxDepth must be a positive integer/],
    ['a source that is not a source', { source: {} as SnapshotSource }, /source must be a snapshot source \(an object with start\(\) and stop\(\)\)/],
    ['a clock that is not a function', { now: 5 as unknown as () => number }, /now must be a function, got 5/],
    ['several problems at once', { maxDepth: 0, onStale: 'x' as 'deny' }, /onStale must be 'deny' or 'serve', got "x"; maxDepth must be a positive integer, got 0/],
  ])('refuses %s', (_, options, message) => {
    const error = thrown(() => createAuthorizer(options));
    expect(error.code).toBe('validation_error');
    expect(error.message).toMatch(message);
  });

  it('works without a source, fed through its sink methods', () => {
    const a = make({});
    a.snapshot(data('3', [t('user:u1', 'owner', 'doc:d1')]));
    a.changes({ from: '3', to: '4', writes: [t('user:u2', 'owner', 'doc:d1')], deletes: [] });
    expect(a.check(viewer('user:u2'))).toEqual({ allowed: true, revision: '4', modelId: 'm1' });
  });
});

describe('createAuthorizer: events and subscriptions', () => {
  it('announces each swap with its kind, counts and duration, and notifies subscribers', () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1, tuples: [t('user:u1', 'owner', 'doc:d1')] });
    const a = make({ source, autoStart: false });
    const events: SnapshotEvent[] = [];
    const seen: (string | undefined)[] = [];
    a.on('snapshot', (e) => events.push(e));
    const unsubscribe = a.subscribe(() => seen.push(a.getSnapshot()?.revision));
    void a.start();
    source.apply({ writes: [t('user:u2', 'owner', 'doc:d1'), t('user:u2', 'reader', 'doc:d1')], deletes: [t('user:u1', 'owner', 'doc:d1')] });
    source.setModel(model2, 'm2');
    unsubscribe();
    source.write([t('user:u3', 'owner', 'doc:d1')]);
    expect(events.map((e) => [e.kind, e.revision, e.previousRevision, e.modelId, e.modelChanged, e.tupleCount, e.ignoredCount, e.writes, e.deletes])).toEqual([
      ['full', '1', undefined, 'm1', true, 1, 0, undefined, undefined],
      ['delta', '2', '1', 'm1', false, 1, 1, 2, 1],
      ['delta', '3', '2', 'm2', true, 1, 1, 0, 0],
      ['delta', '4', '3', 'm2', false, 2, 1, 1, 0],
    ]);
    expect(events.every((e) => e.durationMs >= 0)).toBe(true);
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('keeps getSnapshot() stable between swaps, and works detached (useSyncExternalStore)', () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1 });
    const a = make({ source });
    // React calls both without `this`.
    const { subscribe, getSnapshot } = a;
    let notified = 0;
    const unsubscribe = subscribe(() => notified++);
    const first = getSnapshot();
    a.check(viewer('user:u1'));
    expect(getSnapshot()).toBe(first);
    source.write([t('user:u1', 'owner', 'doc:d1')]);
    expect(getSnapshot()).not.toBe(first);
    expect(getSnapshot()).toBe(a.getSnapshot());
    expect(first?.revision).toBe('1');
    expect(notified).toBe(1);
    unsubscribe();
  });

  it('unsubscribes listeners, and isolates one that throws', async () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1 });
    const a = make({ source, autoStart: false });
    const seen: string[] = [];
    const off = a.on('snapshot', (e) => seen.push(`a${e.revision}`));
    a.on('snapshot', () => {
      throw new Error('listener bug');
    });
    a.on('snapshot', (e) => seen.push(`c${e.revision}`));
    const uncaught: unknown[] = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (fn) => original(() => {
      try {
        fn();
      } catch (error) {
        uncaught.push(error);
      }
    });
    try {
      await a.start();
      off();
      source.write([t('user:u1', 'owner', 'doc:d1')]);
      await Promise.resolve();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(seen).toEqual(['a1', 'c1', 'c2']);
    expect(uncaught.map((e) => (e as Error).message)).toEqual(['listener bug', 'listener bug']);
    expect(a.check(viewer('user:u1')).allowed).toBe(true);
  });
});

describe('createAuthorizer: decision cache', () => {
  it('counts hits and misses, and never serves an answer from an older revision', () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1, tuples: [t('user:u1', 'owner', 'doc:d1')] });
    const a = make({ source, cache: { max: 100 } });
    const first = a.check(viewer('user:u1'));
    expect(a.check(viewer('user:u1'))).toBe(first);
    expect(a.cacheStats()).toEqual({ hits: 1, misses: 1, size: 1, max: 100 });
    // The answer flips at revision 2; the cached revision-1 answer must not come back.
    source.write([t('user:u1', 'blocked', 'doc:d1')]);
    expect(a.check(viewer('user:u1'))).toEqual({ allowed: false, revision: '2', modelId: 'm1' });
    expect(a.cacheStats()).toMatchObject({ hits: 1, misses: 2, size: 1 });
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('keys on context and contextual tuples', () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1, tuples: [{ user: 'user:*', relation: 'viewer', object: 'doc:d1', condition: { name: 'not_expired', context: { expires: '2026-01-01T00:00:00Z' } } }] });
    const a = make({ source });
    const at = (now: string) => a.check({ ...viewer('user:u1'), context: { now } }).allowed;
    expect([at('2025-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'), at('2025-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')]).toEqual([true, false, true, false]);
    const withTuple = { ...viewer('user:u9'), context: { now: '2030-01-01T00:00:00Z' }, contextualTuples: [t('user:u9', 'owner', 'doc:d1')] };
    expect(a.check(withTuple).allowed).toBe(true);
    expect(a.check({ ...withTuple, contextualTuples: [] }).allowed).toBe(false);
    expect(a.cacheStats()).toMatchObject({ hits: 2, misses: 4 });
  });

  it('does not cache errors, nor requests it cannot key safely', () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1, tuples: [t('user:u1', 'owner', 'doc:d1')] });
    const a = make({ source });
    const bad = { user: 'user:u1', relation: 'nope', object: 'doc:d1' };
    expect(thrown(() => a.check(bad)).code).toBe('validation_error');
    expect(thrown(() => a.check(bad)).code).toBe('validation_error');
    expect(a.cacheStats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
    const odd = { ...viewer('user:u1'), context: { when: new Date(0) } };
    a.check(odd);
    a.check(odd);
    expect(a.cacheStats()).toMatchObject({ hits: 0, misses: 2, size: 0 });
  });

  it('serves batch checks from the cache and fills it', () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1, tuples: [t('user:u1', 'owner', 'doc:d1')] });
    const a = make({ source });
    a.check(viewer('user:u1'));
    const batch = a.batchCheck([viewer('user:u1'), viewer('user:u2'), viewer('user:u1', 'doc:d2')]);
    expect(batch.results).toEqual([{ allowed: true }, { allowed: false }, { allowed: false }]);
    expect(a.cacheStats()).toMatchObject({ hits: 1, misses: 3, size: 3 });
    expect(a.check(viewer('user:u2')).allowed).toBe(false);
    expect(a.cacheStats()).toMatchObject({ hits: 2 });
  });

  it('is off with max 0', () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 1 });
    const a = make({ source, cache: { max: 0 } });
    a.check(viewer('user:u1'));
    a.check(viewer('user:u1'));
    expect(a.cacheStats()).toEqual({ hits: 0, misses: 0, size: 0, max: 0 });
  });

  it('answers a hit much faster than a miss', () => {
    // A deep check: the user reaches the doc through a folder, a team and a nested team.
    const tuples = [t('folder:f1', 'parent', 'doc:d1'), t('team:t1#member', 'viewer', 'folder:f1'), t('team:t2#member', 'member', 'team:t1'), t('user:u1', 'member', 'team:t2')];
    for (let i = 0; i < 200; i++) tuples.push(t(`user:x${i}`, 'editor', 'doc:d1'), t(`team:x${i}#member`, 'viewer', 'folder:f1'));
    const cached = make({ source: new MemorySource({ model, modelId: 'm1', revision: 1, tuples }) });
    const uncached = make({ source: new MemorySource({ model, modelId: 'm1', revision: 1, tuples }), cache: { max: 0 } });
    const request = { ...viewer('user:u1'), context: { now: '2025-01-01T00:00:00Z' } };
    const time = (a: Authorizer) => {
      let best = Number.POSITIVE_INFINITY;
      for (let round = 0; round < 5; round++) {
        const start = performance.now();
        for (let i = 0; i < 2_000; i++) a.check(request);
        best = Math.min(best, performance.now() - start);
      }
      return best;
    };
    time(cached);
    time(uncached);
    expect(time(cached) * 2).toBeLessThan(time(uncached));
  });
});

describe('createAuthorizer: decision log', () => {
  it('is off by default', () => {
    const a = make({ source: new MemorySource({ model, modelId: 'm1', revision: 1 }) });
    const decisions: DecisionEvent[] = [];
    a.on('decision', (d) => decisions.push(d));
    a.check(viewer('user:u1'));
    expect(decisions).toEqual([]);
  });

  it('logs who, what, the answer, the revision and whether it was cached; denials by error included', () => {
    const a = make({ source: new MemorySource({ model, modelId: 'm1', revision: 4, tuples: [t('user:u1', 'owner', 'doc:d1')] }), decisionLog: {} });
    const decisions: DecisionEvent[] = [];
    a.on('decision', (d) => decisions.push(d));
    a.check(viewer('user:u1'));
    a.check(viewer('user:u1'));
    thrown(() => a.check({ user: 'user:u1', relation: 'nope', object: 'doc:d1' }));
    a.batchCheck([viewer('user:u1'), viewer('user:u2')]);
    expect(decisions.map(({ durationMs, ...d }) => (expect(durationMs).toBeGreaterThanOrEqual(0), d))).toEqual([
      { operation: 'check', user: 'user:u1', relation: 'viewer', object: 'doc:d1', allowed: true, revision: '4', modelId: 'm1', cached: false },
      { operation: 'check', user: 'user:u1', relation: 'viewer', object: 'doc:d1', allowed: true, revision: '4', modelId: 'm1', cached: true },
      { operation: 'check', user: 'user:u1', relation: 'nope', object: 'doc:d1', allowed: false, revision: '4', modelId: 'm1', cached: false, error: 'validation_error' },
      { operation: 'batchCheck', user: 'user:u1', relation: 'viewer', object: 'doc:d1', allowed: true, revision: '4', modelId: 'm1', cached: true },
      { operation: 'batchCheck', user: 'user:u2', relation: 'viewer', object: 'doc:d1', allowed: false, revision: '4', modelId: 'm1', cached: false },
    ]);
  });

  it('logs checks refused before the first snapshot', () => {
    const a = make({ source: new ScriptedSource(), decisionLog: { sampleRate: 1 } });
    const decisions: DecisionEvent[] = [];
    a.on('decision', (d) => decisions.push(d));
    thrown(() => a.check(viewer('user:u1')));
    thrown(() => a.batchCheck([viewer('user:u2')]));
    expect(decisions).toMatchObject([
      { operation: 'check', user: 'user:u1', allowed: false, revision: undefined, error: 'not_ready' },
      { operation: 'batchCheck', user: 'user:u2', allowed: false, revision: undefined, error: 'not_ready' },
    ]);
  });

  it('samples at the configured rate', () => {
    let n = 0;
    const sequence = [0.1, 0.9, 0.3, 0.7, 0.24, 0.26];
    const a = make({ source: new MemorySource({ model, modelId: 'm1', revision: 1 }), decisionLog: { sampleRate: 0.25, random: () => sequence[n++ % sequence.length] as number } });
    const decisions: DecisionEvent[] = [];
    a.on('decision', (d) => decisions.push(d));
    for (let i = 0; i < 6; i++) a.check(viewer(`user:u${i}`));
    expect(decisions.map((d) => d.user)).toEqual(['user:u0', 'user:u4']);
  });

  it('samples about the configured share over many decisions', () => {
    const a = make({ source: new MemorySource({ model, modelId: 'm1', revision: 1 }), decisionLog: { sampleRate: 0.1 } });
    let logged = 0;
    a.on('decision', () => logged++);
    for (let i = 0; i < 5_000; i++) a.check(viewer(`user:u${i % 50}`));
    expect(logged).toBeGreaterThan(350);
    expect(logged).toBeLessThan(650);
  });
});
