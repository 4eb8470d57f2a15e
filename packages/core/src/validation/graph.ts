/**
 * A directed graph over nodes `0..count-1` in compressed form: the successors of node `n` are
 * `targets[offsets[n]]` to `targets[offsets[n + 1] - 1]`. Two flat arrays instead of an array per
 * node keep large models cheap to analyse.
 */
export interface Digraph {
  /** Number of nodes. */
  readonly count: number;
  /** `count + 1` offsets into {@link Digraph.targets}. */
  readonly offsets: Int32Array;
  /** Successors of every node, node after node. */
  readonly targets: Int32Array;
}

/** Builds a {@link Digraph}, asking `successors` for the edges of each node in turn. */
export function buildDigraph(count: number, successors: (node: number, emit: (target: number) => void) => void): Digraph {
  const offsets = new Int32Array(count + 1);
  const targets: number[] = [];
  const emit = (target: number) => {
    targets.push(target);
  };
  for (let node = 0; node < count; node++) {
    offsets[node] = targets.length;
    successors(node, emit);
  }
  offsets[count] = targets.length;
  return { count, offsets, targets: Int32Array.from(targets) };
}

/** The same nodes with every edge reversed. */
export function reverseDigraph(graph: Digraph): Digraph {
  const { count, offsets, targets } = graph;
  const reversedOffsets = new Int32Array(count + 1);
  for (const target of targets) reversedOffsets[target + 1]!++;
  for (let node = 0; node < count; node++) reversedOffsets[node + 1]! += reversedOffsets[node]!;
  const fill = reversedOffsets.slice(0, count);
  const reversedTargets = new Int32Array(targets.length);
  for (let node = 0; node < count; node++) {
    for (let e = offsets[node]!; e < offsets[node + 1]!; e++) reversedTargets[fill[targets[e]!]!++] = node;
  }
  return { count, offsets: reversedOffsets, targets: reversedTargets };
}

/**
 * Which nodes can reach a cycle (a self-loop or a strongly connected component of two or more
 * nodes), themselves included: `1` for those, `0` for the others.
 *
 * Linear in nodes plus edges: Tarjan's algorithm, iterative so deep relation chains cannot overflow
 * the stack. Tarjan completes each component after every component reachable from it, so
 * reachability is settled in the same pass.
 */
export function nodesReachingCycle(graph: Digraph): Uint8Array {
  const { count, offsets, targets } = graph;
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const component = new Int32Array(count).fill(-1);
  const componentReaches: boolean[] = [];
  const stack = new Int32Array(count);
  let stackSize = 0;
  // The DFS call stack: the node of each frame and the next edge it will follow.
  const frameNode = new Int32Array(count);
  const frameEdge = new Int32Array(count);
  let nextIndex = 0;

  for (let root = 0; root < count; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    frameNode[0] = root;
    frameEdge[0] = offsets[root]!;
    index[root] = low[root] = nextIndex++;
    stack[stackSize++] = root;
    onStack[root] = 1;

    while (depth >= 0) {
      const v = frameNode[depth]!;
      const edge = frameEdge[depth]!;
      if (edge < offsets[v + 1]!) {
        frameEdge[depth] = edge + 1;
        const w = targets[edge]!;
        if (index[w] === -1) {
          index[w] = low[w] = nextIndex++;
          stack[stackSize++] = w;
          onStack[w] = 1;
          depth++;
          frameNode[depth] = w;
          frameEdge[depth] = offsets[w]!;
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      depth--;
      if (depth >= 0) {
        const parent = frameNode[depth]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] !== index[v]) continue;

      const id = componentReaches.length;
      const first = stackSize;
      let w: number;
      do {
        w = stack[--stackSize]!;
        onStack[w] = 0;
        component[w] = id;
      } while (w !== v);
      let reaches = first - stackSize > 1;
      for (let i = stackSize; i < first && !reaches; i++) {
        const m = stack[i]!;
        for (let e = offsets[m]!; e < offsets[m + 1]!; e++) {
          const x = targets[e]!;
          if (x === m || (component[x] !== id && componentReaches[component[x]!])) {
            reaches = true;
            break;
          }
        }
      }
      componentReaches.push(reaches);
    }
  }
  const result = new Uint8Array(count);
  for (let node = 0; node < count; node++) result[node] = componentReaches[component[node]!] ? 1 : 0;
  return result;
}
