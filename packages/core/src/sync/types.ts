// The snapshot data shapes are defined once, in the snapshot layer below sync; sources speak them.
export type { ChangeSet, SnapshotData, TupleKeyWithoutCondition } from '../snapshot/types';
