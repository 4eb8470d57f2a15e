import { expectTypeOf, it } from 'vitest';
import type { ChangeSet, SnapshotData, TupleKeyWithoutCondition } from '../sync/types';
import type { SnapshotChanges, SnapshotInput, SnapshotTupleRef } from './types';

// The snapshot layer restates the sync layer's payload types (it may not import them): they must
// stay interchangeable, so a source's deliveries go straight into createSnapshot / applyChanges.
it('accepts what sources deliver, and the reverse', () => {
  expectTypeOf<SnapshotData>().toExtend<SnapshotInput>();
  expectTypeOf<SnapshotInput>().toExtend<SnapshotData>();
  expectTypeOf<ChangeSet>().toExtend<SnapshotChanges>();
  expectTypeOf<SnapshotChanges>().toExtend<ChangeSet>();
  expectTypeOf<TupleKeyWithoutCondition>().toEqualTypeOf<SnapshotTupleRef>();
});
