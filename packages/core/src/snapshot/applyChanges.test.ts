import { describe, expect, it } from 'vitest';
import { freshAnswer, model, model2, randomCheck, randomTuple, rng } from '../authorizer/authorizer.fixture';
import { GatehouseError } from '../errors/index';
import type { TupleKey } from '../store/types';
import { applyChangeSet } from '../sync/changes';
import type { ChangeSet, SnapshotData } from '../sync/types';
import { applyChanges } from './applyChanges';
import { createSnapshot } from './createSnapshot';
import type { Snapshot } from './types';

const t = (user: string, relation: string, object: string): TupleKey => ({ user, relation, object });
const key = (x: TupleKey) => `${x.object}#${x.relation}@${x.user}|${x.condition ? JSON.stringify(x.condition) : ''}`;
const tuplesOf = (s: Snapshot) => [...s.store.tuples()].map(key).sort();

const base = () => createSnapshot({ model, modelId: 'm1', revision: '1', tuples: [t('user:u1', 'owner', 'doc:d1'), t('user:u2', 'editor', 'doc:d1')] });

describe('applyChanges', () => {
  it('produces the next snapshot and leaves the old one untouched', () => {
    const s1 = base();
    const s2 = applyChanges(s1, { from: '1', to: '2', writes: [t('user:u3', 'viewer', 'doc:d1')], deletes: [t('user:u2', 'editor', 'doc:d1')] });
    expect(s2.revision).toBe('2');
    expect(s2.tupleCount).toBe(2);
    expect(s2.evaluator.check({ user: 'user:u3', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(true);
    expect(s2.evaluator.check({ user: 'user:u2', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(false);
    // The old snapshot still answers as of revision 1.
    expect(s1.revision).toBe('1');
    expect(s1.evaluator.check({ user: 'user:u3', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(false);
    expect(s1.evaluator.check({ user: 'user:u2', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(true);
    expect(s1.tupleCount).toBe(2);
  });

  it('returns the same snapshot for an empty change set at its revision, and shares the store when only the revision moves', () => {
    const s1 = base();
    expect(applyChanges(s1, { from: '1', to: '1', writes: [], deletes: [] })).toBe(s1);
    const s5 = applyChanges(s1, { from: '1', to: '5', writes: [], deletes: [] });
    expect(s5.revision).toBe('5');
    expect(s5.store).toBe(s1.store);
    expect(s5.evaluator).toBe(s1.evaluator);
  });

  it('replaces a tuple written again (how a condition changes) and ignores deletes of absent tuples', () => {
    const cond = (expires: string): TupleKey => ({ user: 'user:*', relation: 'viewer', object: 'doc:d1', condition: { name: 'not_expired', context: { expires } } });
    const request = { user: 'user:u9', relation: 'viewer', object: 'doc:d1', context: { now: '2025-01-01T00:00:00Z' } };
    const s1 = applyChanges(base(), { from: '1', to: '2', writes: [cond('2030-01-01T00:00:00Z')], deletes: [t('user:u7', 'owner', 'doc:d9')] });
    expect(s1.evaluator.check(request).allowed).toBe(true);
    const s2 = applyChanges(s1, { from: '2', to: '3', writes: [cond('2020-01-01T00:00:00Z')], deletes: [] });
    expect(s2.evaluator.check(request).allowed).toBe(false);
    expect(s2.tupleCount).toBe(3);
  });

  it('applies deletes before writes, and the later of two writes of one tuple', () => {
    const s = applyChanges(base(), {
      from: '1',
      to: '2',
      writes: [t('user:u1', 'owner', 'doc:d1'), t('user:u4', 'blocked', 'doc:d1'), t('user:u4', 'blocked', 'doc:d1')],
      deletes: [t('user:u1', 'owner', 'doc:d1')],
    });
    expect(tuplesOf(s)).toEqual([key(t('user:u1', 'owner', 'doc:d1')), key(t('user:u2', 'editor', 'doc:d1')), key(t('user:u4', 'blocked', 'doc:d1'))].sort());
  });

  it('keeps a written tuple the model does not allow aside, exactly as a full load would', () => {
    const s = applyChanges(base(), { from: '1', to: '2', writes: [t('user:u5', 'reader', 'doc:d1'), t('user:u5', 'owner', 'doc:d2')], deletes: [] });
    expect(s.tupleCount).toBe(3);
    expect(s.ignoredCount).toBe(1);
    expect(s.evaluator.check({ user: 'user:u5', relation: 'owner', object: 'doc:d2' }).allowed).toBe(true);
    // And deleting it again removes it from the ignored set.
    const s3 = applyChanges(s, { from: '2', to: '3', writes: [], deletes: [t('user:u5', 'reader', 'doc:d1')] });
    expect(s3.ignoredCount).toBe(0);
  });

  it('applies a model change first, then the tuples, re-indexing for the new model', () => {
    const blocked = t('user:u1', 'blocked', 'doc:d1');
    const s1 = applyChanges(base(), { from: '1', to: '2', writes: [blocked], deletes: [] });
    expect(s1.evaluator.check({ user: 'user:u1', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(false);
    const s2 = applyChanges(s1, { from: '2', to: '3', writes: [t('user:u3', 'owner', 'doc:d2')], deletes: [], model: model2, modelId: 'm2' });
    expect(s2.modelId).toBe('m2');
    expect(s2.compiled).not.toBe(s1.compiled);
    expect(s2.evaluator.check({ user: 'user:u1', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(true);
    expect(s2.evaluator.check({ user: 'user:u3', relation: 'viewer', object: 'doc:d2' }).allowed).toBe(true);
    expect(s1.evaluator.check({ user: 'user:u1', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(false);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a change set for another revision', { from: '2', to: '3', writes: [], deletes: [] }, 'validation_error', /change set 2→3 does not apply to the snapshot at revision 1/],
    ['to before from', { from: '1', to: '0', writes: [], deletes: [] }, 'invalid_bundle', /to must not be less than from/],
    ['a bad revision', { from: '1', to: 'x', writes: [], deletes: [] }, 'invalid_bundle', /invalid revision "x"/],
    ['content in an empty range', { from: '1', to: '1', writes: [t('user:u1', 'owner', 'doc:d2')], deletes: [] }, 'invalid_bundle', /an empty range/],
    ['a malformed write', { from: '1', to: '2', writes: [t('user:u1', 'owner', 'doc:d2'), { user: 'user:u1' }], deletes: [] }, 'invalid_bundle', /writes\[1\]: expected a tuple/],
    ['deletes that are not an array', { from: '1', to: '2', writes: [], deletes: 'all' }, 'invalid_bundle', /deletes: expected an array/],
    ['a model without its id', { from: '1', to: '2', writes: [], deletes: [], model: model2 }, 'invalid_bundle', /model and modelId must be given together/],
    ['an invalid model', { from: '1', to: '2', writes: [], deletes: [], model: { schema_version: '1.1', type_definitions: [{ type: 'doc', relations: { v: { computedUserset: { relation: 'x' } } } }] }, modelId: 'm2' }, 'invalid_authorization_model', /x/],
    ['not an object', 42, 'invalid_bundle', /expected an object/],
  ])('refuses %s and changes nothing', (_, changes, code, message) => {
    const s1 = base();
    const before = tuplesOf(s1);
    let error: unknown;
    try {
      applyChanges(s1, changes as ChangeSet);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatehouseError);
    expect((error as GatehouseError).code).toBe(code);
    expect((error as GatehouseError).message).toMatch(message);
    expect(tuplesOf(s1)).toEqual(before);
  });

  it('agrees with a full load at every revision over random change sets (model changes included)', () => {
    for (const seed of [1, 2, 3]) {
      const random = rng(seed);
      let reference: SnapshotData = { model, modelId: 'm1', revision: '0', tuples: Array.from({ length: 20 }, () => randomTuple(random)) };
      let snap = createSnapshot(reference);
      for (let step = 1; step <= 60; step++) {
        const writes = Array.from({ length: Math.floor(random() * 5) }, () => randomTuple(random));
        const present = reference.tuples;
        const deletes = present.length === 0 ? [] : Array.from({ length: Math.floor(random() * 4) }, () => present[Math.floor(random() * present.length)] as TupleKey);
        const ids = new Set(writes.map((w) => `${w.object}#${w.relation}@${w.user}`));
        const changes: ChangeSet = {
          from: reference.revision,
          to: String(step),
          writes,
          deletes: deletes.filter((d) => !ids.has(`${d.object}#${d.relation}@${d.user}`)).map((d) => ({ user: d.user, relation: d.relation, object: d.object })),
          ...(step % 17 === 0 ? (reference.modelId === 'm1' ? { model: model2, modelId: 'm2' } : { model, modelId: 'm1' }) : {}),
        };
        reference = applyChangeSet(reference, changes);
        snap = applyChanges(snap, changes);
        const fresh = createSnapshot(reference);
        expect(snap.revision).toBe(fresh.revision);
        expect(snap.modelId).toBe(fresh.modelId);
        expect(tuplesOf(snap)).toEqual(tuplesOf(fresh));
        expect([snap.tupleCount, snap.ignoredCount]).toEqual([fresh.tupleCount, fresh.ignoredCount]);
        for (let i = 0; i < 25; i++) {
          const request = randomCheck(random);
          expect(freshAnswer(snap, request)).toEqual(freshAnswer(fresh, request));
        }
      }
    }
  });
});
