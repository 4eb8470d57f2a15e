export { applyChanges } from './applyChanges';
export { createSnapshot } from './createSnapshot';
export type { ChangeSet, Revision, Snapshot, SnapshotData, SnapshotOptions, TupleKeyWithoutCondition } from './types';
