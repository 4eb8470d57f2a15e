import type { Diagnostic } from '../../errors/index';
import { problem, relationSite, type ModelRule, type RelationInfo, type RewriteTree, type TypeInfo, type ValidationContext } from '../context';
import { buildDigraph, nodesReachingCycle, reverseDigraph, type Digraph } from '../graph';

// A relation's rewrite compiled over relation ids. `this` and `X from Y` become `direct`: met by a
// plain or wildcard type restriction (`satisfied`) or through another relation (`refs`). Only
// `computed` steps stay within the type, which is what OpenFGA's loop analysis follows.
type Expr =
  | { readonly kind: 'direct'; readonly satisfied: boolean; readonly refs: readonly number[] }
  | { readonly kind: 'computed'; readonly ref: number }
  | { readonly kind: 'any'; readonly items: readonly Expr[] }
  | { readonly kind: 'all'; readonly items: readonly Expr[] }
  | { readonly kind: 'none' };

const SATISFIED: Expr = { kind: 'direct', satisfied: true, refs: [] };

interface Graph {
  readonly types: readonly TypeInfo[];
  readonly relations: readonly RelationInfo[];
  readonly exprs: readonly Expr[];
}

function buildGraph(ctx: ValidationContext): Graph {
  const types: TypeInfo[] = [];
  const relations: RelationInfo[] = [];
  const ids = new Map<string, Map<string, number>>();
  for (const type of ctx.types) {
    if (ctx.typesByName.get(type.name) !== type) continue;
    const byRelation = new Map<string, number>();
    ids.set(type.name, byRelation);
    for (const relation of type.relations.values()) {
      byRelation.set(relation.name, relations.length);
      types.push(type);
      relations.push(relation);
    }
  }
  const idOf = (type: string, relation: string) => ids.get(type)?.get(relation);

  const compile = (type: TypeInfo, relation: RelationInfo, tree: RewriteTree): Expr => {
    const node = tree.node;
    switch (node.kind) {
      case 'this': {
        // A plain or wildcard type is an entry point outright; usersets matter only without one.
        if (relation.restrictions.some((ref) => !ref.relation || ref.wildcard)) return SATISFIED;
        const refs: number[] = [];
        for (const ref of relation.restrictions) {
          const id = idOf(ref.type, ref.relation ?? '');
          if (id !== undefined) refs.push(id);
        }
        return { kind: 'direct', satisfied: false, refs };
      }
      case 'computed': {
        const id = idOf(type.name, node.relation);
        return id === undefined ? { kind: 'none' } : { kind: 'computed', ref: id };
      }
      case 'ttu': {
        const refs: number[] = [];
        for (const ref of type.relations.get(node.tupleset)?.restrictions ?? []) {
          const id = idOf(ref.type, node.computed);
          if (id !== undefined) refs.push(id);
        }
        return { kind: 'direct', satisfied: false, refs };
      }
      case 'union':
        return { kind: 'any', items: tree.operands.map((c) => compile(type, relation, c)) };
      // An exclusion needs both its operands to have entry points, like an intersection.
      case 'intersection':
      case 'difference':
        return { kind: 'all', items: tree.operands.map((c) => compile(type, relation, c)) };
      default:
        return { kind: 'none' };
    }
  };

  const exprs = relations.map((relation, id) => compile(types[id]!, relation, relation.tree));
  return { types, relations, exprs };
}

function evaluate(expr: Expr, entry: Uint8Array): boolean {
  switch (expr.kind) {
    case 'direct':
      if (expr.satisfied) return true;
      for (const ref of expr.refs) if (entry[ref] === 1) return true;
      return false;
    case 'computed':
      return entry[expr.ref] === 1;
    case 'any':
      for (const item of expr.items) if (evaluate(item, entry)) return true;
      return false;
    case 'all':
      for (const item of expr.items) if (!evaluate(item, entry)) return false;
      return expr.items.length > 0;
    case 'none':
      return false;
  }
}

function collectRefs(expr: Expr, emit: (ref: number) => void, sameTypeOnly: boolean): void {
  switch (expr.kind) {
    case 'direct':
      if (!sameTypeOnly) for (const ref of expr.refs) emit(ref);
      return;
    case 'computed':
      emit(expr.ref);
      return;
    case 'any':
    case 'all':
      for (const e of expr.items) collectRefs(e, emit, sameTypeOnly);
      return;
    case 'none':
      return;
  }
}

// The computed steps OpenFGA's search follows out of a relation that has no entry point: every
// operand of a union (all fail), the first failing operand of an intersection or exclusion.
function failingSteps(expr: Expr, entry: Uint8Array, emit: (ref: number) => void): void {
  switch (expr.kind) {
    case 'computed':
      emit(expr.ref);
      return;
    case 'any':
      for (const e of expr.items) failingSteps(e, entry, emit);
      return;
    case 'all': {
      const failing = expr.items.find((e) => !evaluate(e, entry));
      if (failing) failingSteps(failing, entry, emit);
      return;
    }
    default:
      return;
  }
}

/**
 * Which relations have an entry point: some finite chain of rewrites that ends at a direct
 * assignment of a concrete user or wildcard. This is the least fixed point of the rewrites (union:
 * any operand; intersection and exclusion: every operand; `X from Y`: `X` on one of `Y`'s types),
 * computed with a worklist so each relation is re-evaluated only when something it reads changes.
 */
function computeEntryPoints(graph: Graph): Uint8Array {
  const count = graph.exprs.length;
  // Who reads each relation: when it gains an entry point, only they need another look.
  const readers: Digraph = reverseDigraph(buildDigraph(count, (id, emit) => collectRefs(graph.exprs[id]!, emit, false)));
  const entry = new Uint8Array(count);
  const queue: number[] = [];
  graph.exprs.forEach((expr, id) => {
    if (evaluate(expr, entry)) {
      entry[id] = 1;
      queue.push(id);
    }
  });
  while (queue.length > 0) {
    const done = queue.pop()!;
    for (let e = readers.offsets[done]!; e < readers.offsets[done + 1]!; e++) {
      const id = readers.targets[e]!;
      if (entry[id] === 0 && evaluate(graph.exprs[id]!, entry)) {
        entry[id] = 1;
        queue.push(id);
      }
    }
  }
  return entry;
}

/**
 * `relation-no-entry-point`, with OpenFGA's two messages:
 *
 * - `(no entrypoint)`: no user can ever be related, e.g. `define viewer: viewer from parent` where
 *   every `parent` is of the same type, or `[document#viewer] and editor`.
 * - `(potential loop)`: the relation has no entry point because computed relations of the type
 *   refer to each other (`define x: y`, `define y: x`, or intersection/exclusion loops); or it
 *   has one but depends on a cycle of computed relations (`define x: [user] or y`,
 *   `define y: [user] or x`), which the OpenFGA server rejects as a cycle.
 *
 * Relations reached only through `X from Y` or `[type#relation]` may recurse freely: those are
 * tuple cycles, resolved at check time.
 */
export const entryPoints: ModelRule = (ctx) => {
  const graph = buildGraph(ctx);
  const count = graph.exprs.length;
  const entry = computeEntryPoints(graph);
  const loops = nodesReachingCycle(
    buildDigraph(count, (id, emit) => {
      if (entry[id] === 0) failingSteps(graph.exprs[id]!, entry, emit);
    }),
  );
  const cycles = nodesReachingCycle(buildDigraph(count, (id, emit) => collectRefs(graph.exprs[id]!, emit, true)));

  const out: Diagnostic[] = [];
  graph.relations.forEach((relation, id) => {
    const type = graph.types[id]!;
    const hasEntry = entry[id] === 1;
    if (hasEntry && cycles[id] === 0) return;
    const reason = hasEntry || loops[id] === 1 ? 'potential loop' : 'no entrypoint';
    out.push(
      problem(
        'relation-no-entry-point',
        `\`${relation.name}\` is an impossible relation for \`${type.name}\` (${reason}).`,
        relationSite(type, relation, relation.path, relation.name),
      ),
    );
  });
  return out;
};
