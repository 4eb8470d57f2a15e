import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { GatehouseError, compareRevisions, diffSnapshots, toGatehouseError, toRevision } from '@gatehouse/core';
import type { Revision, SnapshotData, SnapshotSink, SnapshotSource } from '@gatehouse/core';
import { UnstableReadError, hashFiles, loadPolicyFile } from './policyFiles';
import type { LoadedPolicy } from './policyFiles';

/** Options of {@link FileSource}. */
export interface FileSourceOptions {
  /** Reload when the file (or a file it references) changes. Default `true`. */
  readonly watch?: boolean;
  /** Ms to let a burst of file events settle before reloading. Default `100`. */
  readonly debounce?: number;
}

/**
 * Loads the policy from a file and reloads it when it changes:
 * - a Gatehouse bundle (JSON, `format: "gatehouse.bundle"`): its own revision is used, and must grow;
 * - an OpenFGA store file (`.fga.yaml`): `model` (DSL) or `model_file` (`.fga`, `.json` or a
 *   modular `fga.mod`), and `tuples`, `tuple_file`, `tuple_files` (`.yaml`, `.yml`, `.json`,
 *   `.jsonl`, `.csv`, as the OpenFGA CLI reads them); `tests` is ignored. The revision is the newest
 *   file time in ms (and always grows), so a restarted server does not reuse one for other data.
 *
 * It watches the directories of every file involved (so editors that save by renaming are seen),
 * waits for events to settle, and compares a content hash: a save that changes nothing does
 * nothing. A file that fails to load (a half-written file, a typo) is reported through
 * `sink.error` and the last good data stays; the next good save recovers. After the first load the
 * sink gets change sets (a diff against the last load), or a full snapshot if it rejects one.
 *
 * Write files atomically (write a temporary file, then rename it) where you can: a YAML file cut
 * short can still parse, with fewer tuples.
 *
 * @example
 * const source = new FileSource('./policy/store.fga.yaml');
 * await source.start(sink); // first load done (or reported)
 * @see docs/guide/snapshots-and-sync.md
 */
export class FileSource implements SnapshotSource {
  private readonly path: string;
  private readonly watchFiles: boolean;
  private readonly debounce: number;
  private sink: SnapshotSink | undefined;
  private last: { readonly hash: string; readonly files: readonly string[]; readonly data: SnapshotData } | undefined;
  private failedHash: string | undefined;
  private readonly watchers = new Map<string, FSWatcher>();
  private watched = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  /**
   * @param path - The bundle (`.json`) or store file (`.fga.yaml`, `.yaml`, `.yml`).
   */
  constructor(path: string, options: FileSourceOptions = {}) {
    this.path = resolve(path);
    this.watchFiles = options.watch ?? true;
    this.debounce = Math.max(0, options.debounce ?? 100);
  }

  /** The revision last delivered, or `undefined` before the first successful load. */
  get revision(): Revision | undefined {
    return this.last?.data.revision;
  }

  /**
   * Loads the file, delivers it (or the error) to `sink`, then watches for changes. Resolves after
   * that first load.
   *
   * @throws {GatehouseError} `validation_error` when already started.
   */
  async start(sink: SnapshotSink): Promise<void> {
    if (this.sink) throw new GatehouseError('validation_error', 'FileSource is already started; create one source per sink');
    this.sink = sink;
    this.stopped = false;
    if (this.watchFiles) this.watchDirs([this.path]);
    await this.reload();
  }

  /** Stops watching. Resolves once a load in progress has finished; the sink is not called after. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.watched.clear();
    await this.loading;
    this.sink = undefined;
  }

  /**
   * Checks the files now (what a file event does, without the debounce). Resolves once the check,
   * and any delivery, is done.
   */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = this.loadLoop().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadLoop(): Promise<void> {
    do {
      this.again = false;
      if (this.stopped) return;
      await this.loadOnce();
    } while (this.again);
  }

  private async loadOnce(): Promise<void> {
    const sink = this.sink;
    if (!sink) return;
    // Unchanged bytes: nothing to parse, nothing to deliver.
    if (this.last) {
      const hash = await hashFiles(this.last.files);
      if (hash === this.last.hash) return;
    }
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicyFile(this.path);
    } catch (error) {
      if (error instanceof UnstableReadError) {
        this.schedule();
        return;
      }
      this.report(sink, error);
      return;
    }
    if (this.stopped) return;
    if (this.watchFiles) this.watchDirs(policy.files);
    if (policy.hash === this.last?.hash || policy.hash === this.failedHash) return;

    let data: SnapshotData;
    try {
      data = this.snapshotOf(policy);
    } catch (error) {
      this.failedHash = policy.hash;
      this.report(sink, error);
      return;
    }
    const delivered = await this.deliver(sink, data);
    if (delivered) {
      this.last = { hash: policy.hash, files: policy.files, data };
      this.failedHash = undefined;
    } else {
      // The sink refused this content; do not offer it again until the files change.
      this.failedHash = policy.hash;
    }
  }

  private snapshotOf(policy: LoadedPolicy): SnapshotData {
    const previous = this.last?.data.revision;
    let revision: Revision;
    if (policy.revision !== undefined) {
      if (previous !== undefined && compareRevisions(policy.revision, previous) <= 0) {
        throw new GatehouseError(
          'invalid_bundle',
          `${basename(this.path)} changed but its revision ${policy.revision} is not greater than the loaded revision ${previous}; bump the revision when you change a bundle`,
        );
      }
      revision = policy.revision;
    } else {
      // File time in ms: stable across restarts for unchanged files, and forced to grow here.
      const fromTime = BigInt(Math.floor(policy.mtimeMs));
      const next = previous === undefined ? fromTime : BigInt(previous) + 1n > fromTime ? BigInt(previous) + 1n : fromTime;
      revision = toRevision(next);
    }
    return { model: policy.model, modelId: policy.modelId, revision, tuples: policy.tuples };
  }

  private async deliver(sink: SnapshotSink, data: SnapshotData): Promise<boolean> {
    const last = this.last?.data;
    if (last && compareRevisions(data.revision, last.revision) > 0) {
      try {
        await sink.changes(diffSnapshots(last, data));
        return true;
      } catch (error) {
        if (this.stopped) return false;
        this.report(sink, error);
      }
    }
    if (this.stopped) return false;
    try {
      await sink.snapshot(data);
      return true;
    } catch (error) {
      this.report(sink, error);
      return false;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.debounce);
  }

  private watchDirs(files: readonly string[]): void {
    const wanted = new Map<string, Set<string>>();
    for (const file of files) {
      const dir = dirname(file);
      let names = wanted.get(dir);
      if (!names) wanted.set(dir, (names = new Set()));
      names.add(basename(file));
    }
    for (const [dir, watcher] of this.watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    this.watched = wanted;
    for (const dir of wanted.keys()) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          // Some platforms omit the name: then any event in the directory counts.
          if (name === null || this.watched.get(dir)?.has(basename(name.toString()))) this.schedule();
        });
        watcher.on('error', (error) => {
          if (this.sink) this.report(this.sink, new GatehouseError('source_unavailable', `watching ${dir} failed: ${error.message}`, { cause: error }));
          watcher.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, watcher);
      } catch (error) {
        if (this.sink) this.report(this.sink, new GatehouseError('source_unavailable', `cannot watch ${dir}: ${(error as Error).message}`, { cause: error }));
      }
    }
  }

  private report(sink: SnapshotSink, error: unknown): void {
    if (this.stopped) return;
    try {
      sink.error(toGatehouseError(error));
    } catch {
      // A sink's error handler must not throw; if it does, watching goes on regardless.
    }
  }
}
