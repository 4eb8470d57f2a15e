// Test fixture (not exported): a small model that exercises every kind of rewrite, a seeded
// tuple generator over a small universe (so random checks hit), and a scripted source the tests
// drive step by step.
import { parseDSL } from '../dsl/index';
import type { CheckRequest } from '../engine/types';
import { toGatehouseError } from '../errors/index';
import type { GatehouseError } from '../errors/index';
import type { AuthorizationModel } from '../model/types';
import { createSnapshot } from '../snapshot/index';
import type { Snapshot } from '../snapshot/index';
import type { TupleKey } from '../store/types';
import type { Revision } from '../sync/revision';
import type { SnapshotSink, SnapshotSource } from '../sync/source';
import type { ChangeSet, SnapshotData } from '../sync/types';

/** Unions, a userset, a typed wildcard with a condition, tuple-to-userset, and an exclusion. */
export const MODEL_DSL = `model
  schema 1.1

type user

type team
  relations
    define member: [user, team#member]

type folder
  relations
    define owner: [user]
    define viewer: [user, user:*, team#member] or owner

type doc
  relations
    define parent: [folder]
    define owner: [user]
    define blocked: [user]
    define editor: [user, team#member] or owner
    define viewer: ([user, user:* with not_expired, team#member] or editor or viewer from parent) but not blocked

condition not_expired(now: timestamp, expires: timestamp) {
  now < expires
}
`;

/** {@link MODEL_DSL} as JSON. */
export const model: AuthorizationModel = parseDSL(MODEL_DSL);

/** The same model with `doc#viewer` no longer excluding `blocked` (a model change that flips answers). */
export const model2: AuthorizationModel = parseDSL(MODEL_DSL.replace(') but not blocked', ')'));

/** A small seeded PRNG, shared with the sync fixtures. */
export { seededRandom as rng } from '../sync/creatorPlatform.fixture';

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

const USERS = ['user:u0', 'user:u1', 'user:u2', 'user:u3', 'user:u4'];
const TEAMS = ['team:t0', 'team:t1', 'team:t2'];
const FOLDERS = ['folder:f0', 'folder:f1'];
const DOCS = ['doc:d0', 'doc:d1', 'doc:d2'];
const EXPIRES = ['2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z'];

/**
 * A random tuple from a small universe. About one in twenty does not fit the model (a relation
 * it does not define), which a snapshot must keep aside rather than reject.
 */
export function randomTuple(random: () => number): TupleKey {
  const r = random();
  const member = () => (random() < 0.3 ? `${pick(random, TEAMS)}#member` : pick(random, USERS));
  if (r < 0.05) return { user: pick(random, USERS), relation: 'reader', object: pick(random, DOCS) };
  if (r < 0.2) return { user: member(), relation: 'member', object: pick(random, TEAMS) };
  if (r < 0.3) return { user: pick(random, USERS), relation: 'owner', object: pick(random, FOLDERS) };
  if (r < 0.42) return { user: random() < 0.2 ? 'user:*' : member(), relation: 'viewer', object: pick(random, FOLDERS) };
  if (r < 0.52) return { user: pick(random, FOLDERS), relation: 'parent', object: pick(random, DOCS) };
  if (r < 0.6) return { user: pick(random, USERS), relation: pick(random, ['owner', 'blocked']), object: pick(random, DOCS) };
  if (r < 0.72) return { user: member(), relation: 'editor', object: pick(random, DOCS) };
  if (random() < 0.2) {
    return { user: 'user:*', relation: 'viewer', object: pick(random, DOCS), condition: { name: 'not_expired', context: { expires: pick(random, EXPIRES) } } };
  }
  return { user: member(), relation: 'viewer', object: pick(random, DOCS) };
}

/** A random check over the same universe; some are invalid (an undefined relation) and fail. */
export function randomCheck(random: () => number): CheckRequest {
  const object = random() < 0.7 ? pick(random, DOCS) : pick(random, FOLDERS);
  const user = random() < 0.85 ? pick(random, USERS) : `${pick(random, TEAMS)}#member`;
  const relation = object.startsWith('doc:') ? pick(random, ['viewer', 'viewer', 'editor', 'owner', 'nope']) : pick(random, ['viewer', 'owner']);
  const request: CheckRequest = { user, relation, object };
  if (random() < 0.8) return { ...request, context: { now: '2025-06-01T00:00:00Z' } };
  return request;
}

/** The answer a fresh snapshot built from `data` gives: `allowed`, or the error code. */
export function freshAnswer(snapshot: Snapshot, request: CheckRequest): boolean | string {
  try {
    return snapshot.evaluator.check(request).allowed;
  } catch (error) {
    return toGatehouseError(error).code;
  }
}

/** Fresh snapshots by revision, built from recorded data (memoised: one build per revision). */
export function freshSnapshots(): { record(data: SnapshotData): void; at(revision: Revision): Snapshot } {
  const data = new Map<Revision, SnapshotData>();
  const built = new Map<Revision, Snapshot>();
  return {
    record(d) {
      data.set(d.revision, d);
    },
    at(revision) {
      let s = built.get(revision);
      if (s === undefined) {
        const d = data.get(revision);
        if (d === undefined) throw new Error(`no data recorded for revision ${revision}`);
        s = createSnapshot(d);
        built.set(revision, s);
      }
      return s;
    },
  };
}

/** What a {@link ScriptedSource} delivery came to. */
export type Outcome = 'applied' | GatehouseError;

/**
 * A source the test drives: each call delivers one thing to the sink, following the source
 * contract (a rejected delivery is reported through `error()`).
 */
export class ScriptedSource implements SnapshotSource {
  sink: SnapshotSink | undefined;
  readonly requested: Revision[] = [];
  started = 0;
  stopped = 0;

  start(sink: SnapshotSink): void {
    this.sink = sink;
    this.started++;
  }

  stop(): void {
    this.stopped++;
    this.sink = undefined;
  }

  requestRevision(atLeast: Revision): void {
    this.requested.push(atLeast);
  }

  async snapshot(data: SnapshotData): Promise<Outcome> {
    return this.deliver(() => this.live().snapshot(data));
  }

  async changes(changes: ChangeSet): Promise<Outcome> {
    return this.deliver(() => this.live().changes(changes));
  }

  fail(error: GatehouseError): void {
    this.live().error(error);
  }

  beat(revision: Revision): void {
    this.live().heartbeat?.(revision);
  }

  private live(): SnapshotSink {
    if (this.sink === undefined) throw new Error('ScriptedSource is not started');
    return this.sink;
  }

  private async deliver(call: () => void | Promise<void>): Promise<Outcome> {
    const sink = this.live();
    try {
      await call();
      return 'applied';
    } catch (error) {
      const e = toGatehouseError(error);
      sink.error(e);
      return e;
    }
  }
}

/** A snapshot payload at `revision` with `tuples` (default model, model id `m1`). */
export function data(revision: string, tuples: readonly TupleKey[], overrides: Partial<SnapshotData> = {}): SnapshotData {
  return { model, modelId: 'm1', revision, tuples, ...overrides };
}
