import { GatehouseError, applyChangeSet, compareRevisions, tupleKeyId } from '@gatehouse/core';
import type { AuthorizationModel, ChangeSet, Revision, SnapshotData, SnapshotSink, SnapshotSource, TupleKey, TupleKeyWithoutCondition } from '@gatehouse/core';
import { parseDSL } from '@gatehouse/core/dsl';
import { afterEach, describe, expect, it } from 'vitest';

/** A change the harness makes to the upstream: tuples to add and tuples to remove, in one step. */
export interface SourceChange {
  /** Tuples to add. The suite only writes tuples the upstream does not hold (OpenFGA rejects duplicates). */
  readonly writes?: readonly TupleKey[];
  /** Tuples to remove. The suite only deletes tuples the upstream holds. */
  readonly deletes?: readonly TupleKeyWithoutCondition[];
}

/** The upstream a harness starts with: the suite's model and tuples. */
export interface SourceSeed {
  /** The model to start with. */
  readonly model: AuthorizationModel;
  /** The tuples to start with. */
  readonly tuples: readonly TupleKey[];
}

/**
 * One source under test and the upstream it follows. The suite never reaches past it: it changes
 * the upstream only through `write` (and `setModel`), the way a real writer would (a store write,
 * a rewritten file), and watches the source only through the sink it starts it with.
 */
export interface SourceHarness {
  /** A source that has not been started; the suite starts it with its recording sink. */
  readonly source: SnapshotSource;
  /** Applies `change` to the upstream. Resolves once the upstream holds it, not once the source has seen it. */
  write(change: SourceChange): Promise<void>;
  /** Replaces the upstream's model (tuples stay). Optional: the model-change test is skipped without it. */
  setModel?(model: AuthorizationModel): Promise<void>;
  /** Releases everything the harness opened (servers, pools, directories). The suite stops the source first. */
  close(): Promise<void>;
}

/** Options of {@link describeSourceContract}. */
export interface SourceContractOptions {
  /** Ms to wait for the sink to converge after a change. Default `5_000`; raise it for sources that poll slowly. */
  readonly convergeTimeout?: number;
  /** Ms to watch for stray sink calls after `stop()`. Default `300`; make it a few poll intervals. */
  readonly quietPeriod?: number;
}

/** The model every harness is seeded with. */
export const CONTRACT_MODEL: AuthorizationModel = parseDSL(`model
  schema 1.1
type user
type team
  relations
    define member: [user]
type doc
  relations
    define viewer: [user, team#member]
`);

/** The model the model-change test switches to: adds an `editor` relation. */
export const CONTRACT_MODEL_V2: AuthorizationModel = parseDSL(`model
  schema 1.1
type user
type team
  relations
    define member: [user]
type doc
  relations
    define editor: [user]
    define viewer: [user, team#member] or editor
`);

const viewer = (doc: string, user: string): TupleKey => ({ user: `user:${user}`, relation: 'viewer', object: `doc:${doc}` });

/** The seed tuples: a direct viewer, a team member, and a userset. */
export const CONTRACT_TUPLES: readonly TupleKey[] = [
  viewer('1', 'anne'),
  { user: 'user:bob', relation: 'member', object: 'team:core' },
  { user: 'team:core#member', relation: 'viewer', object: 'doc:2' },
];

type Call =
  | { readonly kind: 'snapshot'; readonly data: SnapshotData; readonly accepted: boolean }
  | { readonly kind: 'changes'; readonly changes: ChangeSet; readonly accepted: boolean }
  | { readonly kind: 'error'; readonly error: unknown }
  | { readonly kind: 'heartbeat'; readonly revision: Revision };

/**
 * A sink that keeps the state an authorizer would (applying change sets with core's
 * `applyChangeSet`) and records every rule the source breaks instead of throwing, so a broken
 * rule cannot hide behind the source's own recovery (a throw would read as a rejection).
 */
class RecordingSink implements SnapshotSink {
  readonly calls: Call[] = [];
  readonly violations: string[] = [];
  state: SnapshotData | undefined;
  /** Set once `stop()` has resolved: any call after that is a violation. */
  stopped = false;
  private rejectNext = false;
  private busy = false;

  /** Makes the next `changes()` reject, as a sink whose state cannot take the delta would. */
  rejectNextChanges(): void {
    this.rejectNext = true;
  }

  async snapshot(data: SnapshotData): Promise<void> {
    this.enter('snapshot');
    try {
      // Async on purpose: the one-at-a-time rule covers the promise, not just the call.
      await tick();
      if (this.state !== undefined && compareRevisions(data.revision, this.state.revision) < 0) {
        this.violations.push(`snapshot at ${data.revision} went back from ${this.state.revision}`);
      }
      this.state = data;
      this.calls.push({ kind: 'snapshot', data, accepted: true });
    } finally {
      this.busy = false;
    }
  }

  async changes(changes: ChangeSet): Promise<void> {
    this.enter('changes');
    try {
      await tick();
      if (this.rejectNext) {
        this.rejectNext = false;
        this.calls.push({ kind: 'changes', changes, accepted: false });
        throw new Error('contract suite: this sink rejects the change set');
      }
      const state = this.state;
      if (state === undefined) {
        this.violations.push(`changes ${changes.from}→${changes.to} arrived before any snapshot`);
      } else if (changes.from !== state.revision) {
        // Applied twice, skipped, or after a rejection without the full reload.
        this.violations.push(`changes ${changes.from}→${changes.to} do not start at the sink's revision ${state.revision}`);
      } else if (compareRevisions(changes.to, changes.from) <= 0) {
        this.violations.push(`changes ${changes.from}→${changes.to} do not advance the revision`);
      } else {
        const deleted = new Set(changes.deletes.map(tupleKeyId));
        for (const t of changes.writes) {
          if (deleted.has(tupleKeyId(t))) this.violations.push(`changes ${changes.from}→${changes.to} both write and delete ${tupleKeyId(t)}`);
        }
        this.state = applyChangeSet(state, changes);
      }
      this.calls.push({ kind: 'changes', changes, accepted: true });
    } finally {
      this.busy = false;
    }
  }

  error(error: GatehouseError): void {
    this.enter('error');
    this.busy = false;
    this.calls.push({ kind: 'error', error });
  }

  heartbeat(revision: Revision): void {
    this.enter('heartbeat');
    this.busy = false;
    if (this.state === undefined) this.violations.push(`heartbeat(${revision}) before any snapshot`);
    else if (revision !== this.state.revision) this.violations.push(`heartbeat(${revision}) but the sink is at ${this.state.revision}`);
    this.calls.push({ kind: 'heartbeat', revision });
  }

  /** Errors reported through `error()`. */
  errors(): unknown[] {
    return this.calls.flatMap((c) => (c.kind === 'error' ? [c.error] : []));
  }

  /** The sink's tuples as sorted `object#relation@user` ids, or `undefined` before the first snapshot. */
  tuples(): string[] | undefined {
    return this.state === undefined ? undefined : ids(this.state.tuples);
  }

  private enter(kind: string): void {
    if (this.stopped) this.violations.push(`${kind}() called after stop() resolved`);
    if (this.busy) this.violations.push(`${kind}() called while the previous call had not settled`);
    this.busy = true;
  }
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

function ids(tuples: readonly TupleKeyWithoutCondition[]): string[] {
  return tuples.map(tupleKeyId).sort();
}

/** The state the upstream should hold, tracked from the seed and every change the suite made. */
class Upstream {
  private readonly tuples = new Map<string, TupleKey>();
  constructor(seed: readonly TupleKey[]) {
    for (const t of seed) this.tuples.set(tupleKeyId(t), t);
  }
  apply(change: SourceChange): void {
    for (const t of change.deletes ?? []) this.tuples.delete(tupleKeyId(t));
    for (const t of change.writes ?? []) this.tuples.set(tupleKeyId(t), t);
  }
  ids(): string[] {
    return ids([...this.tuples.values()]);
  }
}

async function waitFor(condition: () => boolean, timeout: number, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Registers the contract every {@link SnapshotSource} must keep (the rules on `SnapshotSink` in
 * `@gatehouse/core`) as a vitest `describe` block. Call it from a source's test file with a
 * factory that builds a fresh upstream from the seed (its own schema, directory or server) and an
 * unstarted source on it.
 *
 * It checks, with a sink that records every call: one call at a time (promises included),
 * a full snapshot first, revisions that never go back, change sets that start where the sink is
 * (nothing applied twice or skipped), convergence to the upstream after writes, deletes and a
 * model change, a rejected change set reported and followed by a full snapshot, no calls after
 * `stop()`, and a harmless `requestRevision`.
 *
 * @example
 * describeSourceContract('MemorySource', async (seed) => {
 *   const upstream = new MemorySource({ model: seed.model, tuples: seed.tuples });
 *   return {
 *     source: upstream,
 *     write: async ({ writes = [], deletes = [] }) => void upstream.apply({ writes, deletes }),
 *     close: async () => {},
 *   };
 * });
 */
export function describeSourceContract(name: string, factory: (seed: SourceSeed) => Promise<SourceHarness>, options: SourceContractOptions = {}): void {
  const converge = options.convergeTimeout ?? 5_000;
  const quiet = options.quietPeriod ?? 300;
  const testTimeout = converge * 4 + quiet + 10_000;

  describe(`${name} keeps the SnapshotSource contract`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const fn of cleanup.splice(0).reverse()) await fn();
    });

    /** A started source on a fresh seeded upstream. */
    async function started() {
      const harness = await factory({ model: CONTRACT_MODEL, tuples: CONTRACT_TUPLES });
      const sink = new RecordingSink();
      const upstream = new Upstream(CONTRACT_TUPLES);
      cleanup.push(
        () => harness.close(),
        () => Promise.resolve(harness.source.stop()),
      );
      await harness.source.start(sink);
      await waitFor(() => sink.state !== undefined, converge, 'the first snapshot');
      const write = async (change: SourceChange) => {
        await harness.write(change);
        upstream.apply(change);
      };
      const converged = (what: string) => waitFor(() => sameIds(sink.tuples(), upstream.ids()), converge, what);
      return { harness, sink, upstream, write, converged };
    }

    it('delivers a full snapshot with the seed first', { timeout: testTimeout }, async () => {
      const { sink } = await started();
      expect(sink.calls[0]?.kind).toBe('snapshot');
      expect(sink.tuples()).toEqual(ids(CONTRACT_TUPLES));
      expect(sink.state?.model.type_definitions.map((t) => t.type).sort()).toEqual(['doc', 'team', 'user']);
      expect(sink.state?.modelId).toEqual(expect.any(String));
      expect(sink.errors()).toEqual([]);
      expect(sink.violations).toEqual([]);
    });

    it('converges to the upstream after a write', { timeout: testTimeout }, async () => {
      const { sink, write, converged } = await started();
      const before = sink.state?.revision as Revision;
      await write({ writes: [viewer('1', 'carl'), viewer('3', 'anne')] });
      await converged('the write');
      expect(compareRevisions(sink.state?.revision as Revision, before)).toBeGreaterThan(0);
      expect(sink.errors()).toEqual([]);
      expect(sink.violations).toEqual([]);
    });

    it('converges after deletes and several writes in a row, applying each change once', { timeout: testTimeout }, async () => {
      const { sink, upstream, write, converged } = await started();
      await write({ deletes: [viewer('1', 'anne')] });
      await converged('the delete');
      expect(sink.tuples()).not.toContain(tupleKeyId(viewer('1', 'anne')));

      // Back to back, without waiting: the source may merge them or deliver them one by one.
      await write({ writes: [viewer('4', 'dan')] });
      await write({ writes: [viewer('5', 'erin')], deletes: [{ user: 'user:bob', relation: 'member', object: 'team:core' }] });
      await write({ deletes: [viewer('4', 'dan')] });
      await write({ writes: [viewer('1', 'anne')] });
      await converged('the writes in a row');
      expect(sink.tuples()).toEqual(upstream.ids());
      expect(sink.errors()).toEqual([]);
      expect(sink.violations).toEqual([]);
    });

    it('reports a rejected change set and catches up with a full snapshot', { timeout: testTimeout }, async () => {
      const { sink, write, converged } = await started();
      sink.rejectNextChanges();
      await write({ writes: [viewer('6', 'fay')] });
      await waitFor(() => sink.calls.some((c) => c.kind === 'changes' && !c.accepted) || sink.calls.filter((c) => c.kind === 'snapshot').length > 1, converge, 'a delivery of the write');
      await converged('the catch-up after the rejection');

      const rejected = sink.calls.findIndex((c) => c.kind === 'changes' && !c.accepted);
      if (rejected >= 0) {
        const after = sink.calls.slice(rejected + 1);
        const reported = after.findIndex((c) => c.kind === 'error');
        expect(reported, 'error() after the rejected changes()').toBeGreaterThanOrEqual(0);
        expect(sink.errors()[0]).toBeInstanceOf(GatehouseError);
        // The next delivery after the rejection is the full reload, not another delta.
        expect(after.find((c) => c.kind === 'snapshot' || c.kind === 'changes')?.kind).toBe('snapshot');
      }
      // A source that only ever sends snapshots never calls changes(): then there is nothing to reject.
      expect(rejected >= 0 || sink.calls.every((c) => c.kind !== 'changes')).toBe(true);

      // Deltas resume from the reloaded state.
      await write({ writes: [viewer('7', 'gus')] });
      await converged('a write after the catch-up');
      expect(sink.violations).toEqual([]);
    });

    it('never calls the sink after stop() resolves', { timeout: testTimeout }, async () => {
      const { harness, sink, write, converged } = await started();
      await write({ writes: [viewer('8', 'hal')] });
      await converged('a write before stopping');
      // Stop while a write may still be on its way, then write more.
      await write({ writes: [viewer('9', 'ida')] });
      await harness.source.stop();
      sink.stopped = true;
      const calls = sink.calls.length;
      await write({ writes: [viewer('10', 'jo')] });
      await write({ deletes: [viewer('1', 'anne')] });
      await new Promise((resolve) => setTimeout(resolve, quiet));
      expect(sink.calls.length).toBe(calls);
      // Stopping again is allowed and does nothing.
      await harness.source.stop();
      expect(sink.violations).toEqual([]);
    });

    it('takes requestRevision as a hint without breaking delivery', { timeout: testTimeout }, async () => {
      const { harness, sink, write, converged } = await started();
      const source = harness.source;
      if (source.requestRevision === undefined) return;
      const current = sink.state?.revision as Revision;
      source.requestRevision(current);
      await write({ writes: [viewer('11', 'kim')] });
      source.requestRevision((BigInt(current) + 1n).toString());
      await converged('the write after requestRevision');
      // A revision far ahead that never comes: the source keeps following the upstream.
      source.requestRevision((BigInt(sink.state?.revision as Revision) + 1_000_000n).toString());
      await write({ deletes: [viewer('11', 'kim')] });
      await converged('the delete after a request for a far revision');
      expect(sink.errors()).toEqual([]);
      expect(sink.violations).toEqual([]);
    });

    it('delivers a model change', { timeout: testTimeout }, async () => {
      const { harness, sink, upstream, converged } = await started();
      if (harness.setModel === undefined) return;
      const before = sink.state as SnapshotData;
      await harness.setModel(CONTRACT_MODEL_V2);
      await waitFor(() => sink.state !== undefined && sink.state.modelId !== before.modelId, converge, 'the new model');
      const doc = sink.state?.model.type_definitions.find((t) => t.type === 'doc');
      expect(Object.keys(doc?.relations ?? {}).sort()).toEqual(['editor', 'viewer']);
      expect(compareRevisions(sink.state?.revision as Revision, before.revision)).toBeGreaterThan(0);
      await converged('the tuples across the model change');
      expect(sink.tuples()).toEqual(upstream.ids());
      expect(sink.errors()).toEqual([]);
      expect(sink.violations).toEqual([]);
    });
  });
}

function sameIds(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((id, i) => id === b[i]);
}
