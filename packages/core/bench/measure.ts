/**
 * Measurements for one workload size: build time and retained heap, correctness against the
 * generator's ground truth, check throughput and latency, listObjects latency.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { BenchEvaluator, EvaluatorFactory } from './evaluator';
import { CHECK_KINDS, type CheckList, type ListProbe, type Workload } from './workload';

const now = (): bigint => process.hrtime.bigint();
const ms = (from: bigint, to: bigint = now()): number => Number(to - from) / 1e6;
/** CPU time of this process (all threads, user + system), ms: on a shared machine it counts only our own work. */
const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run node with --expose-gc (bench/run.ts starts its workers that way)');
  collect();
  collect();
}

/** Heap plus ArrayBuffer backing stores: typed-array indexes live outside the V8 heap. */
function retained(): { heap: number; arrayBuffers: number } {
  const m = process.memoryUsage();
  return { heap: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

/** The percentile `p` (0..1) of sorted samples (nearest rank). */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Build figures for one evaluator. */
export interface BuildResult {
  /** Wall time of the factory: compile, load every tuple, index. Includes generating the tuple strings. */
  readonly buildMs: number;
  /** CPU time of the build (less sensitive than wall time to other load on the machine). */
  readonly buildCpuMs: number;
  /** `buildMs` minus the time the workload takes to produce the same tuple stream into a no-op sink. */
  readonly indexMs: number;
  /** Retained V8 heap after a full GC, per tuple. */
  readonly heapBytesPerTuple: number;
  /** Retained ArrayBuffer memory (typed arrays) per tuple; not part of the V8 heap. */
  readonly arrayBufferBytesPerTuple: number;
}

/** The time to produce the tuple stream (the generator both evaluators load from) alone; best of `runs`. */
export function streamCost(workload: Workload, runs = 2): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    let sink = 0;
    const t0 = now();
    for (const { object, relation, user } of workload.tuples()) sink += object.length + relation.length + user.length;
    best = Math.min(best, ms(t0));
    if (sink === 0) throw new Error('empty tuple stream');
  }
  return best;
}

/** Builds an evaluator, timing it and measuring what it retains. */
export function build(factory: EvaluatorFactory, workload: Workload, streamMs: number): { evaluator: BenchEvaluator; result: BuildResult } {
  gc();
  const before = retained();
  const c0 = cpuMs();
  const t0 = now();
  const evaluator = factory(workload);
  const buildMs = ms(t0);
  const buildCpuMs = cpuMs() - c0;
  gc();
  const after = retained();
  const tuples = workload.counts.tuples;
  return {
    evaluator,
    result: {
      buildMs,
      buildCpuMs,
      indexMs: Math.max(0, buildMs - streamMs),
      heapBytesPerTuple: (after.heap - before.heap) / tuples,
      arrayBufferBytesPerTuple: (after.arrayBuffers - before.arrayBuffers) / tuples,
    },
  };
}

/**
 * Runs every check once and compares with the ground truth; throws on any disagreement (a wrong
 * answer is a bug, not a number). Also checks the listObjects probe for completeness.
 */
export function verify(evaluator: BenchEvaluator, checks: CheckList, list: ListProbe): void {
  const wrong: string[] = [];
  let wrongCount = 0;
  for (let i = 0; i < checks.users.length; i++) {
    let got: unknown;
    try {
      got = evaluator.check(checks.users[i]!, checks.relation, checks.objects[i]!);
    } catch (error) {
      got = `threw ${String(error)}`;
    }
    if (got !== (checks.expected[i] === 1)) {
      wrongCount++;
      if (wrong.length < 10) {
        wrong.push(`  check(${checks.users[i]}, ${checks.relation}, ${checks.objects[i]}) = ${String(got)}, expected ${checks.expected[i] === 1} [${CHECK_KINDS[checks.kinds[i]!]}]`);
      }
    }
  }
  if (wrongCount > 0) throw new Error(`${evaluator.name}: ${wrongCount} of ${checks.users.length} checks disagree with the ground truth:\n${wrong.join('\n')}`);

  const got = evaluator.listObjects(list.user, list.relation, list.type);
  const want = new Set(list.expected);
  const seen = new Set<string>();
  const extra: string[] = [];
  let duplicates = 0;
  for (const object of got) {
    if (seen.has(object)) duplicates++;
    seen.add(object);
    if (!want.has(object)) extra.push(object);
  }
  const missing = list.expected.filter((o) => !seen.has(o));
  if (missing.length || extra.length || duplicates) {
    throw new Error(
      `${evaluator.name}: listObjects(${list.user}, ${list.relation}, ${list.type}) returned ${got.length} objects, expected ${list.expected.length}: ` +
        `${missing.length} missing (${missing.slice(0, 5).join(', ')}), ${extra.length} unexpected (${extra.slice(0, 5).join(', ')}), ${duplicates} duplicates`,
    );
  }
}

/** GC activity observed during a timed section. */
export interface GcActivity {
  /** Collections of any kind. */
  readonly count: number;
  /** Total pause time, ms. */
  readonly ms: number;
}

/** Counts GCs between `start()` and `stop()` (perf_hooks delivers entries asynchronously). */
class GcCounter {
  private count = 0;
  private total = 0;
  private readonly observer = new PerformanceObserver((items) => {
    for (const entry of items.getEntries()) {
      this.count++;
      this.total += entry.duration;
    }
  });

  start(): void {
    this.count = 0;
    this.total = 0;
    this.observer.observe({ entryTypes: ['gc'] });
  }

  async stop(): Promise<GcActivity> {
    await new Promise((resolve) => setTimeout(resolve, 10));
    this.observer.disconnect();
    return { count: this.count, ms: this.total };
  }
}

/** One timed throughput round. */
export interface ThroughputRound {
  readonly checksPerSec: number;
  /** Checks per second of process CPU time. */
  readonly checksPerCpuSec: number;
  readonly checks: number;
  readonly ms: number;
  readonly gc: GcActivity;
}

/**
 * Loops over the fixed check list until `minMs` has passed. Counting allowed answers keeps the
 * calls observable and catches an evaluator whose answers drift between passes.
 */
export async function throughput(evaluator: BenchEvaluator, checks: CheckList, minMs: number): Promise<ThroughputRound> {
  const { users, objects, relation, allowedCount } = checks;
  const n = users.length;
  const counter = new GcCounter();
  counter.start();
  let passes = 0;
  let allowed = 0;
  const t0 = now();
  let elapsed = 0;
  const c0 = cpuMs();
  do {
    for (let i = 0; i < n; i++) if (evaluator.check(users[i]!, relation, objects[i]!)) allowed++;
    passes++;
    elapsed = ms(t0);
  } while (elapsed < minMs);
  const cpu = cpuMs() - c0;
  const gcActivity = await counter.stop();
  if (allowed !== allowedCount * passes) throw new Error(`${evaluator.name}: ${allowed} allowed over ${passes} passes, expected ${allowedCount * passes}`);
  return { checksPerSec: (n * passes) / (elapsed / 1000), checksPerCpuSec: (n * passes) / (cpu / 1000), checks: n * passes, ms: elapsed, gc: gcActivity };
}

/** Per-call latency figures, microseconds (or ms for listObjects). */
export interface Latency {
  readonly samples: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

function summarize(samples: Float64Array, scale: number): Latency {
  const sorted = samples.slice().sort();
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    samples: sorted.length,
    p50: percentile(sorted, 0.5) / scale,
    p90: percentile(sorted, 0.9) / scale,
    p99: percentile(sorted, 0.99) / scale,
    p999: percentile(sorted, 0.999) / scale,
    max: sorted[sorted.length - 1]! / scale,
    mean: sum / sorted.length / scale,
  };
}

/** The cost of one `hrtime.bigint()` pair, ns (median): included in every per-call latency sample. */
export function timerOverheadNs(): number {
  const samples = new Float64Array(20_000);
  for (let i = 0; i < samples.length; i++) {
    const t = now();
    samples[i] = Number(now() - t);
  }
  return percentile(samples.sort(), 0.5);
}

/** Times each check of the list on its own, `passes` times over; asserts every answer. */
export function checkLatency(evaluator: BenchEvaluator, checks: CheckList, passes: number): Latency {
  const { users, objects, relation, expected } = checks;
  const n = users.length;
  const samples = new Float64Array(n * passes);
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < n; i++) {
      const t = now();
      const allowed = evaluator.check(users[i]!, relation, objects[i]!);
      samples[p * n + i] = Number(now() - t);
      if (allowed !== (expected[i] === 1)) throw new Error(`${evaluator.name}: check ${i} changed its answer during the latency pass`);
    }
  }
  return summarize(samples, 1_000);
}

/** Times listObjects for the probe user: `warmup` untimed calls, then at least `runs` calls and `minMs`. */
export function listLatency(evaluator: BenchEvaluator, list: ListProbe, warmup: number, runs: number, minMs: number): Latency {
  for (let i = 0; i < warmup; i++) evaluator.listObjects(list.user, list.relation, list.type);
  const samples: number[] = [];
  const t0 = now();
  while (samples.length < runs || ms(t0) < minMs) {
    const t = now();
    const got = evaluator.listObjects(list.user, list.relation, list.type);
    samples.push(Number(now() - t));
    if (got.length !== list.expected.length) throw new Error(`${evaluator.name}: listObjects returned ${got.length} objects, expected ${list.expected.length}`);
    if (samples.length >= 100_000) break;
  }
  return summarize(Float64Array.from(samples), 1e6);
}

/** The median of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
