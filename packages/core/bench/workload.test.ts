import { describe, expect, it } from 'vitest';
import { MapBaseline } from './baseline';
import { createEngineEvaluator } from './engine-adapter';
import { verify } from './measure';
import { checkModelForms } from './model-forms';
import { CHECK_KINDS, generateWorkload, SIZES } from './workload';

// The bench aborts on a wrong answer; these keep the harness itself honest at the small size, so
// a broken generator or baseline shows up in CI rather than as a confusing bench failure.
const workload = generateWorkload(SIZES.small);

describe('bench workload', () => {
  it('keeps the DSL and JSON forms of the model in step', () => {
    expect(() => checkModelForms()).not.toThrow();
  });

  it('is deterministic for a seed', () => {
    const again = generateWorkload(SIZES.small);
    expect(again.counts).toEqual(workload.counts);
    expect(again.checks.users).toEqual(workload.checks.users);
    expect(again.checks.objects).toEqual(workload.checks.objects);
    expect(again.list.expected).toEqual(workload.list.expected);
    expect(generateWorkload(SIZES.small, 7).checks.users).not.toEqual(workload.checks.users);
  });

  it('has the sizes of issue #3 and streams exactly the counted tuples', () => {
    expect(workload.counts.tuples).toBeGreaterThan(14_000);
    expect(workload.counts.tuples).toBeLessThan(16_000);
    let n = 0;
    for (const t of workload.tuples()) {
      expect(t.object).toMatch(/^(artist|album|track|team|org):/);
      n++;
    }
    expect(n).toBe(workload.counts.tuples);
  });

  it('splits the checks: half denied, the allowed ones evenly over the four paths', () => {
    const byKind = new Map<string, { allowed: number; denied: number }>();
    workload.checks.kinds.forEach((k, i) => {
      const entry = byKind.get(CHECK_KINDS[k]!) ?? { allowed: 0, denied: 0 };
      if (workload.checks.expected[i]) entry.allowed++;
      else entry.denied++;
      byKind.set(CHECK_KINDS[k]!, entry);
    });
    expect(Object.fromEntries(byKind)).toEqual({
      'denied-random': { allowed: 0, denied: 2500 },
      'denied-near-miss': { allowed: 0, denied: 2500 },
      'direct-track': { allowed: 1250, denied: 0 },
      'via-album': { allowed: 1250, denied: 0 },
      'team-artist': { allowed: 1250, denied: 0 },
      'org-role': { allowed: 1250, denied: 0 },
    });
    expect(workload.checks.allowedCount).toBe(5000);
    expect(workload.list.expected).toHaveLength(1000);
  });

  it('the naive baseline agrees with the ground truth', () => {
    expect(() => verify(new MapBaseline(workload), workload.checks, workload.list)).not.toThrow();
  });

  it('the engine agrees with the ground truth', () => {
    expect(() => verify(createEngineEvaluator(workload), workload.checks, workload.list)).not.toThrow();
  });

  it('verify rejects a wrong evaluator', () => {
    const baseline = new MapBaseline(workload);
    const flipped = { name: 'flipped', check: (u: string, r: string, o: string) => !baseline.check(u, r, o), listObjects: baseline.listObjects.bind(baseline) };
    expect(() => verify(flipped, workload.checks, workload.list)).toThrow(/10000 of 10000 checks disagree/);
    const truncated = { name: 'truncated', check: baseline.check.bind(baseline), listObjects: (u: string, r: string, t: string) => baseline.listObjects(u, r, t).slice(1) };
    expect(() => verify(truncated, workload.checks, workload.list)).toThrow(/1 missing/);
  });
});
