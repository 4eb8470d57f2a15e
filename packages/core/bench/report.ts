/**
 * The printed report: a table per evaluator, then the issue #3 targets (at the large size) as
 * pass/fail. Targets never change the exit code.
 */
import type { EvaluatorResult, SizeResult } from './suite';

/** One target from issue #3, judged at the large size. */
export interface Target {
  readonly id: string;
  readonly label: string;
  readonly limit: number;
  readonly unit: string;
  /** `min`: the value must be at least `limit`; `max`: at most. */
  readonly kind: 'min' | 'max';
  readonly value: (size: SizeResult, engine: EvaluatorResult) => number | undefined;
}

const perMillion = (size: SizeResult, ms: number): number => ms / 1000 / (size.counts.tuples / 1e6);

/** The targets of issue #3, for the engine at the large size. */
export const TARGETS: readonly Target[] = [
  { id: 'ratio', label: 'throughput vs baseline', limit: 0.5, unit: '×', kind: 'min', value: (s) => s.ratio },
  // The same target on CPU time: on a shared machine, wall-clock rounds mostly measure the neighbours.
  { id: 'ratio-cpu', label: 'throughput vs baseline (CPU time)', limit: 0.5, unit: '×', kind: 'min', value: (s) => s.cpuRatio },
  { id: 'p99', label: 'check p99', limit: 20, unit: 'µs', kind: 'max', value: (_, e) => e.latencyUs.p99 },
  { id: 'heap', label: 'heap per tuple', limit: 120, unit: 'B', kind: 'max', value: (_, e) => e.build.heapBytesPerTuple + e.build.arrayBufferBytesPerTuple },
  { id: 'index', label: 'index time per 1M tuples', limit: 1.5, unit: 's', kind: 'max', value: (s, e) => perMillion(s, e.build.indexMs) },
  { id: 'list', label: 'listObjects (1,000 tracks) p50', limit: 5, unit: 'ms', kind: 'max', value: (_, e) => e.listObjectsMs.p50 },
];

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number | undefined, digits: number): string => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits));

function evaluatorRows(results: readonly SizeResult[], name: string, withBaseline: boolean): string[][] {
  return results.flatMap((s) => {
    const e = s.evaluators[name];
    if (!e) return [];
    const row = [
      s.size + (s.loadAndCheck ? '*' : ''),
      int(s.counts.tuples),
      `${fixed(e.build.buildMs / 1000, 2)} (${fixed(e.build.buildCpuMs / 1000, 2)})`,
      fixed(perMillion(s, e.build.indexMs), 2),
      fixed(e.build.heapBytesPerTuple, 1),
      fixed(e.build.arrayBufferBytesPerTuple, 1),
      `${int(e.checksPerSec)} (${int(e.checksPerCpuSec)})`,
      fixed(e.latencyUs.p50, 2),
      fixed(e.latencyUs.p99, 2),
      fixed(e.listObjectsMs.p50, 2),
      fixed(e.listObjectsMs.p99, 2),
      `${e.gc.count}/${fixed(e.gc.ms, 0)}`,
    ];
    if (withBaseline) {
      const b = s.evaluators.baseline;
      row.push(b ? `${int(b.checksPerSec)} (${int(b.checksPerCpuSec)})` : '-', `${fixed(s.ratio, 2)} (${fixed(s.cpuRatio, 2)})`);
    }
    return [row];
  });
}

/** Renders the results as text tables plus the target verdicts. */
export function printReport(results: readonly SizeResult[]): string {
  const head = ['size', 'tuples', 'build s (cpu)', 'index s/M', 'heap B/t', '+AB B/t', 'checks/s (per cpu-s)', 'p50 µs', 'p99 µs', 'list p50 ms', 'list p99 ms', 'GCs/ms'];
  const out: string[] = [''];
  const names = [...new Set(results.flatMap((r) => Object.keys(r.evaluators)))];
  for (const name of names) {
    const withBaseline = name !== 'baseline' && names.includes('baseline');
    out.push(`${name}:`, table(withBaseline ? [...head, 'baseline/s (per cpu-s)', 'ratio (cpu)'] : head, evaluatorRows(results, name, withBaseline)), '');
  }
  const overhead = results[0]?.timerOverheadNs;
  out.push(
    'build s: compile + load + index, wall time, including generating the tuple strings (cpu: process CPU time, all',
    'threads). index s/M: build minus the time the generator alone takes to stream the same tuples, per million',
    'tuples. heap B/t: V8 heap retained after a full GC; +AB B/t: ArrayBuffer (typed array) memory retained, outside',
    'the V8 heap. checks/s: median of timed rounds over the fixed list, uncached, one thread (per cpu-s: checks per',
    'second of process CPU time, less disturbed by other load). ratio: engine/baseline, paired round by round, median.',
    `p50/p99: each check timed alone, timer pair included (~${fixed(overhead, 0)} ns). GCs/ms: collections and pause`,
    'time during all timed rounds. * load-and-check run (one short round, no baseline).',
    `load average per size: ${results.map((r) => `${r.size} ${r.loadavg.join('/')}`).join(', ')}`,
    '',
  );

  const large = results.find((r) => r.size === 'large');
  const engine = large?.evaluators.engine;
  if (!large || !engine) {
    out.push('targets (issue #3) apply to the engine at the large size, which did not run.');
  } else {
    out.push('targets (issue #3), engine at large (reported, never fatal):');
    for (const t of TARGETS) {
      const v = t.value(large, engine);
      const ok = v !== undefined && (t.kind === 'min' ? v >= t.limit : v <= t.limit);
      const shown = v === undefined ? 'not measured' : `${fixed(v, 2)} ${t.unit}`;
      out.push(`  ${ok ? 'PASS' : 'FAIL'}  ${t.label.padEnd(34)} ${shown.padStart(14)}  (${t.kind === 'min' ? '>=' : '<='} ${t.limit} ${t.unit})`);
    }
  }
  const xl = results.find((r) => r.size === 'xl');
  if (xl) {
    const e = xl.evaluators.engine;
    out.push(
      e
        ? `xl load-and-check: ${int(xl.counts.tuples)} tuples loaded in ${fixed(e.build.buildMs / 1000, 1)} s, all ${xl.checks} checks and listObjects correct.`
        : 'xl load-and-check: the engine did not run.',
    );
  }
  return `${out.join('\n')}\n`;
}
