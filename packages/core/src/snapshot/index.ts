export { applyChanges } from './applyChanges';
export { createSnapshot } from './createSnapshot';
export type { Snapshot, SnapshotChanges, SnapshotInput, SnapshotOptions, SnapshotTupleRef } from './types';
