/**
 * One size, start to finish, inside its own worker process: generate, build each evaluator
 * (timed, heap measured), verify every answer, then time throughput (alternating evaluators, so
 * machine noise hits both alike), per-check latency and listObjects.
 */
import { loadavg } from 'node:os';
import { MapBaseline } from './baseline';
import type { BenchEvaluator, EvaluatorFactory } from './evaluator';
import { build, checkLatency, listLatency, median, streamCost, throughput, timerOverheadNs, verify, type BuildResult, type GcActivity, type Latency } from './measure';
import type { BenchOptions } from './run';
import { generateWorkload, SIZES, type SizeName, type WorkloadCounts } from './workload';

/** Figures for one evaluator at one size. */
export interface EvaluatorResult {
  readonly build: BuildResult;
  /** Checks per second, one entry per round. */
  readonly rounds: readonly number[];
  /** The median round. */
  readonly checksPerSec: number;
  /** The best round (the least disturbed by other load). */
  readonly bestChecksPerSec: number;
  /** Checks per second of process CPU time, per round. */
  readonly cpuRounds: readonly number[];
  /** The median of `cpuRounds`. */
  readonly checksPerCpuSec: number;
  /** GCs during all timed rounds together. */
  readonly gc: GcActivity;
  /** Per-check latency, µs (each sample includes one timer pair, see `timerOverheadNs`). */
  readonly latencyUs: Latency;
  /** listObjects latency for the probe user, ms. */
  readonly listObjectsMs: Latency;
}

/** Figures for one size. */
export interface SizeResult {
  readonly size: SizeName;
  readonly seed: number;
  readonly counts: WorkloadCounts;
  readonly checks: number;
  readonly listObjectsCount: number;
  /** Whether this size ran as load-and-check only (one short round, no baseline). */
  readonly loadAndCheck: boolean;
  readonly generateMs: number;
  /** The time to produce the tuple stream alone (subtracted from build time to get index time). */
  readonly streamMs: number;
  readonly timerOverheadNs: number;
  readonly loadavg: readonly number[];
  readonly evaluators: Readonly<Record<string, EvaluatorResult>>;
  /** Engine checks/s over baseline checks/s, round by round, median. */
  readonly ratio: number | undefined;
  /** The same ratio on checks per CPU second. */
  readonly cpuRatio: number | undefined;
}

const log = (message: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

async function factoryFor(name: string): Promise<EvaluatorFactory> {
  if (name === 'baseline') return (workload) => new MapBaseline(workload);
  const { createEngineEvaluator } = await import('./engine-adapter');
  return createEngineEvaluator;
}

/** Runs every measurement for `size`. */
export async function runSize(size: SizeName, options: BenchOptions): Promise<SizeResult> {
  const loadAndCheck = size === 'xl';
  const names = options.evaluators.filter((n) => !(loadAndCheck && n === 'baseline'));
  const rounds = loadAndCheck ? 1 : options.rounds;
  const roundMs = options.roundMs;

  log(`${size}: generating (seed ${options.seed})`);
  let t0 = performance.now();
  const workload = generateWorkload(SIZES[size], options.seed, options.checks);
  const generateMs = performance.now() - t0;
  const { counts } = workload;
  log(`${size}: ${counts.tuples.toLocaleString('en-US')} tuples, ${counts.users} users, ${counts.tracks} tracks in ${(generateMs / 1000).toFixed(1)} s`);
  const streamMs = streamCost(workload);

  const built: { name: string; evaluator: BenchEvaluator; build: BuildResult }[] = [];
  for (const name of names) {
    const factory = await factoryFor(name);
    log(`${size}: building ${name}`);
    const { evaluator, result } = build(factory, workload, streamMs);
    log(`${size}: ${name} built in ${(result.buildMs / 1000).toFixed(2)} s, ${result.heapBytesPerTuple.toFixed(1)} heap B/tuple (+${result.arrayBufferBytesPerTuple.toFixed(1)} ArrayBuffer)`);
    verify(evaluator, workload.checks, workload.list);
    log(`${size}: ${name} agrees with the ground truth on ${workload.checks.users.length} checks and listObjects (${workload.list.expected.length})`);
    built.push({ name, evaluator, build: result });
  }

  for (const { evaluator } of built) await throughput(evaluator, workload.checks, Math.min(500, roundMs));
  const perRound = new Map<string, number[]>(built.map((b) => [b.name, []]));
  const perCpuRound = new Map<string, number[]>(built.map((b) => [b.name, []]));
  const gcTotals = new Map<string, { count: number; ms: number }>(built.map((b) => [b.name, { count: 0, ms: 0 }]));
  for (let r = 0; r < rounds; r++) {
    // Alternate which evaluator goes first, so neither always runs right after the other's garbage.
    for (const { name, evaluator } of r % 2 === 0 ? built : [...built].reverse()) {
      const round = await throughput(evaluator, workload.checks, roundMs);
      perRound.get(name)!.push(round.checksPerSec);
      perCpuRound.get(name)!.push(round.checksPerCpuSec);
      const g = gcTotals.get(name)!;
      g.count += round.gc.count;
      g.ms += round.gc.ms;
    }
    log(`${size}: round ${r + 1}/${rounds}: ${built.map((b) => `${b.name} ${Math.round(perRound.get(b.name)![r]!).toLocaleString('en-US')}/s`).join(', ')}`);
  }

  const overhead = timerOverheadNs();
  const evaluators: Record<string, EvaluatorResult> = {};
  for (const { name, evaluator, build: buildResult } of built) {
    t0 = performance.now();
    const latencyUs = checkLatency(evaluator, workload.checks, loadAndCheck ? 1 : 3);
    const listObjectsMs = listLatency(evaluator, workload.list, 5, loadAndCheck ? 20 : 50, loadAndCheck ? 200 : 1000);
    const roundsOf = perRound.get(name)!;
    const cpuRounds = perCpuRound.get(name)!;
    evaluators[name] = {
      build: buildResult,
      rounds: roundsOf,
      checksPerSec: median(roundsOf),
      bestChecksPerSec: Math.max(...roundsOf),
      cpuRounds,
      checksPerCpuSec: median(cpuRounds),
      gc: gcTotals.get(name)!,
      latencyUs,
      listObjectsMs,
    };
    log(`${size}: ${name} p50 ${latencyUs.p50.toFixed(2)} µs, p99 ${latencyUs.p99.toFixed(2)} µs; listObjects p50 ${listObjectsMs.p50.toFixed(2)} ms (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }

  const pairedRatio = (rounds: Map<string, number[]>): number | undefined => {
    const engine = rounds.get('engine');
    const baseline = rounds.get('baseline');
    return engine && baseline ? median(engine.map((e, i) => e / baseline[i]!)) : undefined;
  };
  return {
    size,
    seed: options.seed,
    counts,
    checks: workload.checks.users.length,
    listObjectsCount: workload.list.expected.length,
    loadAndCheck,
    generateMs,
    streamMs,
    timerOverheadNs: overhead,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
    evaluators,
    ratio: pairedRatio(perRound),
    cpuRatio: pairedRatio(perCpuRound),
  };
}
