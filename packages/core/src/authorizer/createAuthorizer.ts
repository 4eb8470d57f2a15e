import { EventEmitter } from 'eventemitter3';
import { LRUCache } from 'lru-cache';
import type { BatchCheckItem, CheckRequest, CheckResult, ListObjectsRequest, ListObjectsResult, ListUsersRequest, ListUsersResult } from '../engine/types';
import type { Explanation } from '../engine/explain';
import { GatehouseError, toGatehouseError } from '../errors/index';
import { applyChanges, createSnapshot } from '../snapshot/index';
import type { Snapshot, SnapshotOptions } from '../snapshot/index';
import { compareRevisions, isRevision, toRevision } from '../sync/revision';
import type { Revision } from '../sync/revision';
import type { SnapshotSource } from '../sync/source';
import type { ChangeSet, SnapshotData } from '../sync/types';
import { parseAuthorizerOptions } from './options';
import { checkCacheKey, snapshotKeyPrefix } from './cacheKey';
import type {
  AtRevision,
  Authorizer,
  AuthorizerEvents,
  AuthorizerOperation,
  AuthorizerOptions,
  AuthorizerStatus,
  BatchCheckResult,
  CacheStats,
  ConsistencyOptions,
  DecisionEvent,
  ReadyOptions,
} from './types';

const DEFAULT_CACHE_MAX = 10_000;
const DEFAULT_CONSISTENCY_TIMEOUT = 5_000;
const MAX_TIMER = 2 ** 31 - 1;

/**
 * Creates an {@link Authorizer}: the object a service holds to answer permission checks locally,
 * in-process, from a snapshot its source keeps current.
 *
 * @param options.source where snapshots come from (see {@link AuthorizerOptions.source}).
 * @param options.maxStaleness ms without confirmation from the source before the snapshot is stale (default `Infinity`).
 * @param options.onStale `deny` (default) or `serve` once stale.
 * @param options.cache `{ max }` of the decision cache (default `10_000`; `0` turns it off).
 * @param options.decisionLog `{ sampleRate }` to emit `decision` events (off by default).
 * @throws {GatehouseError} `validation_error` for an invalid option (naming it); the source's error
 *   when it refuses to start synchronously (misuse, e.g. a source already started).
 * @example
 * const authorizer = createAuthorizer({ source: new HttpBundleSource({ url }), maxStaleness: 120_000 });
 * await authorizer.ready();
 * const { allowed, revision } = authorizer.check({ user: 'user:anne', relation: 'viewer', object: 'track:t1' });
 * @see docs/guide/authorizer.md
 */
export function createAuthorizer(options: AuthorizerOptions = {}): Authorizer {
  const authorizer = new AuthorizerImpl(options);
  if (options.autoStart !== false) authorizer.startNow();
  return authorizer;
}

/** Someone waiting for a revision (or, with `revision` undefined, for any snapshot). */
interface Waiter {
  readonly revision: Revision | undefined;
  readonly resolve: (snapshot: Snapshot) => void;
  readonly reject: (error: GatehouseError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type Listener = (...args: never[]) => void;

class AuthorizerImpl implements Authorizer {
  private readonly source: SnapshotSource | undefined;
  private readonly snapshotOptions: SnapshotOptions;
  private readonly clock: () => number;
  private readonly readyTimeout: number | undefined;
  private readonly consistencyTimeout: number;
  private readonly maxStaleness: number;
  private readonly denyStale: boolean;
  private readonly allowRollback: boolean;
  private readonly cache: LRUCache<string, AtRevision<CheckResult>> | undefined;
  private readonly cacheMax: number;
  private readonly sampleRate: number;
  private readonly random: () => number;
  private readonly emitter = new EventEmitter<AuthorizerEvents>();
  private readonly subscribers = new Set<() => void>();

  // The one reference readers go through; replaced whole, never modified.
  private current: Snapshot | undefined;
  // Cache-key prefixes: one interned id per snapshot loaded, standing for its (revision, model id).
  private readonly prefixes = new WeakMap<Snapshot, string>();
  private loaded = 0;
  private currentPrefix = '';
  private lastContact = 0;
  private staleSince: number | undefined;
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private lastError: GatehouseError | undefined;
  private startError: GatehouseError | undefined;
  private waiters: Waiter[] = [];
  private hits = 0;
  private misses = 0;
  private started = false;
  private starting: Promise<void> = Promise.resolve();
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(options: AuthorizerOptions) {
    parseAuthorizerOptions(options);
    this.source = options.source;
    this.clock = options.now ?? (() => Date.now());
    this.readyTimeout = options.readyTimeoutMs;
    this.consistencyTimeout = options.consistencyTimeoutMs ?? DEFAULT_CONSISTENCY_TIMEOUT;
    this.maxStaleness = options.maxStaleness ?? Number.POSITIVE_INFINITY;
    this.denyStale = options.onStale !== 'serve';
    this.allowRollback = options.allowRevisionRollback === true;
    const max = options.cache?.max ?? DEFAULT_CACHE_MAX;
    this.cacheMax = max;
    this.cache = max > 0 ? new LRUCache({ max }) : undefined;
    const rate = options.decisionLog === undefined ? 0 : (options.decisionLog.sampleRate ?? 1);
    this.sampleRate = rate;
    this.random = options.decisionLog?.random ?? Math.random;
    this.snapshotOptions = { now: this.clock, ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }) };
  }

  get revision(): Revision | undefined {
    return this.current?.revision;
  }

  get modelId(): string | undefined {
    return this.current?.modelId;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts the source, throwing a synchronous start failure (misuse) at the caller. */
  startNow(): void {
    if (this.started) return;
    this.started = true;
    const source = this.source;
    if (source === undefined) return;
    let result: void | Promise<void>;
    try {
      result = source.start(this);
    } catch (error) {
      this.failStart(error);
      throw this.startError;
    }
    this.starting = Promise.resolve(result).then(undefined, (error: unknown) => {
      this.failStart(error);
      throw this.startError;
    });
    // The failure reaches callers through ready() and the syncError event.
    this.starting.catch(() => undefined);
  }

  start(): Promise<void> {
    if (this.stopped) return Promise.reject(new GatehouseError('validation_error', 'the authorizer is stopped; create a new one'));
    try {
      this.startNow();
    } catch (error) {
      return Promise.reject(toGatehouseError(error));
    }
    return this.starting;
  }

  private failStart(error: unknown): void {
    const e = toGatehouseError(error);
    this.startError = e;
    this.error(e);
    this.rejectWaiters((w) => w.revision === undefined, e);
  }

  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopped = true;
    this.clearStaleTimer();
    this.rejectWaiters(() => true, new GatehouseError('not_ready', 'the authorizer was stopped'));
    const source = this.source;
    this.stopping = (async () => {
      if (source !== undefined && this.started) {
        try {
          await source.stop();
        } catch (error) {
          this.error(toGatehouseError(error));
        }
      }
    })();
    return this.stopping;
  }

  ready(options: ReadyOptions = {}): Promise<void> {
    if (this.current !== undefined) return Promise.resolve();
    return this.wait(undefined, options.timeoutMs ?? this.readyTimeout).then(() => undefined);
  }

  waitForRevision(revision: Revision | number, options: Pick<ConsistencyOptions, 'timeoutMs'> = {}): Promise<Snapshot> {
    let wanted: Revision;
    try {
      wanted = toRevision(revision);
    } catch (error) {
      return Promise.reject(toGatehouseError(error));
    }
    const snap = this.current;
    if (snap !== undefined && compareRevisions(snap.revision, wanted) >= 0) return Promise.resolve(snap);
    const waiting = this.wait(wanted, options.timeoutMs ?? this.consistencyTimeout);
    if (!this.stopped && this.source?.requestRevision !== undefined) {
      try {
        this.source.requestRevision(wanted);
      } catch (error) {
        // Only a hint: a source that fails to take it still delivers on its own schedule.
        this.error(toGatehouseError(error));
      }
    }
    return waiting;
  }

  /** Waits for a snapshot at `revision` or later (any snapshot when undefined). */
  private wait(revision: Revision | undefined, timeoutMs: number | undefined): Promise<Snapshot> {
    if (this.stopped) return Promise.reject(new GatehouseError('not_ready', 'the authorizer was stopped'));
    if (revision === undefined && this.startError !== undefined) return Promise.reject(this.startError);
    return new Promise<Snapshot>((resolve, reject) => {
      const waiter: Waiter = { revision, resolve, reject, timer: undefined };
      // A timeout beyond what timers can hold (~24.8 days) means no limit.
      if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER) {
        waiter.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(this.timeoutError(revision, timeoutMs));
        }, Math.max(0, timeoutMs));
      }
      this.waiters.push(waiter);
    });
  }

  private timeoutError(revision: Revision | undefined, timeoutMs: number): GatehouseError {
    const cause = this.lastError;
    const opts = cause === undefined ? {} : { cause };
    const last = cause === undefined ? '' : `; the source's last error: ${cause.message}`;
    if (revision === undefined) {
      return new GatehouseError('not_ready', `no snapshot loaded within ${timeoutMs} ms${last}`, opts);
    }
    const at = this.current === undefined ? 'no snapshot is loaded' : `the snapshot is at revision ${this.current.revision}`;
    return new GatehouseError('consistency_timeout', `revision ${revision} was not reached within ${timeoutMs} ms (${at})${last}`, opts);
  }

  /** Resolves the waiters the current snapshot satisfies. */
  private resolveWaiters(): void {
    const snap = this.current;
    if (snap === undefined || this.waiters.length === 0) return;
    this.settle((w) => w.revision === undefined || compareRevisions(snap.revision, w.revision) >= 0, (w) => w.resolve(snap));
  }

  /** Rejects the waiters `match` selects with `error`. */
  private rejectWaiters(match: (w: Waiter) => boolean, error: GatehouseError): void {
    this.settle(match, (w) => w.reject(error));
  }

  private settle(match: (w: Waiter) => boolean, done: (w: Waiter) => void): void {
    const settled = this.waiters.filter(match);
    if (settled.length === 0) return;
    this.waiters = this.waiters.filter((w) => !match(w));
    for (const w of settled) {
      if (w.timer !== undefined) clearTimeout(w.timer);
      done(w);
    }
  }

  // ---------------------------------------------------------------- the sink

  snapshot(data: SnapshotData): void {
    if (this.stopped) return;
    const started = performance.now();
    const prev = this.current;
    const revision: unknown = data !== null && typeof data === 'object' ? data.revision : undefined;
    if (prev !== undefined && isRevision(revision)) {
      const order = compareRevisions(revision, prev.revision);
      if (order === 0 && data.modelId === prev.modelId) {
        // The same revision again (a reload that found nothing new): a confirmation, not a change.
        this.confirm();
        return;
      }
      if (order <= 0 && !this.allowRollback) {
        throw new GatehouseError(
          'validation_error',
          `refused snapshot at revision ${revision} (model ${String(data.modelId)}): the authorizer is at revision ${prev.revision} (model ${prev.modelId}) and revisions never go back (allowRevisionRollback is off)`,
        );
      }
    }
    const next = createSnapshot(data, this.snapshotOptions);
    this.swap(next, prev, 'full', started, undefined);
  }

  changes(changes: ChangeSet): void {
    if (this.stopped) return;
    const started = performance.now();
    const prev = this.current;
    if (prev === undefined) {
      throw new GatehouseError('validation_error', 'cannot apply a change set before the first snapshot: a full snapshot is needed');
    }
    const next = applyChanges(prev, changes, this.snapshotOptions);
    if (next === prev) {
      this.confirm();
      return;
    }
    this.swap(next, prev, 'delta', started, changes);
  }

  error(error: GatehouseError): void {
    const e = toGatehouseError(error);
    this.lastError = e;
    this.emitter.emit('syncError', e);
  }

  heartbeat(revision: Revision): void {
    if (this.stopped || this.current === undefined || revision !== this.current.revision) return;
    this.confirm();
  }

  private swap(next: Snapshot, prev: Snapshot | undefined, kind: 'full' | 'delta', started: number, changes: ChangeSet | undefined): void {
    this.current = next;
    this.currentPrefix = snapshotKeyPrefix(++this.loaded);
    this.prefixes.set(next, this.currentPrefix);
    // Keys name their snapshot, so old entries could never be served again; dropping them frees the room.
    this.cache?.clear();
    this.confirm();
    this.resolveWaiters();
    this.emitter.emit('snapshot', {
      kind,
      revision: next.revision,
      previousRevision: prev?.revision,
      modelId: next.modelId,
      modelChanged: prev === undefined || prev.compiled !== next.compiled,
      tupleCount: next.tupleCount,
      ignoredCount: next.ignoredCount,
      ...(changes === undefined ? {} : { writes: changes.writes.length, deletes: changes.deletes.length }),
      durationMs: performance.now() - started,
    });
    for (const listener of [...this.subscribers]) guarded(listener);
  }

  // ---------------------------------------------------------------- staleness

  private confirm(): void {
    this.lastContact = this.clock();
    if (this.staleSince !== undefined && this.current !== undefined) {
      const staleForMs = this.lastContact - this.staleSince;
      this.staleSince = undefined;
      this.emitter.emit('fresh', { revision: this.current.revision, staleForMs });
    }
    this.scheduleStaleTimer();
  }

  private scheduleStaleTimer(): void {
    if (this.maxStaleness === Number.POSITIVE_INFINITY || this.staleTimer !== undefined || this.stopped || this.staleSince !== undefined) return;
    const due = this.lastContact + this.maxStaleness - this.clock() + 1;
    // Timers overflow past 2^31 - 1 ms; a long limit is reached in several steps (checkStale reschedules).
    this.staleTimer = setTimeout(() => {
      this.staleTimer = undefined;
      this.checkStale();
    }, Math.min(MAX_TIMER, Math.max(0, due)));
    // The timer only announces staleness; it must not keep a process alive (Node's unref).
    (this.staleTimer as { unref?: () => void }).unref?.();
  }

  private clearStaleTimer(): void {
    if (this.staleTimer !== undefined) clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
  }

  /** Whether the snapshot is stale now; announces the change the first time it is seen. */
  private checkStale(): boolean {
    const snap = this.current;
    if (snap === undefined || this.maxStaleness === Number.POSITIVE_INFINITY) return false;
    const now = this.clock();
    const age = now - this.lastContact;
    if (age <= this.maxStaleness) {
      this.scheduleStaleTimer();
      return false;
    }
    if (this.staleSince === undefined) {
      this.staleSince = this.lastContact + this.maxStaleness;
      this.emitter.emit('stale', { revision: snap.revision, lastContactAt: this.lastContact, ageMs: age, denying: this.denyStale });
    }
    return true;
  }

  /** The snapshot to answer from, or the error that refuses the decision. */
  private usable(pinned?: Snapshot): Snapshot {
    const snap = pinned ?? this.current;
    if (snap === undefined) {
      const cause = this.lastError ?? this.startError;
      throw new GatehouseError(
        'not_ready',
        this.stopped
          ? 'the authorizer was stopped before its first snapshot'
          : `no snapshot loaded yet: await authorizer.ready()${cause === undefined ? '' : ` (the source's last error: ${cause.message})`}`,
        cause === undefined ? {} : { cause },
      );
    }
    if (this.maxStaleness !== Number.POSITIVE_INFINITY && this.checkStale() && this.denyStale) {
      throw new GatehouseError(
        'stale_snapshot',
        `the snapshot at revision ${snap.revision} is stale: the source last confirmed it ${this.clock() - this.lastContact} ms ago (maxStaleness ${this.maxStaleness} ms)`,
        this.lastError === undefined ? {} : { cause: this.lastError },
      );
    }
    return snap;
  }

  // ---------------------------------------------------------------- decisions

  check(request: CheckRequest): AtRevision<CheckResult> {
    return this.checkOn(undefined, request);
  }

  /** Whether to log this decision: always at rate 1, never at 0, else at random. */
  private sampled(): boolean {
    return this.sampleRate > 0 && (this.sampleRate >= 1 || this.random() < this.sampleRate);
  }

  private checkOn(pinned: Snapshot | undefined, request: CheckRequest): AtRevision<CheckResult> {
    const log = this.sampled();
    const started = log ? performance.now() : 0;
    let snap: Snapshot | undefined;
    try {
      snap = this.usable(pinned);
      const cache = this.cache;
      const key = cache === undefined ? undefined : checkCacheKey(this.prefixOf(snap), request);
      if (key !== undefined) {
        const hit = (cache as LRUCache<string, AtRevision<CheckResult>>).get(key);
        if (hit !== undefined) {
          this.hits++;
          if (log) this.logDecision('check', request, hit.allowed, snap, true, started, undefined);
          return hit;
        }
        this.misses++;
      }
      let allowed: boolean;
      try {
        allowed = snap.evaluator.check(request).allowed;
      } catch (error) {
        throw this.evaluationFailed('check', error, snap);
      }
      const result: AtRevision<CheckResult> = Object.freeze({ allowed, revision: snap.revision, modelId: snap.modelId });
      if (key !== undefined) (cache as LRUCache<string, AtRevision<CheckResult>>).set(key, result);
      if (log) this.logDecision('check', request, allowed, snap, false, started, undefined);
      return result;
    } catch (error) {
      const e = toGatehouseError(error);
      if (log) this.logDecision('check', request, false, snap, false, started, e);
      throw e;
    }
  }

  private prefixOf(snap: Snapshot): string {
    return snap === this.current ? this.currentPrefix : (this.prefixes.get(snap) as string);
  }

  batchCheck(requests: readonly CheckRequest[]): AtRevision<BatchCheckResult> {
    return this.batchCheckOn(undefined, requests);
  }

  private batchCheckOn(pinned: Snapshot | undefined, requests: readonly CheckRequest[]): AtRevision<BatchCheckResult> {
    if (!Array.isArray(requests)) throw new GatehouseError('validation_error', 'batchCheck: expected an array of check requests');
    const log = this.sampleRate > 0;
    const started = log ? performance.now() : 0;
    let snap: Snapshot;
    try {
      snap = this.usable(pinned);
    } catch (error) {
      const e = toGatehouseError(error);
      if (log) for (const request of requests) if (this.sampled()) this.logDecision('batchCheck', request, false, undefined, false, started, e);
      throw e;
    }
    const cache = this.cache;
    const prefix = this.prefixOf(snap);
    const results: BatchCheckItem[] = new Array<BatchCheckItem>(requests.length);
    const keys: (string | undefined)[] = new Array<string | undefined>(requests.length);
    const cached = new Uint8Array(requests.length);
    const pending: CheckRequest[] = [];
    const pendingAt: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      const request = requests[i] as CheckRequest;
      const key = cache === undefined ? undefined : checkCacheKey(prefix, request);
      keys[i] = key;
      const hit = key === undefined ? undefined : (cache as LRUCache<string, AtRevision<CheckResult>>).get(key);
      if (hit !== undefined) {
        this.hits++;
        cached[i] = 1;
        results[i] = { allowed: hit.allowed };
        continue;
      }
      if (key !== undefined) this.misses++;
      pending.push(request);
      pendingAt.push(i);
    }
    let evaluated: BatchCheckItem[];
    try {
      evaluated = pending.length === 0 ? [] : snap.evaluator.batchCheck(pending);
    } catch (error) {
      throw this.evaluationFailed('batchCheck', error, snap);
    }
    for (let j = 0; j < pendingAt.length; j++) {
      const i = pendingAt[j] as number;
      const item = evaluated[j] ?? { error: new GatehouseError('internal', 'batchCheck returned fewer results than requests') };
      if (item.error !== undefined) {
        const e = toGatehouseError(item.error);
        results[i] = { error: e };
        this.emitter.emit('error', { operation: 'batchCheck', error: e, revision: snap.revision });
        continue;
      }
      results[i] = { allowed: item.allowed };
      const key = keys[i];
      if (key !== undefined) (cache as LRUCache<string, AtRevision<CheckResult>>).set(key, Object.freeze({ allowed: item.allowed, revision: snap.revision, modelId: snap.modelId }));
    }
    if (log) {
      for (let i = 0; i < requests.length; i++) {
        if (!this.sampled()) continue;
        const item = results[i] as BatchCheckItem;
        this.logDecision('batchCheck', requests[i] as CheckRequest, item.allowed === true, snap, cached[i] === 1, started, item.error);
      }
    }
    return Object.freeze({ results, revision: snap.revision, modelId: snap.modelId });
  }

  listObjects(request: ListObjectsRequest): AtRevision<ListObjectsResult> {
    return this.evaluateOn(undefined, 'listObjects', (snap) => snap.evaluator.listObjects(request));
  }

  listUsers(request: ListUsersRequest): AtRevision<ListUsersResult> {
    return this.evaluateOn(undefined, 'listUsers', (snap) => snap.evaluator.listUsers(request));
  }

  explain(request: CheckRequest): AtRevision<Explanation> {
    return this.evaluateOn(undefined, 'explain', (snap) => snap.evaluator.explain(request));
  }

  private evaluateOn<T extends object>(pinned: Snapshot | undefined, operation: AuthorizerOperation, run: (snap: Snapshot) => T): AtRevision<T> {
    const snap = this.usable(pinned);
    let result: T;
    try {
      result = run(snap);
    } catch (error) {
      throw this.evaluationFailed(operation, error, snap);
    }
    return { ...result, revision: snap.revision, modelId: snap.modelId };
  }

  private evaluationFailed(operation: AuthorizerOperation, error: unknown, snap: Snapshot): GatehouseError {
    const e = toGatehouseError(error);
    this.emitter.emit('error', { operation, error: e, revision: snap.revision });
    return e;
  }

  private logDecision(
    operation: DecisionEvent['operation'],
    request: CheckRequest,
    allowed: boolean,
    snap: Snapshot | undefined,
    cached: boolean,
    started: number,
    error: GatehouseError | undefined,
  ): void {
    const r: Partial<CheckRequest> = request !== null && typeof request === 'object' ? request : {};
    const event: DecisionEvent = {
      operation,
      user: String(r.user),
      relation: String(r.relation),
      object: String(r.object),
      allowed,
      revision: snap?.revision,
      modelId: snap?.modelId,
      cached,
      durationMs: performance.now() - started,
      ...(error === undefined ? {} : { error: error.code }),
    };
    this.emitter.emit('decision', event);
  }

  // ---------------------------------------------------------------- consistency-aware variants

  /** The snapshot to answer a consistency-aware call from: at `atLeast` or later, or any once loaded. */
  private reach(options: ConsistencyOptions): Promise<Snapshot> | Snapshot {
    const snap = this.current;
    const { atLeast } = options;
    if (snap !== undefined && (atLeast === undefined || (isRevision(String(atLeast)) && compareRevisions(snap.revision, String(atLeast)) >= 0))) {
      return snap;
    }
    const timeoutMs = options.timeoutMs ?? this.consistencyTimeout;
    return atLeast === undefined ? this.wait(undefined, timeoutMs) : this.waitForRevision(atLeast, { timeoutMs });
  }

  async checkAsync(request: CheckRequest, options: ConsistencyOptions = {}): Promise<AtRevision<CheckResult>> {
    const snap = await this.reach(options);
    return this.checkOn(snap, request);
  }

  async batchCheckAsync(requests: readonly CheckRequest[], options: ConsistencyOptions = {}): Promise<AtRevision<BatchCheckResult>> {
    const snap = await this.reach(options);
    return this.batchCheckOn(snap, requests);
  }

  async listObjectsAsync(request: ListObjectsRequest, options: ConsistencyOptions = {}): Promise<AtRevision<ListObjectsResult>> {
    const snap = await this.reach(options);
    return this.evaluateOn(snap, 'listObjects', (s) => s.evaluator.listObjects(request));
  }

  async listUsersAsync(request: ListUsersRequest, options: ConsistencyOptions = {}): Promise<AtRevision<ListUsersResult>> {
    const snap = await this.reach(options);
    return this.evaluateOn(snap, 'listUsers', (s) => s.evaluator.listUsers(request));
  }

  // ---------------------------------------------------------------- observation

  // Arrow properties: React calls these detached, `useSyncExternalStore(a.subscribe, a.getSnapshot)`.
  readonly getSnapshot = (): Snapshot | undefined => this.current;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.subscribers.add(listener);
    return () => {
      this.subscribers.delete(listener);
    };
  };

  on<E extends keyof AuthorizerEvents>(event: E, listener: AuthorizerEvents[E]): () => void {
    const wrapped = (...args: never[]): void => guarded(() => (listener as Listener)(...args));
    this.emitter.on(event, wrapped as unknown as EventEmitter.EventListener<AuthorizerEvents, E>);
    return () => {
      this.emitter.off(event, wrapped as unknown as EventEmitter.EventListener<AuthorizerEvents, E>);
    };
  }

  cacheStats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.cache?.size ?? 0, max: this.cacheMax };
  }

  status(): AuthorizerStatus {
    const snap = this.current;
    const stale = snap !== undefined && this.maxStaleness !== Number.POSITIVE_INFINITY && this.clock() - this.lastContact > this.maxStaleness;
    return {
      ready: snap !== undefined,
      stopped: this.stopped,
      revision: snap?.revision,
      modelId: snap?.modelId,
      tupleCount: snap?.tupleCount ?? 0,
      lastContactAt: snap === undefined ? undefined : this.lastContact,
      stale,
      lastError: this.lastError,
    };
  }
}

/** Runs a listener; if it throws, rethrows asynchronously, so the bug surfaces without disturbing the caller. */
function guarded(listener: () => void): void {
  try {
    listener();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** A duration option in ms: a non-negative number (`Infinity` allowed), or the fallback when absent. */
