import type { GatehouseError } from '../errors/index';
import { toGatehouseError } from '../errors/index';
import { SLOT_OBJECT, SLOT_USERSET } from '../model/compile';
import type { TupleStore } from '../store/TupleStore';
import type { TupleKey } from '../store/types';
import { CYCLE, ERROR, TRUE } from './Checker';
import type { TraceSink } from './Checker';
import type { EvaluatorInternals } from './Evaluator';
import type { CheckRequest } from './types';

/** How one step of an evaluation ended. */
export type ExplainOutcome = 'allowed' | 'denied' | 'cycle' | 'error';

/** What a step of an explanation is. */
export type ExplainKind =
  /** A relation of an object was evaluated. */
  | 'relation'
  /** The relation's direct assignments (`[user, group#member]`). */
  | 'direct'
  /** `relation from tupleset`. */
  | 'tuple-to-userset'
  /** `a or b`. */
  | 'union'
  /** `a and b`. */
  | 'intersection'
  /** `a but not b`. */
  | 'exclusion'
  /** A stored or contextual tuple was read. */
  | 'tuple'
  /** The user is this very userset (`group:eng#member` in `group:eng#member`). */
  | 'self'
  /** The type graph has no path from the user's type to this relation: denied without reading tuples. */
  | 'unreachable'
  /** The relation was already being evaluated on this path: OpenFGA stops there. */
  | 'cycle'
  /** The resolution depth limit was reached. */
  | 'depth';

/** One step of an evaluation. */
export interface ExplainNode {
  /** What the step is. */
  readonly kind: ExplainKind;
  /** How it ended. */
  readonly outcome: ExplainOutcome;
  /** The object evaluated (`document:1`), when the step has one. */
  readonly object?: string;
  /** The relation evaluated (or the tupleset of a tuple-to-userset). */
  readonly relation?: string;
  /** For a tuple-to-userset, the relation evaluated on each tupleset object. */
  readonly computedRelation?: string;
  /** For a tuple step: the tuple, with its condition. */
  readonly tuple?: TupleKey;
  /** The steps this one is made of. */
  readonly children: readonly ExplainNode[];
}

/** Why a check is allowed or denied. */
export interface Explanation {
  /** The answer: the same as `check` gives (false when the check fails with an error). */
  readonly allowed: boolean;
  /** `allowed`, `denied` (a cycle counts as denied), or `error` when `check` would throw. */
  readonly outcome: 'allowed' | 'denied' | 'error';
  /** The error `check` would throw, when `outcome` is `error`. */
  readonly error?: GatehouseError;
  /** The evaluation as a tree: the checked relation at the root. */
  readonly tree: ExplainNode;
  /** A compact text rendering of the tree, one step per line. */
  readonly text: string;
}

interface MutableNode {
  kind: ExplainKind;
  outcome: ExplainOutcome;
  object?: string;
  relation?: string;
  computedRelation?: string;
  tuple?: TupleKey;
  children: MutableNode[];
}

function outcomeOf(status: number): ExplainOutcome {
  return status === TRUE ? 'allowed' : status === CYCLE ? 'cycle' : status === ERROR ? 'error' : 'denied';
}

class TreeBuilder implements TraceSink {
  readonly root: MutableNode = { kind: 'relation', outcome: 'denied', children: [] };
  private readonly stack: MutableNode[] = [this.root];
  store: TupleStore | null = null;

  constructor(private readonly ev: EvaluatorInternals) {}

  enter(kind: string, rel: number, obj: number, detail?: string): void {
    const store = this.store!;
    const compiled = this.ev.compiled;
    const node: MutableNode = { kind: toKind(kind), outcome: 'denied', children: [] };
    if (rel >= 0) {
      const r = compiled.relations[rel]!;
      node.relation = r.name;
      node.object = obj >= 0 ? store.entityName(r.type, obj) : undefined;
    }
    if (detail !== undefined) node.computedRelation = detail;
    if (node.object === undefined) delete node.object;
    this.stack[this.stack.length - 1]!.children.push(node);
    this.stack.push(node);
  }

  leave(status: number): void {
    const node = this.stack.pop()!;
    node.outcome = outcomeOf(status);
  }

  tuple(slot: number, obj: number, user: number, condRef: number, status: number): void {
    const store = this.store!;
    const compiled = this.ev.compiled;
    const s = compiled.slots[slot]!;
    const object = store.entityName(s.objectType, obj);
    const u =
      s.kind === SLOT_OBJECT
        ? store.entityName(s.userType, user)
        : s.kind === SLOT_USERSET
          ? `${store.entityName(s.userType, user)}#${compiled.relations[s.usersetRel]!.name}`
          : `${compiled.types[s.userType]!.name}:*`;
    const tuple: { user: string; relation: string; object: string; condition?: { name: string; context?: Readonly<Record<string, unknown>> } } = {
      user: u,
      relation: compiled.relations[s.rel]!.name,
      object,
    };
    if (condRef !== 0) {
      const c = store.conditionAt(condRef);
      tuple.condition = c.context === undefined ? { name: c.name } : { name: c.name, context: c.context };
    }
    this.stack[this.stack.length - 1]!.children.push({ kind: 'tuple', outcome: outcomeOf(status), tuple, children: [] });
  }
}

function toKind(kind: string): ExplainKind {
  switch (kind) {
    case 'this':
      return 'direct';
    case 'ttu':
      return 'tuple-to-userset';
    default:
      return kind as ExplainKind;
  }
}

/** Explains a check: see {@link Evaluator.explain}. @internal */
export function explainCheck(ev: EvaluatorInternals, request: CheckRequest): Explanation {
  const prepared = ev.prepareCheck(request);
  const store = ev.checkView(request.contextualTuples);
  const checker = ev.acquire();
  const builder = new TreeBuilder(ev);
  builder.store = store;
  let allowed = false;
  let error: GatehouseError | undefined;
  try {
    checker.tracer = builder;
    allowed = ev.execCheck(checker, prepared, store);
  } catch (e) {
    error = toGatehouseError(e);
  } finally {
    checker.tracer = null;
    ev.release(checker);
  }
  const top = builder.root.children[0] ?? {
    kind: 'relation' as const,
    outcome: 'denied' as const,
    object: request.object,
    relation: request.relation,
    children: [],
  };
  const tree = freeze(top);
  const outcome = error !== undefined ? 'error' : allowed ? 'allowed' : 'denied';
  const text = renderExplanation(tree, error);
  return error === undefined ? { allowed, outcome, tree, text } : { allowed: false, outcome, error, tree, text };
}

function freeze(node: MutableNode): ExplainNode {
  return { ...node, children: node.children.map(freeze) };
}

const MARK: Record<ExplainOutcome, string> = { allowed: '✓', denied: '✗', cycle: '↻', error: '!' };

/** Renders an explanation tree as indented text, one step per line (`✓` allowed, `✗` denied, `↻` cycle, `!` error). */
export function renderExplanation(tree: ExplainNode, error?: GatehouseError): string {
  const lines: string[] = [];
  const walk = (node: ExplainNode, indent: string): void => {
    lines.push(`${indent}${MARK[node.outcome]} ${describe(node)}`);
    for (const child of node.children) walk(child, `${indent}  `);
  };
  walk(tree, '');
  if (error !== undefined) lines.push(`! ${error.code}: ${error.message}`);
  return lines.join('\n');
}

function describe(node: ExplainNode): string {
  const at = node.object !== undefined && node.relation !== undefined ? `${node.object}#${node.relation}` : (node.relation ?? '');
  switch (node.kind) {
    case 'relation':
      return at;
    case 'direct':
      return `direct ${at}`;
    case 'tuple-to-userset':
      return `${node.computedRelation ?? ''} from ${node.relation ?? ''}${node.object !== undefined ? ` (${node.object})` : ''}`;
    case 'tuple': {
      const t = node.tuple!;
      const cond = t.condition ? ` with ${t.condition.name}${node.outcome === 'denied' ? ' (not met)' : node.outcome === 'error' ? ' (cannot evaluate)' : ''}` : '';
      return `tuple ${t.object}#${t.relation}@${t.user}${cond}`;
    }
    case 'self':
      return `${at}: the user is this userset`;
    case 'unreachable':
      return `${at}: no path from the user's type`;
    case 'cycle':
      return `${at}: cycle, stopped`;
    case 'depth':
      return `${at}: depth limit reached`;
    default:
      return node.kind;
  }
}
