import { describe, expect, it } from 'vitest';
import type { AuthorizationModel } from '../model/types';
import { decodeChanges, encodeChanges } from './bundle';
import { applyChangeSet, diffSnapshots, isEmptyChangeSet, mergeChangeSets } from './changes';
import type { ChangeSet, SnapshotData } from './types';

const model: AuthorizationModel = { schema_version: '1.1', type_definitions: [{ type: 'user' }] };
const model2: AuthorizationModel = { schema_version: '1.1', type_definitions: [{ type: 'user' }, { type: 'team' }] };
const t = (user: string, relation = 'viewer', object = 'track:1') => ({ user, relation, object });

const base: SnapshotData = { model, modelId: 'm1', revision: '10', tuples: [t('user:a'), t('user:b'), t('user:c')] };

describe('mergeChangeSets', () => {
  it('keeps the net effect: write-then-delete deletes, delete-then-write writes', () => {
    const a: ChangeSet = { from: '10', to: '11', writes: [t('user:x'), t('user:y')], deletes: [t('user:a')] };
    const b: ChangeSet = { from: '11', to: '12', writes: [t('user:a')], deletes: [t('user:x')] };
    const merged = mergeChangeSets(a, b);
    expect(merged.from).toBe('10');
    expect(merged.to).toBe('12');
    expect(merged.writes).toHaveLength(2);
    expect(merged.writes).toEqual(expect.arrayContaining([t('user:y'), t('user:a')]));
    expect(merged.deletes).toEqual([t('user:x')]);
    // The merged set is a valid change set (disjoint) and applies like the two in sequence.
    expect(decodeChanges(encodeChanges(merged))).toEqual(merged);
    const sorted = (d: SnapshotData) => ({ ...d, tuples: [...d.tuples].sort((x, y) => x.user.localeCompare(y.user)) });
    expect(sorted(applyChangeSet(base, merged))).toEqual(sorted(applyChangeSet(applyChangeSet(base, a), b)));
  });

  it('keeps the later model', () => {
    const a: ChangeSet = { from: '1', to: '2', writes: [], deletes: [], model, modelId: 'm1' };
    const b: ChangeSet = { from: '2', to: '3', writes: [], deletes: [], model: model2, modelId: 'm2' };
    expect(mergeChangeSets(a, b).modelId).toBe('m2');
    expect(mergeChangeSets(a, { from: '2', to: '3', writes: [], deletes: [] }).modelId).toBe('m1');
  });

  it('refuses change sets that are not consecutive', () => {
    expect(() => mergeChangeSets({ from: '1', to: '2', writes: [], deletes: [] }, { from: '3', to: '4', writes: [], deletes: [] })).toThrow(
      /cannot merge change sets 1→2 and 3→4/,
    );
  });
});

describe('applyChangeSet', () => {
  it('applies the model, then deletes, then writes (a write replaces the condition)', () => {
    const changes: ChangeSet = {
      from: '10',
      to: '11',
      writes: [{ ...t('user:b'), condition: { name: 'cond' } }, t('user:d')],
      deletes: [t('user:a'), t('user:zzz')],
      model: model2,
      modelId: 'm2',
    };
    const next = applyChangeSet(base, changes);
    expect(next.revision).toBe('11');
    expect(next.modelId).toBe('m2');
    expect(next.model).toBe(model2);
    expect(next.tuples).toEqual([{ ...t('user:b'), condition: { name: 'cond' } }, t('user:c'), t('user:d')]);
    expect(base.tuples).toHaveLength(3);
  });

  it('refuses a change set for another revision', () => {
    expect(() => applyChangeSet(base, { from: '9', to: '11', writes: [], deletes: [] })).toThrow(/change set 9→11 does not apply to the snapshot at revision 10/);
  });
});

describe('diffSnapshots', () => {
  it('finds writes, deletes, condition changes and a model change', () => {
    const next: SnapshotData = {
      model: model2,
      modelId: 'm2',
      revision: '12',
      tuples: [t('user:b'), { ...t('user:c'), condition: { name: 'cond', context: { x: 1 } } }, t('user:d')],
    };
    const diff = diffSnapshots(base, next);
    expect(diff).toEqual({
      from: '10',
      to: '12',
      writes: [{ ...t('user:c'), condition: { name: 'cond', context: { x: 1 } } }, t('user:d')],
      deletes: [t('user:a')],
      model: model2,
      modelId: 'm2',
    });
    expect(applyChangeSet(base, diff).tuples).toEqual(expect.arrayContaining(next.tuples as unknown[]));
  });

  it('gives an empty change set when only the revision moved', () => {
    const diff = diffSnapshots(base, { ...base, revision: '11' });
    expect(isEmptyChangeSet(diff)).toBe(true);
    expect(diff.to).toBe('11');
  });

  it('requires the revision to grow', () => {
    expect(() => diffSnapshots(base, { ...base, revision: '10' })).toThrow(/the revision must increase/);
  });
});
