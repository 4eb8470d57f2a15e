import { describe, expect, it } from 'vitest';
import { buildDigraph, nodesReachingCycle, reverseDigraph, type Digraph } from './graph';

const digraph = (successors: readonly (readonly number[])[]): Digraph =>
  buildDigraph(successors.length, (node, emit) => successors[node]?.forEach(emit));

const reaching = (successors: readonly (readonly number[])[]) => [...nodesReachingCycle(digraph(successors))].map(Boolean);

describe('nodesReachingCycle', () => {
  it('marks the members of a cycle and the nodes leading into it', () => {
    // 0 -> 1 -> 2 -> 1 (cycle 1,2); 3 -> 0; 4 alone; 5 -> 4
    expect(reaching([[1], [2], [1], [0], [], [4]])).toEqual([true, true, true, true, false, false]);
  });

  it('treats a self-loop as a cycle', () => {
    expect(reaching([[0], [0]])).toEqual([true, true]);
  });

  it('leaves acyclic graphs unmarked, diamonds included', () => {
    expect(reaching([[1, 2], [3], [3], []])).toEqual([false, false, false, false]);
  });

  it('handles long chains without recursion', () => {
    const n = 100_000;
    const graph = buildDigraph(n, (node, emit) => emit(node + 1 < n ? node + 1 : 0));
    expect(nodesReachingCycle(graph).every((reaches) => reaches === 1)).toBe(true);
  });
});

describe('reverseDigraph', () => {
  it('reverses every edge, keeping parallel edges', () => {
    const reversed = reverseDigraph(digraph([[1, 2], [2], [], [2, 2]]));
    const successors = (node: number) => [...reversed.targets.subarray(reversed.offsets[node], reversed.offsets[node + 1])];
    expect([0, 1, 2, 3].map(successors)).toEqual([[], [0], [0, 1, 3, 3], []]);
  });
});
