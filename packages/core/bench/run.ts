/**
 * `pnpm bench`: the engine benchmark (issue #3, Performance). A measurement, not a test: targets
 * are printed as pass/fail and never fail the process; a wrong answer does (exit code 1).
 *
 *   pnpm --filter @gatehouse/core bench [--size small|medium|large|xl|all|a,b] [--json out.json]
 *     [--evaluators engine,baseline] [--rounds 5] [--round-ms 1000] [--checks 10000] [--seed N]
 *     [--max-old-space-size MB] [--cpu-prof]
 *
 * Each size runs in its own Node process (fresh heap and JIT state, --expose-gc, a heap limit
 * sized for it), which writes its figures to a file this process collects and prints.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkModelForms } from './model-forms';
import { runSize, type SizeResult } from './suite';
import { printReport, TARGETS } from './report';
import { SIZES, type SizeName } from './workload';

/** Parsed command line. */
export interface BenchOptions {
  readonly sizes: readonly SizeName[];
  readonly json: string | undefined;
  readonly evaluators: readonly string[];
  readonly rounds: number;
  readonly roundMs: number;
  readonly checks: number;
  readonly seed: number;
  readonly maxOldSpaceMb: number | undefined;
  readonly cpuProf: boolean;
}

const DEFAULT_HEAP_MB: Readonly<Record<SizeName, number>> = { small: 2048, medium: 4096, large: 8192, xl: 20480 };
const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: readonly string[]): BenchOptions & { child?: { size: SizeName; resultFile: string } } {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
    return v;
  };
  const int = (flag: string, fallback: number): number => {
    const v = value(flag);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got ${v}`);
    return n;
  };
  const known = new Set(['--size', '--json', '--evaluators', '--rounds', '--round-ms', '--checks', '--seed', '--max-old-space-size', '--cpu-prof', '--child', '--result-file']);
  for (const arg of argv) if (arg.startsWith('--') && !known.has(arg)) throw new Error(`unknown option ${arg}`);

  const sizeArg = value('--size') ?? 'small,medium,large';
  const sizes = (sizeArg === 'all' ? Object.keys(SIZES) : sizeArg.split(',')).map((s) => {
    if (!(s in SIZES)) throw new Error(`--size: unknown size ${s} (small, medium, large, xl, all)`);
    return s as SizeName;
  });
  const evaluators = (value('--evaluators') ?? 'engine,baseline').split(',');
  for (const e of evaluators) if (e !== 'engine' && e !== 'baseline') throw new Error(`--evaluators: unknown evaluator ${e} (engine, baseline)`);
  const child = value('--child');
  const maxOld = value('--max-old-space-size');
  return {
    sizes,
    json: value('--json'),
    evaluators,
    rounds: int('--rounds', 5),
    roundMs: int('--round-ms', 1000),
    checks: int('--checks', 10_000),
    seed: int('--seed', 20240601),
    maxOldSpaceMb: maxOld === undefined ? undefined : int('--max-old-space-size', 0),
    cpuProf: argv.includes('--cpu-prof'),
    ...(child === undefined ? {} : { child: { size: child as SizeName, resultFile: value('--result-file') ?? '' } }),
  };
}

/** Starts one worker process per size and collects its figures. */
function runWorker(size: SizeName, options: BenchOptions, argv: readonly string[], dir: string): SizeResult {
  const resultFile = join(dir, `${size}.json`);
  const heapMb = options.maxOldSpaceMb ?? DEFAULT_HEAP_MB[size];
  const nodeArgs = [
    ...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size') && a !== '--expose-gc'),
    '--expose-gc',
    `--max-old-space-size=${heapMb}`,
    ...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve('bench-results')}`, `--cpu-prof-name=${size}-${Date.now()}.cpuprofile`] : []),
  ];
  const passOn = argv.filter((a, i) => a !== '--size' && argv[i - 1] !== '--size' && a !== '--json' && argv[i - 1] !== '--json');
  const child = spawnSync(process.execPath, [...nodeArgs, join(here, 'run.ts'), ...passOn, '--child', size, '--result-file', resultFile], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (child.status !== 0) {
    throw new Error(`the ${size} run failed (exit ${child.status ?? child.signal}); see its output above`);
  }
  return JSON.parse(readFileSync(resultFile, 'utf8')) as SizeResult;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseArgs(argv);
  if (options.child) {
    const result = await runSize(options.child.size, options);
    writeFileSync(options.child.resultFile, JSON.stringify(result));
    return;
  }

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    loadavgAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  process.stderr.write(`gatehouse bench: ${machine.cpuModel} x${machine.cpus}, ${machine.memoryGiB} GiB, Node ${machine.node}; load ${machine.loadavgAtStart.join(' ')}\n`);
  process.stderr.write(`sizes ${options.sizes.join(', ')}; evaluators ${options.evaluators.join(', ')}; ${options.rounds} rounds of ${options.roundMs} ms\n`);
  checkModelForms();

  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const results: SizeResult[] = [];
  try {
    for (const size of options.sizes) results.push(runWorker(size, options, argv, dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const report = { date: new Date().toISOString(), machine, loadavgAtEnd: loadavg().map((l) => Math.round(l * 100) / 100), options: { ...options, json: undefined }, targets: TARGETS, results };
  process.stdout.write(printReport(results));
  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`wrote ${options.json}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench aborted: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
