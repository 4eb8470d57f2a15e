import {
  GatehouseError,
  compareRevisions,
  diffSnapshots,
  encodeBundle,
  encodeChanges,
  mergeChangeSets,
  tupleKeyId,
} from '@gatehouse/core';
import type { ChangeSet, Revision, SnapshotData, SnapshotSink, SnapshotSource } from '@gatehouse/core';

/** A bundle ready to send: its revision and its JSON text. */
export interface EncodedBundle {
  /** The snapshot's revision. */
  readonly revision: Revision;
  /** The bundle document (`encodeBundle` output). */
  readonly body: string;
}

/** A change document ready to send. */
export interface EncodedChanges {
  /** The revision the changes start at (the `since` asked for). */
  readonly from: Revision;
  /** The revision they lead to. */
  readonly to: Revision;
  /** The change document (`encodeChanges` output). */
  readonly body: string;
}

/**
 * What the bundle server serves from. Implement it to serve a policy kept anywhere (a database, a
 * build artefact); {@link SourceBundleProvider} serves any `SnapshotSource`.
 *
 * @see docs/guide/snapshots-and-sync.md
 */
export interface BundleProvider {
  /** The newest revision, or `undefined` while nothing is loaded. */
  revision(): Revision | undefined;
  /** The newest snapshot as a bundle, or `undefined` while nothing is loaded. Called per request: cache it per revision. */
  bundle(): EncodedBundle | undefined | Promise<EncodedBundle | undefined>;
  /**
   * The changes from `since` to the newest revision (an empty change set when `since` is the
   * newest), or `'gone'` when `since` is outside the retained window, unknown, or ahead (another
   * lineage): the client then reloads in full. Leave it out to offer no change feed (404).
   */
  changes?(since: Revision): EncodedChanges | 'gone' | Promise<EncodedChanges | 'gone'>;
  /** Resolves once the newest revision differs from `revision`, or when `signal` aborts. */
  waitForChange(revision: Revision | undefined, signal: AbortSignal): Promise<void>;
}

/** Options of {@link SourceBundleProvider}. */
export interface SourceBundleProviderOptions {
  /** The most change sets kept for `changes?since=`. Default `1000`. */
  readonly maxChanges?: number;
  /** The most tuples (writes plus deletes) kept across them. Default `100_000`. */
  readonly maxChangeTuples?: number;
  /** Receives source errors; the provider keeps serving its last good snapshot meanwhile. */
  readonly onError?: (error: GatehouseError) => void;
}

/**
 * A {@link BundleProvider} fed by any snapshot source (`MemorySource`, `FileSource`, even an
 * `HttpBundleSource` to relay another server). It keeps the current state, a bounded window of
 * recent change sets for incremental clients, and encodes each revision at most once.
 *
 * When the source delivers a full snapshot at a newer revision (a file reload), the provider
 * diffs it against its state, so clients still receive a delta. A snapshot at an older or equal
 * revision (the upstream was reset) clears the window: clients then reload in full (410).
 *
 * @example
 * const source = new MemorySource({ model });
 * const provider = new SourceBundleProvider(source);
 * await provider.start();
 * http.createServer(createBundleHandler(provider)).listen(8080);
 */
export class SourceBundleProvider implements BundleProvider {
  private readonly tuples = new Map<string, SnapshotData['tuples'][number]>();
  private current: Omit<SnapshotData, 'tuples'> | undefined;
  private window: ChangeSet[] = [];
  private windowTuples = 0;
  private encoded: EncodedBundle | undefined;
  private readonly changeCache = new Map<Revision, EncodedChanges>();
  private readonly waiters = new Set<() => void>();
  private readonly maxChanges: number;
  private readonly maxChangeTuples: number;
  private readonly onError: ((error: GatehouseError) => void) | undefined;
  private lastError: GatehouseError | undefined;

  /** The sink the source feeds; public so the provider can also be started on a source by hand. */
  readonly sink: SnapshotSink = {
    snapshot: (data) => this.onSnapshot(data),
    changes: (changes) => this.onChanges(changes),
    error: (error) => {
      this.lastError = error;
      this.onError?.(error);
    },
  };

  /**
   * @param source - The source to serve; {@link SourceBundleProvider.start} starts it.
   * @param options - Window sizes and an error callback.
   */
  constructor(
    private readonly source: SnapshotSource,
    options: SourceBundleProviderOptions = {},
  ) {
    this.maxChanges = Math.max(0, options.maxChanges ?? 1000);
    this.maxChangeTuples = Math.max(0, options.maxChangeTuples ?? 100_000);
    this.onError = options.onError;
  }

  /** The last error the source reported, if any (cleared by the next update). */
  get error(): GatehouseError | undefined {
    return this.lastError;
  }

  /** Starts the source. */
  async start(): Promise<void> {
    await this.source.start(this.sink);
  }

  /** Stops the source, and releases every waiting long poll. */
  async stop(): Promise<void> {
    await this.source.stop();
    this.notify();
  }

  /** The newest revision, or `undefined` before the source delivered anything. */
  revision(): Revision | undefined {
    return this.current?.revision;
  }

  /** The newest snapshot as a bundle, encoded once per revision. */
  bundle(): EncodedBundle | undefined {
    const current = this.current;
    if (!current) return undefined;
    if (this.encoded?.revision !== current.revision) {
      this.encoded = { revision: current.revision, body: encodeBundle({ ...current, tuples: [...this.tuples.values()] }) };
    }
    return this.encoded;
  }

  /** The net changes since `since`, merged from the window, or `'gone'` outside it. */
  changes(since: Revision): EncodedChanges | 'gone' {
    const current = this.current;
    if (!current) return 'gone';
    const cached = this.changeCache.get(since);
    if (cached) return cached;
    let changes: ChangeSet;
    if (since === current.revision) {
      changes = { from: since, to: since, writes: [], deletes: [] };
    } else {
      const start = this.window.findIndex((c) => c.from === since);
      if (start < 0) return 'gone';
      changes = this.window.slice(start).reduce((a, b) => mergeChangeSets(a, b));
    }
    const encoded = { from: changes.from, to: changes.to, body: encodeChanges(changes) };
    this.changeCache.set(since, encoded);
    return encoded;
  }

  /** Resolves when the revision moves past `revision`, or when `signal` aborts. */
  waitForChange(revision: Revision | undefined, signal: AbortSignal): Promise<void> {
    if (this.current?.revision !== revision || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done);
    });
  }

  private onSnapshot(data: SnapshotData): void {
    const previous = this.current;
    if (previous && compareRevisions(data.revision, previous.revision) > 0) {
      // Still a delta for clients: the difference between what they have and the new snapshot.
      const diff = diffSnapshots({ ...previous, tuples: [...this.tuples.values()] }, data);
      this.record(diff);
    } else {
      this.window = [];
      this.windowTuples = 0;
    }
    this.tuples.clear();
    for (const t of data.tuples) this.tuples.set(tupleKeyId(t), t);
    this.current = { model: data.model, modelId: data.modelId, revision: data.revision };
    this.updated();
  }

  private onChanges(changes: ChangeSet): void {
    const current = this.current;
    if (!current || changes.from !== current.revision) {
      // The source falls back to a full snapshot when a sink refuses a delta.
      throw new GatehouseError(
        'validation_error',
        `change set ${changes.from}→${changes.to} does not follow the provider's revision ${current?.revision ?? '(none)'}`,
      );
    }
    for (const t of changes.deletes) this.tuples.delete(tupleKeyId(t));
    for (const t of changes.writes) this.tuples.set(tupleKeyId(t), t);
    this.current = {
      model: changes.model ?? current.model,
      modelId: changes.modelId ?? current.modelId,
      revision: changes.to,
    };
    this.record(changes);
    this.updated();
  }

  private record(changes: ChangeSet): void {
    this.window.push(changes);
    this.windowTuples += changes.writes.length + changes.deletes.length;
    while (this.window.length > 0 && (this.window.length > this.maxChanges || this.windowTuples > this.maxChangeTuples)) {
      const dropped = this.window.shift() as ChangeSet;
      this.windowTuples -= dropped.writes.length + dropped.deletes.length;
    }
  }

  private updated(): void {
    this.lastError = undefined;
    this.changeCache.clear();
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
