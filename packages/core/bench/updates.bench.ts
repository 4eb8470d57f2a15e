/**
 * Updates under load (issue #4, Benchmark): tuple updates applied per second to a ~1M-tuple
 * snapshot while checks run on the same thread, and check throughput during updates against the
 * idle figure (target: within 20%). Also the decision cache: the cost of a hit against a miss.
 *
 *   node --conditions=@gatehouse/source --import tsx --expose-gc packages/core/bench/updates.bench.ts
 *     [--tracks 800000] [--seconds 3] [--batches 1,10,100] [--rates 200,1000] [--json out.json]
 *
 * Updates go through the authorizer's sink (`changes()`), exactly as a source delivers them:
 * validation, `applyChanges` (copy-on-write store write, new evaluator), the atomic swap, cache
 * invalidation, events. Checks go through `authorizer.check`, cache off unless stated, so every
 * check is evaluated. A measurement, not a test: the only failure is a wrong answer (exit code 1).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createAuthorizer } from '../src/authorizer/index';
import type { Authorizer } from '../src/authorizer/index';
import { createSnapshot } from '../src/snapshot/index';
import type { TupleKey } from '../src/store/types';
import type { ChangeSet, TupleKeyWithoutCondition } from '../src/sync/types';
import { generateWorkload, MODEL_JSON, SIZES, type WorkloadSize } from './workload';

interface Options {
  readonly tracks: number;
  readonly seconds: number;
  readonly batches: readonly number[];
  readonly rates: readonly number[];
  readonly json: string | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i < 0 ? undefined : argv[i + 1];
  };
  const num = (flag: string, fallback: number): number => {
    const v = value(flag);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, got ${v}`);
    return n;
  };
  return {
    tracks: num('--tracks', 800_000),
    seconds: num('--seconds', 3),
    batches: (value('--batches') ?? '1,10,100').split(',').map(Number),
    rates: (value('--rates') ?? '200,1000').split(',').map(Number),
    json: value('--json'),
  };
}

const options = parseArgs(process.argv.slice(2));
const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run node with --expose-gc');
  collect();
  collect();
};
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (n: number): string => `${(n * 100).toFixed(0)}%`;

// ---------------------------------------------------------------- the workload

// The creator-platform workload (orgs > artists > albums > tracks, users in teams, roles at every
// level), sized to about a million tuples.
const size: WorkloadSize = { ...SIZES.medium, users: 30_000, tracks: options.tracks, orgs: 100 };
const workload = generateWorkload(size);
const tuples: TupleKey[] = [...workload.tuples()];
const { checks } = workload;
const N = checks.users.length;
const requests = Array.from({ length: N }, (_, i) => ({ user: checks.users[i]!, relation: checks.relation, object: checks.objects[i]! }));

// ---------------------------------------------------------------- load

gc();
const heapBefore = process.memoryUsage();
const authorizer: Authorizer = createAuthorizer({ cache: { max: 0 } });
let loadMs = 0;
authorizer.on('snapshot', (e) => {
  if (e.kind === 'full') loadMs = e.durationMs;
});
authorizer.snapshot({ model: MODEL_JSON, modelId: 'creator-platform', revision: '1', tuples });
gc();
const heapAfter = process.memoryUsage();
const snapshotBytesPerTuple = (heapAfter.heapUsed + heapAfter.arrayBuffers - heapBefore.heapUsed - heapBefore.arrayBuffers) / tuples.length;

// Every answer must match the generator's ground truth before anything changes.
for (let i = 0; i < N; i++) {
  if (authorizer.check(requests[i]!).allowed !== (checks.expected[i] === 1)) {
    console.error(`wrong answer before updates: check #${i} ${JSON.stringify(requests[i])}`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------- updates

// Grants come and go: each change set writes new role grants (a user on a track or an album) and
// deletes grants it wrote earlier, so the snapshot stays near its size. The net state is tracked to
// reload it and to verify the final snapshot against a fresh build.
const ROLES = ['viewer', 'editor', 'admin', 'owner'];
let seq = 0;
let revision = 1;
const live: TupleKey[] = [];
const liveIds = new Set<string>();
const idOf = (t: TupleKeyWithoutCondition): string => `${t.object}#${t.relation}@${t.user}`;

function nextChanges(batch: number): ChangeSet {
  const writes: TupleKey[] = [];
  const deletes: TupleKeyWithoutCondition[] = [];
  const deleting = live.length > 1_000 ? Math.floor(batch / 2) : 0;
  for (let i = 0; i < deleting; i++) {
    const t = live.shift()!;
    liveIds.delete(idOf(t));
    deletes.push(t);
  }
  while (writes.length < batch - deleting) {
    seq++;
    // A multiplicative hash spreads the grants over users and objects without repeating.
    const h = Math.imul(seq, 2654435761) >>> 0;
    const object = h % 5 === 0 ? `album:al${h % Math.round(size.tracks / size.tracksPerAlbum)}` : `track:t${h % size.tracks}`;
    const t: TupleKey = { user: `user:u${(h >>> 7) % size.users}`, relation: ROLES[h % 4]!, object };
    const id = idOf(t);
    // Grants are new tuples: never one the bench holds already, nor one of the initial load.
    if (liveIds.has(id) || writes.some((w) => idOf(w) === id) || authorizer.getSnapshot()!.store.has(t)) continue;
    writes.push(t);
  }
  for (const t of writes) {
    live.push(t);
    liveIds.add(idOf(t));
  }
  const from = String(revision);
  revision++;
  return { from, to: String(revision), writes, deletes };
}

/** The tuples the authorizer holds now: the load plus the bench's live grants (which never overlap it). */
function currentTuples(): TupleKey[] {
  return [...tuples, ...live];
}

/**
 * Reloads the current state as a full snapshot, so every run starts from freshly built indexes:
 * the store keeps a delta's changed keys in copy-on-write patches until they reach a share of the
 * base, and their size (which grows with every delta until the store compacts) drives a delta's cost.
 */
function reload(): void {
  const from = String(revision);
  revision++;
  authorizer.snapshot({ model: MODEL_JSON, modelId: 'creator-platform', revision: String(revision), tuples: currentTuples() });
  if (authorizer.revision !== String(revision)) throw new Error(`reload from ${from} not applied`);
}

/** Changed keys held in copy-on-write patches across the store's indexes. */
function patchedKeys(): number {
  const store = authorizer.getSnapshot()!.store;
  let n = 0;
  for (const index of [...store.fwd, ...store.rev]) n += index.patch?.size ?? 0;
  return n;
}

// ---------------------------------------------------------------- measurements

interface Throughput {
  readonly checksPerSec: number;
  readonly checksPerCpuSec: number;
}

/** Checks only, for `seconds`. */
function idle(seconds: number): Throughput {
  let n = 0;
  let sink = 0;
  const c0 = cpuMs();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  let i = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 256; k++) {
      if (authorizer.check(requests[i]!).allowed) sink++;
      i = i + 1 === N ? 0 : i + 1;
    }
    n += 256;
  }
  const wall = performance.now() - t0;
  const cpu = cpuMs() - c0;
  if (sink < 0) throw new Error('unreachable');
  return { checksPerSec: (n / wall) * 1000, checksPerCpuSec: (n / cpu) * 1000 };
}

interface UpdateRun extends Throughput {
  readonly batch: number;
  /** Changed keys held in patches at the end of the run. */
  readonly patchedKeys: number;
  readonly deltas: number;
  readonly tuplesPerSec: number;
  readonly deltaP50Ms: number;
  readonly deltaP99Ms: number;
  /** Share of the wall time spent applying deltas. */
  readonly updateShare: number;
}

/**
 * Deltas of `batch` tuples interleaved with checks on one thread. With `tuplesPerSec`, deltas are
 * paced to that rate and checks fill the time between; without it, `checksBetween` checks run
 * between back-to-back deltas (the saturated update rate).
 */
function withUpdates(batch: number, seconds: number, pace: { tuplesPerSec?: number; checksBetween?: number }): UpdateRun {
  const times: number[] = [];
  let n = 0;
  let applied = 0;
  let sink = 0;
  let i = 0;
  let updating = 0;
  const c0 = cpuMs();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const interval = pace.tuplesPerSec === undefined ? 0 : (batch / pace.tuplesPerSec) * 1000;
  let due = t0;
  for (let now = t0; now < end; now = performance.now()) {
    if (pace.tuplesPerSec === undefined || now >= due) {
      const changes = nextChanges(batch);
      const u0 = performance.now();
      authorizer.changes(changes);
      const took = performance.now() - u0;
      times.push(took);
      updating += took;
      applied += changes.writes.length + changes.deletes.length;
      due += interval;
      if (authorizer.revision !== changes.to) throw new Error('delta not applied');
    }
    const between = pace.checksBetween ?? 64;
    for (let k = 0; k < between; k++) {
      if (authorizer.check(requests[i]!).allowed) sink++;
      i = i + 1 === N ? 0 : i + 1;
    }
    n += between;
  }
  const wall = performance.now() - t0;
  const cpu = cpuMs() - c0;
  if (sink < 0) throw new Error('unreachable');
  times.sort((a, b) => a - b);
  const at = (p: number): number => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? Number.NaN;
  return {
    batch,
    patchedKeys: patchedKeys(),
    deltas: times.length,
    tuplesPerSec: (applied / wall) * 1000,
    deltaP50Ms: at(0.5),
    deltaP99Ms: at(0.99),
    updateShare: updating / wall,
    checksPerSec: (n / wall) * 1000,
    checksPerCpuSec: (n / cpu) * 1000,
  };
}

/**
 * ns per check on a second authorizer with a cache over the same tuples: each round moves it to a
 * new revision (an empty change set, so the cache starts empty), then passes over the checks
 * twice: misses, then hits. Best of five rounds; `uncachedNs` is the cache-less authorizer.
 */
function cacheCost(): { missNs: number; hitNs: number; uncachedNs: number } {
  const cached = createAuthorizer({ cache: { max: N } });
  cached.snapshot({ model: MODEL_JSON, modelId: 'creator-platform', revision: '1', tuples });
  const pass = (a: Authorizer): number => {
    const t0 = performance.now();
    for (let k = 0; k < N; k++) a.check(requests[k]!);
    return ((performance.now() - t0) * 1e6) / N;
  };
  pass(cached);
  let missNs = Number.POSITIVE_INFINITY;
  let hitNs = Number.POSITIVE_INFINITY;
  let uncachedNs = Number.POSITIVE_INFINITY;
  for (let r = 1; r <= 5; r++) {
    cached.changes({ from: String(r), to: String(r + 1), writes: [], deletes: [] });
    missNs = Math.min(missNs, pass(cached));
    hitNs = Math.min(hitNs, pass(cached));
    uncachedNs = Math.min(uncachedNs, pass(authorizer));
  }
  const { hits, misses } = cached.cacheStats();
  if (hits < 5 * N || misses > 6 * N) throw new Error(`unexpected cache counts: ${hits} hits, ${misses} misses`);
  void cached.stop();
  return { missNs, hitNs, uncachedNs };
}

// ---------------------------------------------------------------- run

const host = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
console.log(`updates.bench: ${int(tuples.length)} tuples, ${int(N)} checks, ${options.seconds} s per run (${host})`);
console.log(`load: ${int(loadMs)} ms (validate, compile, index), ${snapshotBytesPerTuple.toFixed(0)} B retained per tuple (heap + typed arrays)\n`);

// Warm up both paths before measuring.
idle(1);
withUpdates(10, 1, { checksBetween: 64 });
reload();
gc();
const idleBefore = idle(options.seconds);
const cache = cacheCost();

const saturated: UpdateRun[] = [];
const paced: (UpdateRun & { readonly rate: number })[] = [];
for (const batch of options.batches) {
  reload();
  gc();
  saturated.push(withUpdates(batch, options.seconds, { checksBetween: 16 }));
}
for (const rate of options.rates) {
  for (const batch of options.batches) {
    reload();
    gc();
    paced.push({ rate, ...withUpdates(batch, options.seconds, { tuplesPerSec: rate }) });
  }
}
// A sustained run: deltas of 10 tuples back to back for longer, without reloading, to see the
// patches grow (and the store compact them).
reload();
gc();
const sustained: UpdateRun[] = [];
for (let round = 0; round < 4; round++) sustained.push(withUpdates(10, options.seconds, { checksBetween: 16 }));
gc();
const idleAfter = idle(options.seconds);
const patchedAtEnd = patchedKeys();

console.log(`idle check throughput: ${int(idleBefore.checksPerSec)} checks/s (${int(idleBefore.checksPerCpuSec)} per CPU-second)`);
console.log(`with ${int(patchedAtEnd)} patched keys (after the sustained run): ${int(idleAfter.checksPerSec)} checks/s (${int(idleAfter.checksPerCpuSec)} per CPU-second)\n`);

const row = (r: UpdateRun, label: string): string =>
  `  ${label}  ${String(r.batch).padStart(5)}  ${int(r.tuplesPerSec).padStart(9)}  ${int(r.deltas / options.seconds).padStart(9)}  ${r.deltaP50Ms.toFixed(3).padStart(8)} ms ${r.deltaP99Ms.toFixed(3).padStart(8)} ms  ${int(r.checksPerSec).padStart(12)}  ${int(r.patchedKeys).padStart(12)}`;
console.log('updates back to back, 16 checks between deltas (each run starts from a fresh load):');
console.log('  batch   tuples/s   deltas/s   delta p50   delta p99   checks/s during   patched keys');
for (const r of saturated) console.log(row(r, '').slice(2));
console.log(`\nsustained: deltas of 10 back to back, ${options.seconds} s rounds without reloading:`);
console.log('  round  batch   tuples/s   deltas/s   delta p50   delta p99   checks/s during   patched keys');
sustained.forEach((r, i) => console.log(row(r, String(i + 1).padStart(5))));
console.log(`\nchecks while updates arrive at a steady rate (each run starts from a fresh load), against idle ${int(idleBefore.checksPerSec)} checks/s (target: within 20%):`);
console.log('  tuples/s  batch   deltas/s   update time   checks/s   vs idle   checks/CPU-s   vs idle (CPU)');
for (const r of paced) {
  const ratio = r.checksPerSec / idleBefore.checksPerSec;
  const cpuRatio = r.checksPerCpuSec / idleBefore.checksPerCpuSec;
  console.log(
    `  ${int(r.rate).padStart(8)}  ${String(r.batch).padStart(5)}  ${int(r.deltas / options.seconds).padStart(9)}  ${pct(r.updateShare).padStart(11)}  ${int(r.checksPerSec).padStart(9)}  ${pct(ratio).padStart(7)}  ${int(r.checksPerCpuSec).padStart(12)}  ${pct(cpuRatio).padStart(13)}${ratio >= 0.8 || cpuRatio >= 0.8 ? '' : '  (below target)'}`,
  );
}
console.log(`\ndecision cache, ns per check: hit ${cache.hitNs.toFixed(0)}, miss ${cache.missNs.toFixed(0)}, no cache ${cache.uncachedNs.toFixed(0)} (a hit is ${(cache.missNs / cache.hitNs).toFixed(1)}× cheaper than a miss)`);

// ---------------------------------------------------------------- correctness after all updates

const finalTuples = currentTuples();
const fresh = createSnapshot({ model: MODEL_JSON, modelId: 'creator-platform', revision: String(revision), tuples: finalTuples });
const current = authorizer.getSnapshot()!;
let wrong = 0;
for (let i = 0; i < N; i++) {
  if (authorizer.check(requests[i]!).allowed !== fresh.evaluator.check(requests[i]!).allowed) wrong++;
}
// The bench's grants also touch the checked users: probe them directly.
for (const t of live.slice(-2_000)) {
  const probe = { user: t.user, relation: 'viewer', object: t.object };
  if (authorizer.check(probe).allowed !== fresh.evaluator.check(probe).allowed) wrong++;
}
if (current.tupleCount !== fresh.tupleCount) wrong++;
console.log(`\nverified: ${int(N + Math.min(2_000, live.length))} checks after ${int(revision - 1)} deltas agree with a fresh build of the final state (${int(current.tupleCount)} tuples)${wrong ? `: ${wrong} DISAGREE` : ''}`);

if (options.json) {
  writeFileSync(options.json, JSON.stringify({ tuples: tuples.length, host, loadMs, snapshotBytesPerTuple, idleBefore, idleAfter, saturated, paced, sustained, cache }, null, 2));
}
await authorizer.stop();
if (wrong > 0) process.exit(1);
