import { describe, expect, it } from 'vitest';
import { runTour } from './tour';

describe('the README demo', () => {
  it('makes the decisions the tour narrates', async () => {
    const lines: string[] = [];
    const decisions = await runTour((line) => lines.push(line));
    // 8 checks, the read-your-write check, the contextual-tuple check.
    expect(decisions).toEqual([true, true, false, false, true, false, true, false, true, false]);
    expect(lines).toContain('  tracks ben can edit: track:moonrise-01, track:moonrise-02');
    expect(lines).toContain('  users who can edit artist luna: user:ada, user:ben, user:dan');
    expect(lines.filter((l) => /^ {2}(validation_error|condition_evaluation_error):/.test(l))).toHaveLength(3);
    expect(lines).toContain('  12:20 invalid-type `usr` is not a valid type.');
    expect(lines.some((l) => l.startsWith('  36:54 invalid-relation-on-tupleset'))).toBe(true);
  });
});
