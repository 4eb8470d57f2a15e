import { GatehouseError, ModelValidationError, toGatehouseError } from '../errors/index';
import { parseModelStructure } from '../model/schema';
import type { AuthorizationModel } from '../model/types';
import type { TupleKey } from '../store/types';
import { mergeChangeSets } from './changes';
import { compareRevisions, nextRevision, toRevision } from './revision';
import type { Revision } from './revision';
import type { SnapshotSink, SnapshotSource } from './source';
import { confirmTo, reportTo } from './report';
import { assertTupleKey, cleanTupleKey, sameCondition, tupleKeyId, withoutCondition } from './tupleKey';
import type { ChangeSet, SnapshotData, TupleKeyWithoutCondition } from './types';

/** Options of {@link MemorySource}. */
export interface MemorySourceOptions {
  /** The initial model. Without one, sinks receive nothing until {@link MemorySource.setModel} is called. */
  readonly model?: AuthorizationModel;
  /** The initial model's id. Default: `model.id`, else a new ULID. */
  readonly modelId?: string;
  /** Initial tuples. */
  readonly tuples?: readonly TupleKey[];
  /**
   * The starting revision. Default: the current time in microseconds, so a process that restarts
   * with a fresh MemorySource never hands out a revision it already used for other data (clients
   * of a bundle server would otherwise apply new changes on top of old state).
   */
  readonly revision?: Revision | number;
}

/** A combined update for {@link MemorySource.apply}: applied atomically, at one new revision. */
export interface MemoryUpdate {
  /** Tuples to add or replace. */
  readonly writes?: readonly TupleKey[];
  /** Tuples to remove; absent ones are ignored. */
  readonly deletes?: readonly TupleKeyWithoutCondition[];
  /** A new model. */
  readonly model?: AuthorizationModel;
  /** The new model's id. Default: `model.id`, else a new ULID. */
  readonly modelId?: string;
}

/**
 * A source you write to from code: tests, demos, single-process apps, or the upstream of a bundle
 * server. Each change gets the next revision, which the call returns, so a caller can ask for
 * read-your-writes with `atLeast`.
 *
 * A write that changes nothing confirms the current revision to idle sinks (`sink.heartbeat`).
 *
 * Several sinks may be started on one MemorySource (for example an authorizer and a bundle
 * server's provider). Each sink first gets a full snapshot, then change sets; a sink that falls
 * behind (a slow async sink) gets the pending changes merged into one.
 *
 * @example
 * const source = new MemorySource({ model, revision: 0 });
 * const revision = source.write([{ user: 'user:anne', relation: 'viewer', object: 'track:t1' }]); // '1'
 * source.delete([{ user: 'user:anne', relation: 'viewer', object: 'track:t1' }]); // '2'
 * @see docs/guide/snapshots-and-sync.md
 */
export class MemorySource implements SnapshotSource {
  private readonly tuples = new Map<string, TupleKey>();
  private model: AuthorizationModel | undefined;
  private currentModelId: string | undefined;
  private current: Revision;
  private readonly feeds = new Set<Feed>();

  /**
   * @throws {GatehouseError} `validation_error` for a bad `revision`; the tuple id codes for a bad tuple;
   * {@link ModelValidationError} for a structurally invalid model.
   */
  constructor(options: MemorySourceOptions = {}) {
    this.current = toRevision(options.revision ?? Date.now() * 1000);
    if (options.model !== undefined) {
      this.model = checkModel(options.model);
      this.currentModelId = options.modelId ?? options.model.id ?? newModelId();
    }
    const tuples = options.tuples ?? [];
    tuples.forEach((t, i) => assertTupleKey(t, `tuples[${i}]`));
    for (const t of tuples) this.tuples.set(tupleKeyId(t), cleanTupleKey(t));
  }

  /** The current revision. */
  get revision(): Revision {
    return this.current;
  }

  /** The current model id, or `undefined` before a model is set. */
  get modelId(): string | undefined {
    return this.currentModelId;
  }

  /** The number of tuples held. */
  get size(): number {
    return this.tuples.size;
  }

  /** The current state, or `undefined` while no model is set. */
  snapshot(): SnapshotData | undefined {
    if (this.model === undefined || this.currentModelId === undefined) return undefined;
    return { model: this.model, modelId: this.currentModelId, revision: this.current, tuples: [...this.tuples.values()] };
  }

  /**
   * Adds tuples, or replaces tuples with the same object, relation and user (to change a
   * condition). Returns the revision that includes them: a new one, or the current one when
   * nothing changed.
   *
   * @throws {GatehouseError} `invalid_object_format`, `invalid_user` or `invalid_tuple` naming the
   * tuple (`writes[2]`); nothing is applied then.
   */
  write(tuples: readonly TupleKey[]): Revision {
    return this.apply({ writes: tuples });
  }

  /**
   * Removes tuples (matched on object, relation and user; absent ones are ignored). Returns the
   * revision without them.
   *
   * @throws {GatehouseError} the tuple id codes, naming the tuple (`deletes[0]`).
   */
  delete(tuples: readonly TupleKeyWithoutCondition[]): Revision {
    return this.apply({ deletes: tuples });
  }

  /**
   * Replaces the model; tuples stay. Returns the new revision (the current one when `modelId`
   * is the current model's id).
   *
   * @param modelId - Default: `model.id`, else a new ULID.
   * @throws {ModelValidationError} when the model is structurally invalid.
   */
  setModel(model: AuthorizationModel, modelId?: string): Revision {
    return this.apply(modelId === undefined ? { model } : { model, modelId });
  }

  /**
   * Applies writes, deletes and a model change atomically at one new revision.
   *
   * @throws {GatehouseError} as {@link MemorySource.write}, {@link MemorySource.delete} and
   * {@link MemorySource.setModel}; nothing is applied then.
   */
  apply(update: MemoryUpdate): Revision {
    const writes = update.writes ?? [];
    const deletes = update.deletes ?? [];
    if (!Array.isArray(writes)) throw new GatehouseError('invalid_tuple', 'writes: expected an array of tuples');
    if (!Array.isArray(deletes)) throw new GatehouseError('invalid_tuple', 'deletes: expected an array of tuples');
    writes.forEach((t: unknown, i) => assertTupleKey(t, `writes[${i}]`));
    deletes.forEach((t: unknown, i) => assertTupleKey(t, `deletes[${i}]`));
    const model = update.model === undefined ? undefined : checkModel(update.model);
    const modelId = model === undefined ? undefined : (update.modelId ?? update.model?.id ?? newModelId());

    // Net effect against the current state, so the change set lists only real changes.
    const ops = new Map<string, TupleKey | null>();
    for (const t of deletes) ops.set(tupleKeyId(t), null);
    for (const t of writes) ops.set(tupleKeyId(t), cleanTupleKey(t));
    const netWrites: TupleKey[] = [];
    const netDeletes: TupleKeyWithoutCondition[] = [];
    for (const [id, tuple] of ops) {
      const existing = this.tuples.get(id);
      if (tuple === null) {
        if (existing) netDeletes.push(withoutCondition(existing));
      } else if (!existing || !sameCondition(existing.condition, tuple.condition)) {
        netWrites.push(tuple);
      }
    }
    const modelChanged = model !== undefined && modelId !== this.currentModelId;
    if (netWrites.length === 0 && netDeletes.length === 0 && !modelChanged) {
      // Nothing changed: that confirms the sinks' snapshot is current.
      for (const feed of this.feeds) feed.confirm(this.current);
      return this.current;
    }

    for (const t of netDeletes) this.tuples.delete(tupleKeyId(t));
    for (const t of netWrites) this.tuples.set(tupleKeyId(t), t);
    const from = this.current;
    const hadModel = this.model !== undefined;
    if (modelChanged) {
      this.model = model;
      this.currentModelId = modelId;
    }
    this.current = nextRevision(from);
    const changes: ChangeSet = {
      from,
      to: this.current,
      writes: netWrites,
      deletes: netDeletes,
      ...(modelChanged ? { model, modelId } : {}),
    };
    for (const feed of this.feeds) {
      if (hadModel) feed.push(changes);
      else feed.pushFull();
    }
    return this.current;
  }

  /**
   * Starts feeding `sink`: a full snapshot now (once a model is set), then change sets. May be
   * called for several sinks.
   *
   * @throws {GatehouseError} `validation_error` when this sink is already started.
   */
  start(sink: SnapshotSink): void {
    for (const feed of this.feeds) {
      if (feed.sink === sink) throw new GatehouseError('validation_error', 'this sink is already started on the MemorySource');
    }
    const feed = new Feed(sink, () => this.snapshot());
    this.feeds.add(feed);
    feed.pushFull();
  }

  /** Resolves once every started sink has been handed (and has settled) everything written so far. */
  async settled(): Promise<void> {
    await Promise.all([...this.feeds].map((f) => f.settled()));
  }

  /**
   * Stops feeding `sink`, or every sink when none is given. Resolves once any delivery in progress
   * has settled; the stopped sinks are not called after that.
   */
  async stop(sink?: SnapshotSink): Promise<void> {
    const stopping = [...this.feeds].filter((f) => sink === undefined || f.sink === sink);
    for (const feed of stopping) this.feeds.delete(feed);
    await Promise.all(stopping.map((f) => f.stop()));
  }
}

/** One delivery to a sink, and what to do once it has settled. */
interface Step {
  readonly call: () => void | Promise<void>;
  readonly done: (ok: boolean, error?: unknown) => void;
}

/**
 * One sink's delivery queue: strictly one call at a time, merging what piles up meanwhile. A
 * synchronous sink is fed synchronously (a write is visible to it when `write()` returns); the
 * queue only goes async while a sink's promise is pending.
 */
class Feed {
  private pending: ChangeSet[] = [];
  private full = false;
  private position: Revision | undefined;
  private busy = false;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly sink: SnapshotSink,
    private readonly snapshot: () => SnapshotData | undefined,
  ) {}

  push(changes: ChangeSet): void {
    this.pending.push(changes);
    this.pump();
  }

  pushFull(): void {
    this.full = true;
    this.pump();
  }

  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Confirms `revision` to an idle sink that is at it (a busy one is about to hear newer news). */
  confirm(revision: Revision): void {
    if (this.busy || this.stopped || this.full || this.pending.length > 0 || this.position !== revision) return;
    confirmTo(this.sink, revision);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = [];
    await this.settled();
  }

  private pump(): void {
    if (this.busy || this.stopped) return;
    this.busy = true;
    for (let step = this.next(); step !== undefined && !this.stopped; step = this.next()) {
      let result: void | Promise<void>;
      try {
        result = step.call();
      } catch (error) {
        step.done(false, error);
        continue;
      }
      if (result !== undefined && typeof (result as Promise<void>).then === 'function') {
        const current = step;
        this.running = Promise.resolve(result)
          .then(
            () => current.done(true),
            (error: unknown) => current.done(false, error),
          )
          .then(() => {
            this.running = undefined;
            this.busy = false;
            this.pump();
          });
        return;
      }
      step.done(true);
    }
    this.busy = false;
  }

  private next(): Step | undefined {
    if (this.full || this.position === undefined) {
      if (!this.full && this.pending.length === 0) return undefined;
      // A full snapshot of the current state covers everything pending.
      this.full = false;
      this.pending = [];
      const data = this.snapshot();
      if (data === undefined) return undefined;
      return {
        call: () => this.sink.snapshot(data),
        done: (ok, error) => {
          if (ok) this.position = data.revision;
          else this.report(error);
        },
      };
    }
    const position = this.position;
    const batch = this.pending.filter((c) => compareRevisions(c.from, position) >= 0);
    this.pending = [];
    if (batch.length === 0) return undefined;
    const merged = batch.reduce((a, b) => mergeChangeSets(a, b));
    return {
      call: () => this.sink.changes(merged),
      done: (ok, error) => {
        if (ok) {
          this.position = merged.to;
        } else {
          // A rejected delta is followed by a full snapshot.
          this.report(error);
          this.full = true;
        }
      },
    };
  }

  private report(error: unknown): void {
    if (!this.stopped) reportTo(this.sink, toGatehouseError(error));
  }
}

function checkModel(model: AuthorizationModel): AuthorizationModel {
  const result = parseModelStructure(model);
  if (!result.ok) throw new ModelValidationError(result.diagnostics);
  return result.value;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A new ULID (time-ordered, 26 Crockford base32 characters), the form OpenFGA gives model ids. */
export function newModelId(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let random = '';
  for (const b of bytes) random += CROCKFORD[b % 32];
  return time + random;
}
