export { backoffDelay } from './backoff';
export type { BackoffOptions } from './backoff';
export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  CHANGES_FORMAT,
  decodeBundle,
  decodeChanges,
  detectFormat,
  encodeBundle,
  encodeChanges,
} from './bundle';
export type { BundleDocument, BundleInput, ChangesDocument, ConditionEntry, TupleBlock } from './bundle';
export { applyChangeSet, diffSnapshots, isEmptyChangeSet, mergeChangeSets } from './changes';
export { HttpBundleSource } from './HttpBundleSource';
export type { HeadersProvider, HttpBundleSourceOptions } from './HttpBundleSource';
export { MemorySource, newModelId } from './MemorySource';
export type { MemorySourceOptions, MemoryUpdate } from './MemorySource';
export { compareRevisions, isRevision, maxRevision, nextRevision, toRevision } from './revision';
export type { Revision } from './revision';
export type { SnapshotSink, SnapshotSource } from './source';
export { assertTupleKey, tupleKeyId } from './tupleKey';
export type { ChangeSet, SnapshotData, TupleKeyWithoutCondition } from './types';
