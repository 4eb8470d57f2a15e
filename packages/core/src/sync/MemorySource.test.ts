import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../errors/index';
import type { AuthorizationModel } from '../model/types';
import { applyChangeSet } from './changes';
import { MemorySource, newModelId } from './MemorySource';
import type { SnapshotSink } from './source';
import type { ChangeSet, SnapshotData } from './types';

const model: AuthorizationModel = {
  schema_version: '1.1',
  type_definitions: [{ type: 'user' }, { type: 'track', relations: { viewer: { this: {} } }, metadata: { relations: { viewer: { directly_related_user_types: [{ type: 'user' }] } } } }],
};
const model2: AuthorizationModel = { ...model, type_definitions: [...model.type_definitions, { type: 'album' }] };
const t = (user: string, object = 'track:1') => ({ user, relation: 'viewer', object });

type Event = { kind: 'snapshot'; data: SnapshotData } | { kind: 'changes'; changes: ChangeSet } | { kind: 'error'; error: GatehouseError };

/** A sink that records what it receives and keeps a materialised state, as an authorizer would. */
function recorder(behaviour: { rejectChanges?: () => boolean; delay?: () => Promise<void> } = {}) {
  const events: Event[] = [];
  let state: SnapshotData | undefined;
  // Synchronous unless a delay is given, like an authorizer that swaps its snapshot in place.
  const after = (fn: () => void): void | Promise<void> => (behaviour.delay ? behaviour.delay().then(fn) : fn());
  const sink: SnapshotSink = {
    snapshot(data) {
      return after(() => {
        events.push({ kind: 'snapshot', data });
        state = data;
      });
    },
    changes(changes) {
      return after(() => {
        if (behaviour.rejectChanges?.()) throw new GatehouseError('validation_error', 'sink refuses this delta');
        events.push({ kind: 'changes', changes });
        if (!state) throw new Error('changes before snapshot');
        state = applyChangeSet(state, changes);
      });
    },
    error(error) {
      events.push({ kind: 'error', error });
    },
  };
  return { sink, events, state: () => state, kinds: () => events.map((e) => e.kind) };
}

const users = (data: SnapshotData | undefined) => data?.tuples.map((x) => x.user).sort();

describe('MemorySource', () => {
  it('hands out increasing revisions and delivers a snapshot, then changes', () => {
    const source = new MemorySource({ model, modelId: 'm1', revision: 0, tuples: [t('user:a')] });
    const r = recorder();
    source.start(r.sink);
    expect(r.kinds()).toEqual(['snapshot']);
    expect(r.state()).toMatchObject({ revision: '0', modelId: 'm1' });

    expect(source.write([t('user:b'), t('user:c')])).toBe('1');
    expect(source.delete([t('user:a')])).toBe('2');
    expect(source.setModel(model2, 'm2')).toBe('3');
    expect(source.revision).toBe('3');
    expect(r.kinds()).toEqual(['snapshot', 'changes', 'changes', 'changes']);
    expect(r.events[3]).toMatchObject({ kind: 'changes', changes: { from: '2', to: '3', modelId: 'm2', writes: [], deletes: [] } });
    expect(users(r.state())).toEqual(['user:b', 'user:c']);
    expect(r.state()).toMatchObject({ revision: '3', modelId: 'm2' });
  });

  it('returns the current revision for a write or delete that changes nothing', () => {
    const source = new MemorySource({ model, revision: 5, tuples: [t('user:a')] });
    const r = recorder();
    source.start(r.sink);
    expect(source.write([t('user:a')])).toBe('5');
    expect(source.delete([t('user:zzz')])).toBe('5');
    expect(source.setModel(model, source.modelId)).toBe('5');
    expect(r.kinds()).toEqual(['snapshot']);
    // A different condition is a real change: the write replaces the tuple.
    expect(source.write([{ ...t('user:a'), condition: { name: 'cond' } }])).toBe('6');
    expect(r.state()?.tuples).toEqual([{ ...t('user:a'), condition: { name: 'cond' } }]);
  });

  it('applies writes, deletes and a model at one revision with apply()', () => {
    const source = new MemorySource({ model, revision: 0, tuples: [t('user:a')] });
    const r = recorder();
    source.start(r.sink);
    expect(source.apply({ writes: [t('user:b')], deletes: [t('user:a')], model: model2, modelId: 'm2' })).toBe('1');
    expect(r.events[1]).toEqual({ kind: 'changes', changes: { from: '0', to: '1', writes: [t('user:b')], deletes: [t('user:a')], model: model2, modelId: 'm2' } });
  });

  it('validates every tuple before changing anything, naming the bad one', () => {
    const source = new MemorySource({ model, revision: 0 });
    expect(() => source.write([t('user:a'), { user: 'user:b', relation: 'viewer', object: 'track' }])).toThrow(/writes\[1\]: invalid object "track"/);
    expect(() => source.delete([{ user: 'bad user', relation: 'viewer', object: 'track:1' }])).toThrow(/deletes\[0\]: invalid user "bad user"/);
    expect(() => source.setModel({ schema_version: '1.1', type_definitions: 'no' } as unknown as AuthorizationModel)).toThrow(/invalid authorization model/);
    expect(source.size).toBe(0);
    expect(source.revision).toBe('0');
  });

  it('waits for a model before delivering anything', () => {
    const source = new MemorySource({ revision: 0 });
    const r = recorder();
    source.start(r.sink);
    source.write([t('user:a')]);
    expect(r.events).toEqual([]);
    expect(source.snapshot()).toBeUndefined();
    source.setModel(model);
    expect(r.kinds()).toEqual(['snapshot']);
    expect(r.state()).toMatchObject({ revision: '2', tuples: [t('user:a')] });
    expect(source.modelId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('merges the changes that pile up while an async sink is busy', async () => {
    const source = new MemorySource({ model, revision: 0 });
    let release!: () => void;
    let gate = Promise.resolve();
    const r = recorder({ delay: () => gate });
    source.start(r.sink);
    await source.settled();
    gate = new Promise((resolve) => (release = resolve));
    source.write([t('user:a')]);
    source.write([t('user:b')]);
    source.delete([t('user:a')]);
    source.write([t('user:c')]);
    release();
    gate = Promise.resolve();
    await source.settled();
    const changes = r.events.filter((e): e is Extract<Event, { kind: 'changes' }> => e.kind === 'changes').map((e) => e.changes);
    // The first delta went out at once; the three writes made while it was pending come merged.
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['0→1', '1→4']);
    expect(changes[1]).toMatchObject({ writes: [t('user:b'), t('user:c')], deletes: [t('user:a')] });
    expect(users(r.state())).toEqual(['user:b', 'user:c']);
  });

  it('follows a rejected delta with a full snapshot', async () => {
    const source = new MemorySource({ model, revision: 0 });
    let reject = true;
    const r = recorder({ rejectChanges: () => reject });
    source.start(r.sink);
    source.write([t('user:a')]);
    reject = false;
    await source.settled();
    expect(r.kinds()).toEqual(['snapshot', 'error', 'snapshot']);
    expect((r.events[1] as { error: GatehouseError }).error.message).toBe('sink refuses this delta');
    expect(r.state()).toMatchObject({ revision: '1', tuples: [t('user:a')] });
  });

  it('feeds several sinks and stops them independently', async () => {
    const source = new MemorySource({ model, revision: 0 });
    const a = recorder();
    const b = recorder();
    source.start(a.sink);
    source.write([t('user:a')]);
    source.start(b.sink);
    expect(() => source.start(b.sink)).toThrow(/already started/);
    await source.stop(a.sink);
    source.write([t('user:b')]);
    expect(a.kinds()).toEqual(['snapshot', 'changes']);
    expect(b.kinds()).toEqual(['snapshot', 'changes']);
    expect(users(b.state())).toEqual(['user:a', 'user:b']);
    await source.stop();
    source.write([t('user:c')]);
    expect(b.kinds()).toEqual(['snapshot', 'changes']);
  });

  it('confirms the current revision to idle sinks when a write changes nothing', async () => {
    const source = new MemorySource({ model, revision: 0, tuples: [t('user:a')] });
    const beats: string[] = [];
    const r = recorder();
    source.start({ ...r.sink, heartbeat: (revision) => beats.push(revision) });
    expect(source.write([t('user:a')])).toBe('0');
    expect(source.delete([t('user:zz')])).toBe('0');
    expect(beats).toEqual(['0', '0']);
    source.write([t('user:b')]);
    expect(beats).toEqual(['0', '0']);
    source.write([t('user:b')]);
    expect(beats).toEqual(['0', '0', '1']);

    // A sink still busy with a delivery is not told anything until it has caught up.
    let release: () => void = () => {};
    const slow = recorder({ delay: () => new Promise<void>((resolve) => (release = resolve)) });
    const slowBeats: string[] = [];
    source.start({ ...slow.sink, heartbeat: (revision) => slowBeats.push(revision) });
    source.write([t('user:b')]);
    expect(slowBeats).toEqual([]);
    release();
    await source.settled();
    source.write([t('user:b')]);
    expect(slowBeats).toEqual(['1']);
    await source.stop();
  });

  it('seeds the first revision from the clock, so a restart never reuses one', () => {
    const before = Date.now() * 1000;
    const revision = Number(new MemorySource({ model }).revision);
    expect(revision).toBeGreaterThanOrEqual(before);
    expect(revision).toBeLessThanOrEqual(Date.now() * 1000);
  });

  it('makes ULID model ids that sort by time', () => {
    const a = newModelId(1_700_000_000_000);
    const b = newModelId(1_700_000_000_001);
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
    expect(newModelId()).not.toBe(newModelId());
  });
});
