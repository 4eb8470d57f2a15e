/**
 * `@gatehouse/postgres`: PostgreSQL as the source of truth for Gatehouse. A store with versioned
 * migrations, OpenFGA's write rules and an append-only changelog whose revisions follow commit
 * order, and a {@link PostgresSource} that keeps every service's authorizer in sync from it.
 *
 * @packageDocumentation
 */
export { createPostgresStore } from './PostgresStore';
export type {
  ChangeEntry,
  CompactOptions,
  CompactResult,
  ListStoresResult,
  PageOptions,
  PostgresStore,
  PostgresStoreOptions,
  ReadChangesOptions,
  ReadChangesResult,
  ReadTuplesOptions,
  ReadTuplesResult,
  StoredModel,
  StoreInfo,
  StoreSourceOptions,
  WriteModelOptions,
  WriteModelResult,
  WriteOptions,
} from './PostgresStore';
export { PostgresSource, createPostgresSource } from './PostgresSource';
export type { PostgresSourceEvent, PostgresSourceOptions, ReloadReason } from './PostgresSource';
export { SCHEMA_VERSION } from './migrations';
export type { MigrateResult } from './migrations';
