import { GatehouseError } from '../errors/index';
import {
  REWRITE_COMPUTED,
  REWRITE_EXCLUSION,
  REWRITE_INTERSECTION,
  REWRITE_THIS,
  REWRITE_TTU,
  REWRITE_UNION,
  SLOT_OBJECT,
  SLOT_WILDCARD,
} from '../model/compile';
import type { CompiledModel, RewriteNode } from '../model/compile';
import type { TupleStore } from '../store/TupleStore';
import { isValidObjectId } from '../tuples/ids';
import type { Checker } from './Checker';
import { ERROR, FALSE, TRUE, USER_OBJECT, USER_USERSET, USER_WILDCARD } from './Checker';
import type { EvaluatorInternals } from './Evaluator';
import { checkContext, RequestIds } from './parse';
import type { ListUsersRequest, ListUsersResult } from './types';

/** A user found while expanding: `kind` is `USER_OBJECT`, `USER_WILDCARD` or `USER_USERSET`. */
interface Candidate {
  readonly kind: number;
  readonly type: number;
  readonly id: number;
  readonly rel: number;
}

interface ExpandResult {
  readonly err: GatehouseError | null;
  readonly hasCycle: boolean;
}

const OK: ExpandResult = { err: null, hasCycle: false };
const CYCLED: ExpandResult = { err: null, hasCycle: true };

interface Filter {
  readonly type: number;
  readonly rel: number;
  readonly typeName: string;
}

/**
 * listUsers. The expansion follows OpenFGA's ListUsers step for step, so it reads the same tuples,
 * evaluates the same conditions and fails (or not) exactly where OpenFGA does: the object's
 * relation is expanded downwards through every rewrite branch, collecting every user of the
 * filter's type, typed wildcard and matching userset it meets. OpenFGA then combines those sets
 * with its own algebra for unions, intersections and exclusions, which disagrees with Check in
 * corner cases (cycles under exclusions, nested exclusions with wildcards); Gatehouse instead
 * keeps exactly the collected users that Check allows, so `u` is listed if and only if
 * `check(u, relation, object)` holds. OpenFGA's own conformance runner asserts the same of
 * OpenFGA's answers, and its expected answers are reproduced.
 * With several filters, each is answered on its own and the results merged.
 */
export function listUsers(ev: EvaluatorInternals, request: ListUsersRequest): ListUsersResult {
  if (request === null || typeof request !== 'object') throw new GatehouseError('validation_error', 'invalid listUsers request: expected an object');
  const { compiled } = ev;
  // OpenFGA's order: contextual tuples, the filters, then the target relation.
  const store = ev.view(request.contextualTuples);
  if (!Array.isArray(request.userFilters) || request.userFilters.length === 0) {
    throw new GatehouseError('validation_error', 'invalid listUsers request: at least one user filter is required');
  }
  const filters: Filter[] = request.userFilters.map((f) => {
    const t = f && typeof f === 'object' && typeof f.type === 'string' ? compiled.typeIds.get(f.type) : undefined;
    if (t === undefined) throw new GatehouseError('type_not_found', `type '${String(f?.type)}' not found`);
    let rel = -1;
    if (f.relation !== undefined && f.relation !== '') {
      rel = compiled.relationId(t, f.relation);
      if (rel < 0) throw new GatehouseError('relation_not_found', `relation '${f.type}#${String(f.relation)}' not found`);
    }
    return { type: t, rel, typeName: f.type };
  });
  const object = request.object;
  const colon = typeof object === 'string' ? object.indexOf(':') : -1;
  if (colon <= 0) throw new GatehouseError('validation_error', `invalid object '${String(object)}': expected 'type:id'`);
  const objectTypeName = object.slice(0, colon);
  const objectType = compiled.typeIds.get(objectTypeName);
  if (objectType === undefined) throw new GatehouseError('type_not_found', `type '${objectTypeName}' not found`);
  const rel = typeof request.relation === 'string' ? compiled.relationId(objectType, request.relation) : -1;
  if (rel < 0) throw new GatehouseError('relation_not_found', `relation '${objectTypeName}#${String(request.relation)}' not found`);
  if (!isValidObjectId(object.slice(colon + 1))) {
    throw new GatehouseError('validation_error', `invalid object '${object}': invalid object id`);
  }
  const context = checkContext(request.context);
  const ids = new RequestIds();
  const objectId = ids.id(store, objectType, object);

  const checker = ev.acquire();
  try {
    checker.begin(store, USER_OBJECT, 0, -1, -1, context);
    const candidates = new Map<string, Candidate>();
    for (const filter of filters) {
      const run = new ListUsersRun(compiled, store, checker, ev.maxDepth, filter, ids, candidates);
      run.run(objectType, objectId, rel);
    }
    const users: string[] = [];
    for (const [key, c] of candidates) {
      checker.begin(store, c.kind, c.type, c.id, c.rel, context);
      const status = checker.resolve(rel, objectId, 0);
      if (status === ERROR) throw checker.error ?? new GatehouseError('internal', 'check failed without an error');
      if (status === TRUE) users.push(key);
    }
    return { users };
  } finally {
    ev.release(checker);
  }
}

class ListUsersRun {
  private readonly compiled: CompiledModel;
  private readonly store: TupleStore;
  private readonly checker: Checker;
  private readonly maxDepth: number;
  private readonly filter: Filter;
  private readonly ids: RequestIds;
  private readonly candidates: Map<string, Candidate>;
  private readonly path: number[] = [];

  constructor(
    compiled: CompiledModel,
    store: TupleStore,
    checker: Checker,
    maxDepth: number,
    filter: Filter,
    ids: RequestIds,
    candidates: Map<string, Candidate>,
  ) {
    this.compiled = compiled;
    this.store = store;
    this.checker = checker;
    this.maxDepth = maxDepth;
    this.filter = filter;
    this.ids = ids;
    this.candidates = candidates;
  }

  /** Collects the candidates of `type:id#rel`. @throws the error OpenFGA's ListUsers would fail with. */
  run(objectType: number, objectId: number, rel: number): void {
    const { filter, compiled } = this;
    const isTarget = filter.type === objectType && filter.rel === rel;
    if (!isTarget) {
      // OpenFGA answers at once when the type graph has no path from the filter to the relation.
      const reach = compiled.relations[rel]!.reach;
      const nTypes = compiled.types.length;
      const possible = filter.rel >= 0 ? reach[2 * nTypes + filter.rel] === 1 : reach[filter.type] === 1 || reach[nTypes + filter.type] === 1;
      if (!possible) return;
    }
    const result = this.expand(objectType, objectId, rel, 0);
    if (result.err !== null) throw result.err;
  }

  private nameOf(type: number, id: number): string {
    return this.ids.name(this.store, type, id);
  }

  private depthError(): GatehouseError {
    return new GatehouseError(
      'authorization_model_resolution_too_complex',
      `authorization model resolution required more than ${this.maxDepth} levels (check the model for infinite recursion or too much nesting)`,
    );
  }

  // OpenFGA's expand: depth, cycle, the userset itself when it matches the filter, then the rewrite.
  private expand(type: number, id: number, rel: number, depth: number): ExpandResult {
    if (depth >= this.maxDepth) return { err: this.depthError(), hasCycle: false };
    depth++;
    if (rel < 0) return OK; // a tuple-to-userset relation the parent's type does not define
    const key = id * this.compiled.relations.length + rel;
    if (this.path.includes(key)) return CYCLED;
    this.path.push(key);
    try {
      const r = this.compiled.relations[rel]!;
      if (this.filter.type === type && this.filter.rel === rel) {
        this.candidates.set(`${this.nameOf(type, id)}#${r.name}`, { kind: USER_USERSET, type, id, rel });
      }
      return this.expandRewrite(r.rewrite, type, id, rel, depth);
    } finally {
      this.path.pop();
    }
  }

  private expandRewrite(node: RewriteNode, type: number, id: number, rel: number, depth: number): ExpandResult {
    switch (node.kind) {
      case REWRITE_THIS:
        return this.expandDirect(id, rel, depth);
      case REWRITE_COMPUTED:
        return this.expand(type, id, node.rel, depth);
      case REWRITE_TTU:
        return this.expandTTU(node, id, depth);
      case REWRITE_UNION:
      case REWRITE_INTERSECTION: {
        // OpenFGA reports an error of any operand; cycles do not propagate past these.
        let err: GatehouseError | null = null;
        for (const child of node.children) {
          const res = this.expandRewrite(child, type, id, rel, depth);
          if (res.err !== null) err ??= res.err;
        }
        return err === null ? OK : { err, hasCycle: false };
      }
      case REWRITE_EXCLUSION: {
        const base = this.expandRewrite(node.children[0]!, type, id, rel, depth);
        const sub = this.expandRewrite(node.children[1]!, type, id, rel, depth);
        // OpenFGA: a cycle in the subtracted side ends the exclusion with no error at all.
        if (sub.hasCycle) return OK;
        const err = base.err ?? sub.err;
        return err === null ? OK : { err, hasCycle: false };
      }
      default:
        return OK;
    }
  }

  private expandDirect(id: number, rel: number, depth: number): ExpandResult {
    const { compiled, store, checker, filter } = this;
    let err: GatehouseError | null = null;
    let hasCycle = false;
    if (id < 0) return OK;
    for (const sid of compiled.relations[rel]!.slots) {
      const slot = compiled.slots[sid]!;
      const idx = store.fwd[slot.objectType]!;
      const n = idx.findSlot(id, sid);
      if (n === 0) continue;
      const values = idx.arr.slice(idx.lo, idx.lo + n);
      const conds = idx.carr === null ? null : idx.carr.slice(idx.lo, idx.lo + n);
      for (let i = 0; i < n; i++) {
        const u = values[i]!;
        if (conds !== null && conds[i] !== 0) {
          const c = checker.evalCondition(conds[i]!, sid, id, u);
          if (c === ERROR) {
            err ??= checker.error;
            continue;
          }
          if (c === FALSE) continue;
        }
        if (slot.kind === SLOT_OBJECT) {
          if (filter.type === slot.userType) this.candidates.set(this.nameOf(slot.userType, u), { kind: USER_OBJECT, type: slot.userType, id: u, rel: -1 });
          continue;
        }
        if (slot.kind === SLOT_WILDCARD) {
          if (filter.type === slot.userType) this.candidates.set(`${compiled.types[slot.userType]!.name}:*`, { kind: USER_WILDCARD, type: slot.userType, id: 0, rel: -1 });
          continue;
        }
        const res = this.expand(slot.userType, u, slot.usersetRel, depth);
        if (res.hasCycle) hasCycle = true;
        if (res.err !== null) err ??= res.err;
      }
    }
    return err === null && !hasCycle ? OK : { err, hasCycle };
  }

  private expandTTU(node: RewriteNode, id: number, depth: number): ExpandResult {
    const { compiled, store, checker } = this;
    let err: GatehouseError | null = null;
    if (id < 0) return OK;
    for (const arm of node.arms) {
      const idx = store.fwd[compiled.slots[arm.slot]!.objectType]!;
      const n = idx.findSlot(id, arm.slot);
      if (n === 0) continue;
      const values = idx.arr.slice(idx.lo, idx.lo + n);
      const conds = idx.carr === null ? null : idx.carr.slice(idx.lo, idx.lo + n);
      for (let i = 0; i < n; i++) {
        const p = values[i]!;
        if (conds !== null && conds[i] !== 0) {
          const c = checker.evalCondition(conds[i]!, arm.slot, id, p);
          if (c === ERROR) {
            err ??= checker.error;
            continue;
          }
          if (c === FALSE) continue;
        }
        const res = this.expand(arm.userType, p, arm.target, depth);
        if (res.err !== null) err ??= res.err;
      }
    }
    return err === null ? OK : { err, hasCycle: false };
  }
}
