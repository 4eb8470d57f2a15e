import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatehouseError } from '../errors/index';
import type { TupleKey } from '../store/types';
import { encodeBundle, encodeChanges } from '../sync/bundle';
import { HttpBundleSource } from '../sync/HttpBundleSource';
import type { ChangeSet, SnapshotData } from '../sync/types';
import { data, model, model2, ScriptedSource } from './authorizer.fixture';
import { createAuthorizer } from './createAuthorizer';
import type { Authorizer, SnapshotEvent } from './types';

const t = (user: string, relation: string, object: string): TupleKey => ({ user, relation, object });
const viewer = (user: string) => ({ user, relation: 'viewer', object: 'doc:d1' });

/** An authorizer on a scripted source, with everything it announces recorded. */
function setup(options: Parameters<typeof createAuthorizer>[0] = {}) {
  const source = new ScriptedSource();
  const authorizer = createAuthorizer({ source, ...options });
  const syncErrors: GatehouseError[] = [];
  const snapshots: SnapshotEvent[] = [];
  authorizer.on('syncError', (e) => syncErrors.push(e));
  authorizer.on('snapshot', (e) => snapshots.push(e));
  return { source, authorizer, syncErrors, snapshots };
}

/** Everything a user can see, as the answer key for "nothing changed". */
const answers = (a: Authorizer) => ['user:u1', 'user:u2', 'user:u3'].map((u) => a.check(viewer(u)));

describe('fault injection: the last good snapshot is kept and nothing wrong is answered', () => {
  let env: ReturnType<typeof setup>;
  let before: ReturnType<typeof answers>;

  beforeEach(async () => {
    env = setup();
    expect(await env.source.snapshot(data('5', [t('user:u1', 'owner', 'doc:d1'), t('user:u2', 'editor', 'doc:d1')]))).toBe('applied');
    before = answers(env.authorizer);
    expect(before.map((x) => x.allowed)).toEqual([true, true, false]);
  });

  afterEach(async () => {
    await env.authorizer.stop();
  });

  const unchanged = () => {
    expect(env.authorizer.revision).toBe('5');
    expect(answers(env.authorizer)).toEqual(before);
    expect(env.snapshots).toHaveLength(1);
  };

  it('a source that reports failures: events fire, decisions continue', () => {
    env.source.fail(new GatehouseError('source_unavailable', 'GET http://policy/changes failed: ECONNRESET'));
    env.source.fail(new GatehouseError('source_unavailable', 'GET http://policy/changes timed out after 10000 ms'));
    expect(env.syncErrors.map((e) => e.message)).toEqual(['GET http://policy/changes failed: ECONNRESET', 'GET http://policy/changes timed out after 10000 ms']);
    expect(env.authorizer.status().lastError?.message).toMatch(/timed out/);
    unchanged();
  });

  it.each<[string, SnapshotData, string, RegExp]>([
    ['an invalid model', data('6', [], { model: { schema_version: '1.1', type_definitions: [{ type: 'doc', relations: { viewer: { computedUserset: { relation: 'ghost' } } } }] } }), 'invalid_authorization_model', /ghost/],
    ['a malformed tuple', data('6', [t('user:u3', 'owner', 'doc:d1'), null as unknown as TupleKey]), 'invalid_bundle', /tuples\[1\]/],
    ['tuples that are not a list', data('6', 'lots' as unknown as TupleKey[]), 'invalid_bundle', /expected an array/],
    ['a corrupt revision', data('6x', []), 'invalid_bundle', /invalid revision "6x"/],
    ['no model id', data('6', [], { modelId: '' }), 'invalid_bundle', /invalid modelId/],
    ['an older revision', data('4', [t('user:u3', 'owner', 'doc:d1')]), 'validation_error', /refused snapshot at revision 4 \(model m1\): the authorizer is at revision 5/],
    ['the same revision with another model', data('5', [], { model: model2, modelId: 'm2' }), 'validation_error', /revisions never go back/],
  ])('a full snapshot with %s is refused', async (_, payload, code, message) => {
    const outcome = await env.source.snapshot(payload);
    expect(outcome).toBeInstanceOf(GatehouseError);
    expect((outcome as GatehouseError).code).toBe(code);
    expect((outcome as GatehouseError).message).toMatch(message);
    expect(env.syncErrors.map((e) => e.code)).toEqual([code]);
    unchanged();
  });

  it.each<[string, ChangeSet, string, RegExp]>([
    ['a gap (from is not the current revision)', { from: '4', to: '6', writes: [t('user:u3', 'owner', 'doc:d1')], deletes: [] }, 'validation_error', /change set 4→6 does not apply to the snapshot at revision 5/],
    ['a revision going backwards', { from: '5', to: '3', writes: [], deletes: [] }, 'invalid_bundle', /to must not be less than from/],
    ['a malformed write', { from: '5', to: '6', writes: [t('user:u3', 'owner', 'doc:d1'), { user: 'user:u3' } as TupleKey], deletes: [] }, 'invalid_bundle', /writes\[1\]/],
    ['a malformed delete', { from: '5', to: '6', writes: [], deletes: [null as unknown as TupleKey] }, 'invalid_bundle', /deletes\[0\]/],
    ['an invalid new model', { from: '5', to: '6', writes: [], deletes: [], model: { schema_version: '1.1', type_definitions: [{ type: 'user' }, { type: 'user' }] }, modelId: 'm9' }, 'invalid_authorization_model', /user/],
    ['a model without an id', { from: '5', to: '6', writes: [], deletes: [], model: model2 }, 'invalid_bundle', /together/],
    ['content in an empty range', { from: '5', to: '5', writes: [t('user:u3', 'owner', 'doc:d1')], deletes: [] }, 'invalid_bundle', /empty range/],
  ])('a change set with %s is refused', async (_, changes, code, message) => {
    const outcome = await env.source.changes(changes);
    expect((outcome as GatehouseError).code).toBe(code);
    expect((outcome as GatehouseError).message).toMatch(message);
    expect(env.syncErrors).toHaveLength(1);
    unchanged();
    // The source follows a refused delta with a full snapshot, which is accepted.
    expect(await env.source.snapshot(data('7', [t('user:u3', 'owner', 'doc:d1')]))).toBe('applied');
    expect(answers(env.authorizer).map((x) => [x.allowed, x.revision])).toEqual([[false, '7'], [false, '7'], [true, '7']]);
  });

  it('a change set before any snapshot is refused', async () => {
    const fresh = setup();
    const outcome = await fresh.source.changes({ from: '1', to: '2', writes: [], deletes: [] });
    expect((outcome as GatehouseError).message).toBe('cannot apply a change set before the first snapshot: a full snapshot is needed');
    expect(fresh.authorizer.getSnapshot()).toBeUndefined();
    await fresh.authorizer.stop();
  });

  it('a source that hangs after loading: decisions continue from the last snapshot', async () => {
    vi.useFakeTimers();
    try {
      await vi.advanceTimersByTimeAsync(3_600_000);
      unchanged();
      expect(env.authorizer.status().stale).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a rollback is accepted only when allowed', async () => {
    const lenient = setup({ allowRevisionRollback: true });
    await lenient.source.snapshot(data('5', [t('user:u1', 'owner', 'doc:d1')]));
    expect(await lenient.source.snapshot(data('2', [t('user:u3', 'owner', 'doc:d1')]))).toBe('applied');
    expect(lenient.authorizer.check(viewer('user:u3'))).toEqual({ allowed: true, revision: '2', modelId: 'm1' });
    await lenient.authorizer.stop();
  });

  it('a full snapshot repeating the current revision is a confirmation, not a rebuild', async () => {
    const snap = env.authorizer.getSnapshot();
    expect(await env.source.snapshot(data('5', [t('user:u3', 'owner', 'doc:d1')]))).toBe('applied');
    expect(env.authorizer.getSnapshot()).toBe(snap);
    unchanged();
  });
});

describe('fault injection: a corrupt first snapshot', () => {
  it('stays not ready (nothing half-loaded), then recovers with the next good one', async () => {
    const { source, authorizer, syncErrors } = setup();
    const ready = authorizer.ready();
    expect(await source.snapshot(data('1', [t('user:u1', 'owner', 'doc:d1'), 7 as unknown as TupleKey]))).toBeInstanceOf(GatehouseError);
    expect(authorizer.getSnapshot()).toBeUndefined();
    let error: GatehouseError | undefined;
    try {
      authorizer.check(viewer('user:u1'));
    } catch (e) {
      error = e as GatehouseError;
    }
    expect(error?.code).toBe('not_ready');
    expect((error?.cause as GatehouseError).code).toBe('invalid_bundle');
    expect(await source.snapshot(data('2', [t('user:u1', 'owner', 'doc:d1')]))).toBe('applied');
    await ready;
    expect(authorizer.check(viewer('user:u1'))).toEqual({ allowed: true, revision: '2', modelId: 'm1' });
    expect(syncErrors.map((e) => e.code)).toEqual(['invalid_bundle']);
    await authorizer.stop();
  });

  it('a source whose requestRevision throws: the error is reported and the wait goes on', async () => {
    vi.useFakeTimers();
    const source = new ScriptedSource();
    source.requestRevision = () => {
      throw new Error('poll queue full');
    };
    const authorizer = createAuthorizer({ source });
    const errors: string[] = [];
    authorizer.on('syncError', (e) => errors.push(e.message));
    try {
      await source.snapshot(data('1', []));
      const waiting = authorizer.waitForRevision('2', { timeoutMs: 1_000 });
      expect(errors).toEqual(['internal error: poll queue full']);
      await source.changes({ from: '1', to: '2', writes: [], deletes: [] });
      expect((await waiting).revision).toBe('2');
    } finally {
      await authorizer.stop();
      vi.useRealTimers();
    }
  });
});

describe('fault injection: a source that never delivers', () => {
  it('fails closed until ready, with the source trouble as the cause', async () => {
    vi.useFakeTimers();
    const { source, authorizer } = setup({ readyTimeoutMs: 5_000 });
    try {
      source.fail(new GatehouseError('source_unavailable', 'GET http://policy/bundle answered HTTP 503'));
      const ready = authorizer.ready().catch((e: unknown) => e as GatehouseError);
      let error: GatehouseError | undefined;
      try {
        authorizer.check(viewer('user:u1'));
      } catch (e) {
        error = e as GatehouseError;
      }
      expect(error?.code).toBe('not_ready');
      expect(error?.message).toMatch(/the source's last error: GET http:\/\/policy\/bundle answered HTTP 503/);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(await ready).toMatchObject({ code: 'not_ready' });
    } finally {
      await authorizer.stop();
      vi.useRealTimers();
    }
  });
});

describe('fault injection over HTTP: HttpBundleSource and the authorizer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('survives corrupt bundles, server errors and bad deltas, and converges', async () => {
    let state: SnapshotData = data('1', [t('user:u1', 'owner', 'doc:d1')]);
    const script: (() => Response)[] = [
      () => new Response('{"format":"gatehouse.bundle","version":1', { status: 200 }),
      () => new Response('upstream exploded', { status: 500 }),
      () => new Response(encodeBundle(state), { status: 200, headers: { etag: '"1"' } }),
      // A delta that claims to start at the right revision but names a corrupt tuple row.
      () => {
        const doc = JSON.parse(encodeChanges({ from: '1', to: '2', writes: [t('user:u2', 'owner', 'doc:d1')], deletes: [] }));
        doc.writes.rows[0] = 999;
        return new Response(JSON.stringify(doc));
      },
      // A delta the authorizer refuses (an invalid model); the source then reloads the bundle.
      () => new Response(encodeChanges({ from: '1', to: '2', writes: [], deletes: [], model: { schema_version: '1.1', type_definitions: [{ type: 'user' }, { type: 'doc', relations: { v: { computedUserset: { relation: 'ghost' } } } }] }, modelId: 'bad' })),
      () => {
        state = data('3', [t('user:u1', 'owner', 'doc:d1'), t('user:u2', 'owner', 'doc:d1')]);
        return new Response(encodeBundle(state), { status: 200, headers: { etag: '"3"' } });
      },
    ];
    const fetch = async (): Promise<Response> => (script.shift() ?? (() => new Response(null, { status: 304 })))();
    const source = new HttpBundleSource({ url: 'http://policy.test/bundle', fetch: fetch as typeof globalThis.fetch, mode: 'poll', interval: 1_000, backoff: { initial: 100, max: 1_000, random: () => 0 } });
    const authorizer = createAuthorizer({ source });
    const errors: string[] = [];
    authorizer.on('syncError', (e) => errors.push(e.code));
    const answersSeen: string[] = [];
    try {
      for (let i = 0; i < 100 && authorizer.revision !== '3'; i++) {
        await vi.advanceTimersByTimeAsync(50);
        if (authorizer.revision !== undefined) {
          const r = authorizer.check(viewer('user:u2'));
          answersSeen.push(`${r.revision}:${r.allowed}`);
        }
      }
      expect(authorizer.revision).toBe('3');
      expect(errors).toEqual(['invalid_bundle', 'source_unavailable', 'invalid_bundle', 'invalid_authorization_model']);
      // Every answer was right for the revision it reports: u2 only owns the doc at revision 3.
      expect(new Set(answersSeen)).toEqual(new Set(['1:false', '3:true']));
    } finally {
      await authorizer.stop();
    }
  });
});
