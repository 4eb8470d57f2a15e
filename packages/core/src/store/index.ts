export { createTupleStore, TupleStore } from './TupleStore';
export type { StoredCondition } from './TupleStore';
export type {
  ConditionContext,
  RelationshipCondition,
  TupleKey,
  TupleStoreOptions,
  TupleWrite,
  TupleWriteOptions,
} from './types';
