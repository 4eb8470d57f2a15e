import type { GatehouseError } from '../errors/index';
import type { Revision } from './revision';
import type { ChangeSet, SnapshotData } from './types';

/**
 * Where a source delivers what it loads. The authorizer is the usual sink; a bundle server's
 * provider is another.
 *
 * Rules every source follows, so sinks can rely on them:
 * - **One at a time.** A source never calls the sink again before the previous call (and the
 *   promise it returned) has settled.
 * - **Full first.** The first delivery is `snapshot()`. `changes()` only follows a delivery that
 *   left the sink at `changes.from`.
 * - **Revisions grow.** Within one upstream, each delivery ends at a greater revision. A
 *   `snapshot()` at a lower revision than the last one means the upstream was reset (rebuilt from
 *   scratch); the sink decides whether to accept it.
 * - **Rejecting is allowed.** If `snapshot()` or `changes()` throws (or rejects), the source treats
 *   the update as not applied: it reports the error through `error()`, keeps its previous position,
 *   and after a rejected `changes()` catches up with a full `snapshot()` instead.
 * - **Failures are reported, not thrown.** Upstream trouble (network, corrupt data) reaches the
 *   sink as `error()` while the source keeps retrying; the sink keeps its last good snapshot.
 * - **Freshness is confirmed.** A source that learns the upstream has nothing new (an HTTP 304, a
 *   long poll that ends empty) says so with `heartbeat()`, so the sink can tell "quiet" from
 *   "cut off" (the authorizer's `maxStaleness`). Same one-at-a-time rule as deliveries.
 *
 * @see docs/guide/snapshots-and-sync.md
 */
export interface SnapshotSink {
  /** Replace everything with this snapshot. */
  snapshot(data: SnapshotData): void | Promise<void>;
  /** Apply these changes to the snapshot at `changes.from`. */
  changes(changes: ChangeSet): void | Promise<void>;
  /** The source failed to load or deliver an update; it keeps running and retries. Must not throw. */
  error(error: GatehouseError): void;
  /**
   * The upstream confirmed, just now, that `revision` (the last revision delivered) is still
   * current: nothing new. Optional for sinks; a source calls it if present. Must not throw.
   */
  heartbeat?(revision: Revision): void;
}

/**
 * Something that keeps a sink up to date with an upstream policy: a programmatic store
 * (`MemorySource`), a file (`FileSource` in `@gatehouse/node`), a bundle server
 * (`HttpBundleSource`), or your own. Implement this interface to plug in any upstream: see the
 * rules on {@link SnapshotSink} and the walkthrough in the guide.
 *
 * Sources use only Web-standard APIs in `@gatehouse/core` (fetch, AbortController, timers), so they
 * run in Node, browsers and the Edge runtime.
 *
 * @example
 * // A source that serves one fixed snapshot.
 * const fixed = (data: SnapshotData): SnapshotSource => ({
 *   start: (sink) => sink.snapshot(data),
 *   stop: () => {},
 * });
 * @see docs/guide/snapshots-and-sync.md
 */
export interface SnapshotSource {
  /**
   * Starts delivering to `sink`. Returns once the source is running, not once data has arrived:
   * the first snapshot, or the first error, comes through the sink. Rejects only for misuse
   * (starting twice), never for upstream failures.
   */
  start(sink: SnapshotSink): void | Promise<void>;
  /**
   * Stops the source: cancels requests, timers and watchers. After the returned promise settles
   * the sink is not called again. Stopping a stopped source does nothing.
   */
  stop(): void | Promise<void>;
  /**
   * A hint that a caller needs revision `atLeast` (read-your-writes after a write elsewhere): a
   * polling source checks now instead of at its next interval. Optional; sources that push (long
   * poll, file watch, memory) need not implement it.
   */
  requestRevision?(atLeast: Revision): void;
}
