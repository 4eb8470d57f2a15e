import type { BatchCheckItem, CheckRequest, CheckResult, ListObjectsRequest, ListObjectsResult, ListUsersRequest, ListUsersResult } from '../engine/types';
import type { Explanation } from '../engine/explain';
import type { GatehouseError, GatehouseErrorCode } from '../errors/index';
import type { Snapshot } from '../snapshot/index';
import type { Revision } from '../sync/revision';
import type { SnapshotSink, SnapshotSource } from '../sync/source';

/** Options of {@link createAuthorizer}. */
export interface AuthorizerOptions {
  /**
   * Where snapshots come from: a `MemorySource`, an `HttpBundleSource`, a `FileSource` of
   * `@gatehouse/node`, or your own. Without one, feed the authorizer yourself through its
   * {@link SnapshotSink} methods (`snapshot()`, `changes()`).
   */
  readonly source?: SnapshotSource;
  /**
   * Start the source at once (default `true`). With `false`, attach listeners first and call
   * {@link Authorizer.start}; a synchronous source (MemorySource) delivers its first snapshot
   * during `start`, so its `snapshot` event is only seen by listeners attached before.
   */
  readonly autoStart?: boolean;
  /** How long {@link Authorizer.ready} waits for the first snapshot before it rejects, in ms. Default: no limit. */
  readonly readyTimeoutMs?: number;
  /**
   * How long {@link Authorizer.waitForRevision} and the `*Async` methods wait for the revision they
   * need (or for the first snapshot), in ms, unless the call says otherwise. Default `5_000`.
   */
  readonly consistencyTimeoutMs?: number;
  /**
   * The maximum staleness, in ms: how long after the source last confirmed the snapshot current
   * the authorizer still answers from it. Confirmations are a full snapshot, a change set, or a
   * heartbeat for the current revision (an HTTP 304, a long poll that ended empty); errors and
   * rejected deliveries are not. Default `Infinity`: never stale. Set it with a source that
   * heartbeats (HttpBundleSource), a few times its poll interval or long-poll wait; push sources
   * (MemorySource, FileSource) only confirm when something changes.
   */
  readonly maxStaleness?: number;
  /**
   * What a stale snapshot does to decisions: `deny` (default) fails them closed with
   * `stale_snapshot`; `serve` keeps answering (the `stale` event still fires).
   */
  readonly onStale?: 'deny' | 'serve';
  /** The decision cache. Default `{ max: 10_000 }`. */
  readonly cache?: DecisionCacheOptions;
  /** The decision log (the `decision` event). Off unless given. */
  readonly decisionLog?: DecisionLogOptions;
  /**
   * Accept a full snapshot at a lower revision than the current one (or at the same revision
   * with another model), as after an upstream rebuilt from scratch. Default `false`: such a
   * snapshot is refused (the source reports it, `syncError`), so revisions never go backwards and
   * `atLeast` stays meaningful; the last good snapshot is kept until the staleness limit.
   */
  readonly allowRevisionRollback?: boolean;
  /** The evaluator's resolution depth limit (OpenFGA's default: 25). */
  readonly maxDepth?: number;
  /** The clock, in ms since the epoch, for staleness and `loadedAt`. Default `Date.now()`. */
  readonly now?: () => number;
}

/** Options of the decision cache. */
export interface DecisionCacheOptions {
  /**
   * The most check results kept (least recently used go first). Default `10_000`; `0` turns the
   * cache off.
   */
  readonly max?: number;
}

/** Options of the decision log. */
export interface DecisionLogOptions {
  /** The share of decisions logged, from 0 to 1. Default `1`: every decision. */
  readonly sampleRate?: number;
  /** The random source for sampling, `[0, 1)`. Default `Math.random`. */
  readonly random?: () => number;
}

/** Where a result comes from: the revision and model it was decided at. */
export interface RevisionStamp {
  /** The revision of the snapshot the answer was computed from. */
  readonly revision: Revision;
  /** The model id of that snapshot. */
  readonly modelId: string;
}

/** A result of the engine, stamped with the revision and model it was decided at. */
export type AtRevision<T> = T & RevisionStamp;

/** The answers of a batch check, in request order. */
export interface BatchCheckResult {
  /** One item per request: a result, or the error that check raised. */
  readonly results: readonly BatchCheckItem[];
}

/** Options of the consistency-aware (`*Async`) methods and {@link Authorizer.waitForRevision}. */
export interface ConsistencyOptions {
  /**
   * The oldest revision the answer may come from, typically one a write returned (read your
   * writes). Without it, the answer comes from whatever is loaded (waiting for the first snapshot).
   */
  readonly atLeast?: Revision | number;
  /** How long to wait, in ms. Default: the authorizer's `consistencyTimeoutMs`. */
  readonly timeoutMs?: number;
}

/** Options of {@link Authorizer.ready}. */
export interface ReadyOptions {
  /** How long to wait, in ms. Default: the authorizer's `readyTimeoutMs` (no limit unless set). */
  readonly timeoutMs?: number;
}

/** The decision cache's counters. */
export interface CacheStats {
  /** Checks answered from the cache. */
  readonly hits: number;
  /** Cache lookups that found nothing (the check was evaluated). */
  readonly misses: number;
  /** Entries held now. */
  readonly size: number;
  /** The capacity (`0` when the cache is off). */
  readonly max: number;
}

/** What the authorizer is doing, for health endpoints. */
export interface AuthorizerStatus {
  /** A snapshot is loaded. */
  readonly ready: boolean;
  /** `stop()` was called. */
  readonly stopped: boolean;
  /** The current revision, if any. */
  readonly revision: Revision | undefined;
  /** The current model id, if any. */
  readonly modelId: string | undefined;
  /** The current snapshot's tuple count (indexed). */
  readonly tupleCount: number;
  /** When the source last confirmed the snapshot current (ms since the epoch), if ever. */
  readonly lastContactAt: number | undefined;
  /** Whether the snapshot is older than `maxStaleness` now. */
  readonly stale: boolean;
  /** The last error the source reported, if any. */
  readonly lastError: GatehouseError | undefined;
}

/** The `snapshot` event: a new snapshot is in use. */
export interface SnapshotEvent {
  /** `full` for a full load, `delta` for a change set. */
  readonly kind: 'full' | 'delta';
  /** The new revision. */
  readonly revision: Revision;
  /** The revision before, if there was a snapshot. */
  readonly previousRevision: Revision | undefined;
  /** The model id. */
  readonly modelId: string;
  /** Whether the model changed (always true for the first snapshot). */
  readonly modelChanged: boolean;
  /** Tuples indexed. */
  readonly tupleCount: number;
  /** Tuples kept aside because the model does not allow them. */
  readonly ignoredCount: number;
  /** For a delta: the tuples written. */
  readonly writes?: number;
  /** For a delta: the tuples deleted. */
  readonly deletes?: number;
  /** How long validating and building the snapshot took, in ms. */
  readonly durationMs: number;
}

/** The `stale` event: the snapshot went longer than `maxStaleness` without confirmation. */
export interface StaleEvent {
  /** The revision in use. */
  readonly revision: Revision;
  /** When the source last confirmed it (ms since the epoch). */
  readonly lastContactAt: number;
  /** How long ago that was, in ms. */
  readonly ageMs: number;
  /** Whether decisions are refused now (`onStale: 'deny'`). */
  readonly denying: boolean;
}

/** The `fresh` event: a stale snapshot was confirmed or replaced. */
export interface FreshEvent {
  /** The revision in use. */
  readonly revision: Revision;
  /** How long the snapshot had been stale, in ms. */
  readonly staleForMs: number;
}

/** The operations of an authorizer, as events name them. */
export type AuthorizerOperation = 'check' | 'batchCheck' | 'listObjects' | 'listUsers' | 'explain';

/** The `decision` event: one check, for an audit or decision log. */
export interface DecisionEvent {
  /** `check`, or `batchCheck` for one item of a batch. */
  readonly operation: 'check' | 'batchCheck';
  /** The user checked. */
  readonly user: string;
  /** The relation checked. */
  readonly relation: string;
  /** The object checked. */
  readonly object: string;
  /** The answer: `false` whenever the check failed (fail closed). */
  readonly allowed: boolean;
  /** The revision decided at (undefined when no snapshot could be used). */
  readonly revision: Revision | undefined;
  /** The model id decided with (undefined when no snapshot could be used). */
  readonly modelId: string | undefined;
  /** Whether the answer came from the cache. */
  readonly cached: boolean;
  /** The time taken, in ms (for a batch: the whole batch's). */
  readonly durationMs: number;
  /** The error code when the check failed (and so denied). */
  readonly error?: GatehouseErrorCode;
}

/** The `error` event: an evaluation failed (the caller got the error, and denies). */
export interface EvaluationErrorEvent {
  /** The operation that failed. */
  readonly operation: AuthorizerOperation;
  /** The error. */
  readonly error: GatehouseError;
  /** The revision of the snapshot evaluated. */
  readonly revision: Revision;
}

/** The events of an {@link Authorizer} and their listeners. */
export interface AuthorizerEvents {
  /** A new snapshot is in use. */
  snapshot: (event: SnapshotEvent) => void;
  /** The source reported a failure (or a delivery was refused); the last good snapshot stays. */
  syncError: (error: GatehouseError) => void;
  /** The snapshot is older than `maxStaleness`. */
  stale: (event: StaleEvent) => void;
  /** A stale snapshot was confirmed or replaced. */
  fresh: (event: FreshEvent) => void;
  /** A check was decided (only with `decisionLog`, sampled). */
  decision: (event: DecisionEvent) => void;
  /** An evaluation failed with a typed error (the caller denies). */
  error: (event: EvaluationErrorEvent) => void;
}

/**
 * Answers authorization questions locally from a synced, immutable snapshot. Every answer is
 * synchronous, made from one snapshot, and stamped with its revision and model id. Updates from the
 * source are validated and built off to the side, then swapped in as one reference: a reader never
 * sees half an update.
 *
 * It is the {@link SnapshotSink} of its source; call the sink methods yourself only when you
 * created it without a source.
 *
 * @see docs/guide/authorizer.md
 */
export interface Authorizer extends SnapshotSink {
  /** The current revision, or `undefined` before the first snapshot. */
  readonly revision: Revision | undefined;
  /** The current model id, or `undefined` before the first snapshot. */
  readonly modelId: string | undefined;

  /**
   * Whether `user` has `relation` on `object` (OpenFGA's Check), answered from the current
   * snapshot, through the decision cache.
   *
   * @throws {GatehouseError} `not_ready` before the first snapshot; `stale_snapshot` when stale and
   *   denying; the engine's codes for a bad request or a failed evaluation (`validation_error`,
   *   `invalid_tuple`, `condition_evaluation_error`, `authorization_model_resolution_too_complex`);
   *   `internal` for anything unexpected. Treat every error as a deny.
   * @example
   * const { allowed, revision } = authorizer.check({ user: 'user:anne', relation: 'viewer', object: 'track:t1' });
   */
  check(request: CheckRequest): AtRevision<CheckResult>;
  /**
   * Many checks against one snapshot, sharing work. One failing check yields an `error` item; the
   * others are still answered.
   *
   * @throws {GatehouseError} `not_ready`, `stale_snapshot`; `validation_error` when `requests` is not an array.
   */
  batchCheck(requests: readonly CheckRequest[]): AtRevision<BatchCheckResult>;
  /**
   * Every object of a type on which the user has the relation (OpenFGA's ListObjects). Not cached.
   *
   * @throws {GatehouseError} `not_ready`, `stale_snapshot`, and the engine's codes.
   */
  listObjects(request: ListObjectsRequest): AtRevision<ListObjectsResult>;
  /**
   * Every user of the filtered types who has the relation on the object (OpenFGA's ListUsers). Not cached.
   *
   * @throws {GatehouseError} `not_ready`, `stale_snapshot`, and the engine's codes.
   */
  listUsers(request: ListUsersRequest): AtRevision<ListUsersResult>;
  /**
   * Why a check is allowed or denied, as a tree and as text. Not cached.
   *
   * @throws {GatehouseError} `not_ready`, `stale_snapshot`, and the engine's codes.
   */
  explain(request: CheckRequest): AtRevision<Explanation>;

  /**
   * {@link Authorizer.check} once the snapshot is at revision `atLeast` (read your writes), or
   * once one is loaded. Asks the source to poll sooner when it can.
   *
   * @throws {GatehouseError} (rejects) `consistency_timeout` when `atLeast` is not reached in time;
   *   `not_ready` when no snapshot arrives in time or the authorizer stops; as `check` otherwise.
   * @example
   * const revision = await policyAdmin.grant(...); // a revision from the upstream
   * const { allowed } = await authorizer.checkAsync(request, { atLeast: revision, timeoutMs: 2_000 });
   */
  checkAsync(request: CheckRequest, options?: ConsistencyOptions): Promise<AtRevision<CheckResult>>;
  /** {@link Authorizer.batchCheck} at revision `atLeast` or later: see {@link Authorizer.checkAsync}. */
  batchCheckAsync(requests: readonly CheckRequest[], options?: ConsistencyOptions): Promise<AtRevision<BatchCheckResult>>;
  /** {@link Authorizer.listObjects} at revision `atLeast` or later: see {@link Authorizer.checkAsync}. */
  listObjectsAsync(request: ListObjectsRequest, options?: ConsistencyOptions): Promise<AtRevision<ListObjectsResult>>;
  /** {@link Authorizer.listUsers} at revision `atLeast` or later: see {@link Authorizer.checkAsync}. */
  listUsersAsync(request: ListUsersRequest, options?: ConsistencyOptions): Promise<AtRevision<ListUsersResult>>;
  /**
   * Resolves with a snapshot at `revision` or later, once one is loaded. Asks the source to poll
   * sooner (`requestRevision`) when it can.
   *
   * @throws {GatehouseError} (rejects) `validation_error` for a malformed revision;
   *   `consistency_timeout` after `timeoutMs`; `not_ready` when the authorizer stops first.
   */
  waitForRevision(revision: Revision | number, options?: Pick<ConsistencyOptions, 'timeoutMs'>): Promise<Snapshot>;

  /**
   * Resolves once the first snapshot is loaded (at once if it is).
   *
   * @throws {GatehouseError} (rejects) `not_ready` after the timeout (its `cause` is the source's
   *   last error, if any) or when the authorizer stops first; the source's error when it failed to start.
   */
  ready(options?: ReadyOptions): Promise<void>;
  /**
   * Starts the source (with `autoStart: false`). Starting a started authorizer does nothing.
   *
   * @throws {GatehouseError} (rejects) `validation_error` after `stop()`; the source's own start error.
   */
  start(): Promise<void>;
  /**
   * Stops the source and rejects pending waits (`not_ready`). Decisions keep coming from the last
   * snapshot (under the staleness rule); nothing updates it any more.
   */
  stop(): Promise<void>;

  /**
   * The current snapshot, or `undefined`. The same object until the next swap. Bound: it may be
   * passed around detached (`useSyncExternalStore`).
   */
  readonly getSnapshot: () => Snapshot | undefined;
  /**
   * Calls `listener` after every snapshot swap. Returns the unsubscribe function. Bound, and shaped
   * for React's `useSyncExternalStore(authorizer.subscribe, authorizer.getSnapshot)`.
   */
  readonly subscribe: (listener: () => void) => () => void;
  /**
   * Listens to an event. Returns the unsubscribe function. A listener that throws disturbs neither
   * the authorizer nor the other listeners; its error is rethrown asynchronously, as a bug.
   */
  on<E extends keyof AuthorizerEvents>(event: E, listener: AuthorizerEvents[E]): () => void;
  /** The decision cache's counters. */
  cacheStats(): CacheStats;
  /** The authorizer's state, for health checks. */
  status(): AuthorizerStatus;
}
