import { GatehouseError } from '../errors/index';
import { compareRevisions } from './revision';
import { cleanTupleKey, sameCondition, tupleKeyId, withoutCondition } from './tupleKey';
import type { TupleKey } from '../store/types';
import type { ChangeSet, SnapshotData, TupleKeyWithoutCondition } from './types';

type Op = { readonly write: true; readonly tuple: TupleKey } | { readonly write: false; readonly tuple: TupleKeyWithoutCondition };

/**
 * Combines consecutive change sets (`a.to === b.from`) into one from `a.from` to `b.to` holding
 * the net effect: a tuple written then deleted ends up deleted, deleted then written ends up
 * written, and the later model wins.
 *
 * @throws {GatehouseError} `validation_error` when the change sets are not consecutive.
 */
export function mergeChangeSets(a: ChangeSet, b: ChangeSet): ChangeSet {
  if (a.to !== b.from) {
    throw new GatehouseError('validation_error', `cannot merge change sets ${a.from}→${a.to} and ${b.from}→${b.to}: they are not consecutive`);
  }
  const ops = new Map<string, Op>();
  for (const change of [a, b]) {
    for (const tuple of change.deletes) ops.set(tupleKeyId(tuple), { write: false, tuple });
    for (const tuple of change.writes) ops.set(tupleKeyId(tuple), { write: true, tuple });
  }
  const writes: TupleKey[] = [];
  const deletes: TupleKeyWithoutCondition[] = [];
  for (const op of ops.values()) {
    if (op.write) writes.push(op.tuple);
    else deletes.push(op.tuple);
  }
  const model = b.model && b.modelId !== undefined ? { model: b.model, modelId: b.modelId } : a.model && a.modelId !== undefined ? { model: a.model, modelId: a.modelId } : {};
  return { from: a.from, to: b.to, writes, deletes, ...model };
}

/**
 * Applies a change set to a snapshot and returns the snapshot at `changes.to`; the input is not
 * modified. This is the reference semantics of {@link ChangeSet} and takes time proportional to
 * the whole snapshot: engines keep indexed state and apply deltas in place instead.
 *
 * @throws {GatehouseError} `validation_error` when `changes.from` is not the snapshot's revision.
 */
export function applyChangeSet(data: SnapshotData, changes: ChangeSet): SnapshotData {
  if (changes.from !== data.revision) {
    throw new GatehouseError(
      'validation_error',
      `change set ${changes.from}→${changes.to} does not apply to the snapshot at revision ${data.revision}`,
    );
  }
  const tuples = new Map<string, TupleKey>();
  for (const tuple of data.tuples) tuples.set(tupleKeyId(tuple), tuple);
  for (const tuple of changes.deletes) tuples.delete(tupleKeyId(tuple));
  for (const tuple of changes.writes) tuples.set(tupleKeyId(tuple), tuple);
  return {
    model: changes.model ?? data.model,
    modelId: changes.modelId ?? data.modelId,
    revision: changes.to,
    tuples: [...tuples.values()],
  };
}

/**
 * The change set that turns `previous` into `next`: tuples only in `next` (or whose condition
 * differs) are writes, tuples only in `previous` are deletes, and the model is included when the
 * model id differs. Sources that can only reload everything (a file) use it to still send deltas.
 *
 * @throws {GatehouseError} `validation_error` when `next` is not at a greater revision.
 */
export function diffSnapshots(previous: SnapshotData, next: SnapshotData): ChangeSet {
  if (compareRevisions(next.revision, previous.revision) <= 0) {
    throw new GatehouseError(
      'validation_error',
      `cannot diff snapshot ${previous.revision} against ${next.revision}: the revision must increase`,
    );
  }
  const before = new Map<string, TupleKey>();
  for (const tuple of previous.tuples) before.set(tupleKeyId(tuple), tuple);
  const writes: TupleKey[] = [];
  const seen = new Set<string>();
  for (const tuple of next.tuples) {
    const id = tupleKeyId(tuple);
    seen.add(id);
    const old = before.get(id);
    if (!old || !sameCondition(old.condition, tuple.condition)) writes.push(cleanTupleKey(tuple));
  }
  const deletes: TupleKeyWithoutCondition[] = [];
  for (const [id, tuple] of before) if (!seen.has(id)) deletes.push(withoutCondition(tuple));
  const model = next.modelId !== previous.modelId ? { model: next.model, modelId: next.modelId } : {};
  return { from: previous.revision, to: next.revision, writes, deletes, ...model };
}

/** True when a change set carries no tuples and no model (its revision may still advance). */
export function isEmptyChangeSet(changes: ChangeSet): boolean {
  return changes.writes.length === 0 && changes.deletes.length === 0 && changes.model === undefined;
}
