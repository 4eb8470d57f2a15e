import { conditionMissingParametersError } from '../conditions/index';
import { GatehouseError } from '../errors/index';
import {
  REWRITE_COMPUTED,
  REWRITE_EXCLUSION,
  REWRITE_INTERSECTION,
  REWRITE_MULTI_THIS,
  REWRITE_THIS,
  REWRITE_TTU,
  REWRITE_UNION,
  SLOT_OBJECT,
  SLOT_USERSET,
  SLOT_WILDCARD,
} from '../model/compile';
import type { CompiledModel, CompiledRelation, DirectSlot, RewriteNode } from '../model/compile';
import type { AdjIndex } from '../store/AdjIndex';
import type { TupleStore } from '../store/TupleStore';
import type { ConditionContext } from '../store/types';
import type { ConditionEvaluator } from './conditions';

const NO_MEMBERS = new Int32Array(0);

// Evaluation statuses. CYCLE is OpenFGA's "not allowed, cycle detected": false, except that an
// exclusion treats a cycle in its subtracted side as a deny. ERROR leaves the error in `error`.
/** Not allowed. */
export const FALSE = 0;
/** Allowed. */
export const TRUE = 1;
/** Not allowed because a cycle was cut. */
export const CYCLE = 2;
/** Could not be decided; see {@link Checker.error}. */
export const ERROR = 3;

/** The request's user is an object (`user:anne`). */
export const USER_OBJECT = 0;
/** The request's user is a typed wildcard (`user:*`). */
export const USER_WILDCARD = 1;
/** The request's user is a userset (`group:eng#member`). */
export const USER_USERSET = 2;

/** Receives the steps of an evaluation, to explain it. */
export interface TraceSink {
  /** A step starts: a relation of an object, or a rewrite node within it. */
  enter(kind: string, rel: number, obj: number, detail?: string): void;
  /** The innermost open step ends with `status`. */
  leave(status: number): void;
  /** A tuple was considered: slot, object, user value, condition reference, and its outcome. */
  tuple(slot: number, obj: number, user: number, condRef: number, status: number): void;
}

/**
 * The check evaluator: OpenFGA's check semantics (direct tuples, wildcards, usersets, computed
 * usersets, tuple-to-usersets, union/intersection/exclusion, conditions, cycles, the depth limit)
 * over a {@link TupleStore}, synchronously and without allocating on the common path.
 *
 * One instance evaluates one request at a time: `begin` sets the user and context, `resolve`
 * evaluates a relation of an object. Pruning uses the compiled type graph: a relation that cannot
 * hold the user's type is false without reading a tuple.
 */
export class Checker {
  /** The store (or contextual view) being read. */
  store: TupleStore;
  private readonly rels: readonly CompiledRelation[];
  private readonly slots: readonly DirectSlot[];
  private readonly usersetSlots: readonly (readonly DirectSlot[])[];
  private fwd: readonly AdjIndex[];
  private readonly maxDepth: number;
  private readonly conditions: ConditionEvaluator | undefined;
  private readonly typeCount: number;
  private readonly slotKind: Uint8Array;
  private readonly slotUserType: Int32Array;
  private readonly slotUsersetRel: Int32Array;

  // The current request.
  private userKind = USER_OBJECT;
  private userType = 0;
  private userId = -1;
  private userRel = -1;
  private termA = 0;
  private termB = -1;
  private context: ConditionContext | undefined = undefined;
  /** The error behind the last ERROR status. */
  error: GatehouseError | null = null;
  /** Shared sub-results (batch checks): key `obj * relationCount + rel` → `status | depth << 2`. */
  memo: Map<number, number> | null = null;
  /** Receives the evaluation's steps, or null. */
  tracer: TraceSink | null = null;
  private useTree = false;
  // Per relation: 1 when it is direct assignments of plain objects only, with no condition (see
  // `resolveMember`).
  private readonly directOnly: Uint8Array;
  // The current user's objects in reverse index `memberSlot` (`memberArr[memberLo..memberHi)`),
  // fetched on first use in a request; -1 when not fetched.
  private memberSlot = -1;
  private memberArr: Int32Array = NO_MEMBERS;
  private memberLo = 0;
  private memberHi = 0;
  private stackObj = new Int32Array(64);
  private stackRel = new Int32Array(64);
  private sp = 0;

  constructor(compiled: CompiledModel, store: TupleStore, maxDepth: number, conditions: ConditionEvaluator | undefined) {
    this.store = store;
    this.rels = compiled.relations;
    this.slots = compiled.slots;
    this.usersetSlots = compiled.relations.map((r) => r.slots.map((s) => compiled.slots[s]!).filter((s) => s.kind === SLOT_USERSET));
    this.fwd = store.fwd;
    this.maxDepth = maxDepth;
    this.conditions = conditions;
    this.typeCount = compiled.types.length;
    this.slotKind = compiled.slotKind;
    this.slotUserType = compiled.slotUserType;
    this.slotUsersetRel = compiled.slotUsersetRel;
    this.directOnly = Uint8Array.from(compiled.relations, (r) =>
      r.rewrite.kind === REWRITE_THIS &&
      !r.cyclic &&
      r.slots.every((sid) => {
        const slot = compiled.slots[sid]!;
        return slot.kind === SLOT_OBJECT && slot.conditions.every((c) => c === '');
      })
        ? 1
        : 0,
    );
  }

  /**
   * Starts a request: the user (kind, type, id, and for a userset its relation), the request
   * context, and the store or contextual view to read.
   */
  begin(store: TupleStore, kind: number, type: number, id: number, rel: number, context: ConditionContext | undefined): void {
    this.store = store;
    this.fwd = store.fwd;
    this.userKind = kind;
    this.userType = type;
    this.userId = id;
    this.userRel = rel;
    const nTypes = this.typeCount;
    if (kind === USER_USERSET) {
      this.termA = 2 * nTypes + rel;
      this.termB = -1;
    } else {
      this.termA = type;
      this.termB = nTypes + type;
    }
    this.context = context;
    this.error = null;
    this.sp = 0;
    this.memberSlot = -1;
    // Usersets need the model's own structure: a userset user can match an inlined relation by
    // itself (`group:x#member` is in `group:x#member`), which the flattened form would skip.
    this.useTree = kind === USER_USERSET || this.tracer !== null;
  }

  /** True when relation `r` can hold the current user at all (the type graph has a path). */
  canReach(r: CompiledRelation): boolean {
    const reach = r.reach;
    return reach[this.termA] === 1 || (this.termB >= 0 && reach[this.termB] === 1);
  }

  /** OpenFGA's ResolveCheck: relation `rel` of object `obj`, at dispatch depth `depth`. */
  resolve(rel: number, obj: number, depth: number): number {
    if (depth >= this.maxDepth) {
      this.error = new GatehouseError(
        'authorization_model_resolution_too_complex',
        `authorization model resolution required more than ${this.maxDepth} levels (check the model for infinite recursion or too much nesting)`,
      );
      if (this.tracer !== null) this.traceLeaf('depth', rel, obj, ERROR);
      return ERROR;
    }
    const r = this.rels[rel]!;
    let pushed = false;
    if (r.cyclic) {
      const so = this.stackObj;
      const sr = this.stackRel;
      for (let i = this.sp - 1; i >= 0; i--) {
        if (so[i] === obj && sr[i] === rel) {
          if (this.tracer !== null) this.traceLeaf('cycle', rel, obj, CYCLE);
          return CYCLE;
        }
      }
      if (this.sp === so.length) this.growStack();
      this.stackObj[this.sp] = obj;
      this.stackRel[this.sp] = rel;
      this.sp++;
      pushed = true;
    }
    let status: number;
    if (this.userKind === USER_USERSET && rel === this.userRel && obj === this.userId && r.type === this.userType) {
      status = TRUE;
      if (this.tracer !== null) this.traceLeaf('self', rel, obj, TRUE);
    } else if (!this.canReach(r)) {
      status = FALSE;
      if (this.tracer !== null) this.traceLeaf('unreachable', rel, obj, FALSE);
    } else {
      const memo = this.memo;
      const key = obj * this.rels.length + rel;
      let cached = -1;
      if (memo !== null && !r.cyclic && obj >= 0) {
        const m = memo.get(key);
        if (m !== undefined && depth <= m >> 2) cached = m & 3;
      }
      if (cached >= 0) {
        status = cached;
      } else {
        if (this.tracer !== null) this.tracer.enter('relation', rel, obj);
        status = this.evalNode(this.useTree ? r.rewrite : r.flat, obj, depth);
        if (this.tracer !== null) this.tracer.leave(status);
        if (memo !== null && !r.cyclic && obj >= 0 && (status === TRUE || status === FALSE)) memo.set(key, status | (depth << 2));
      }
    }
    if (pushed) this.sp--;
    return status;
  }

  /**
   * {@link Checker.resolve} of a userset's relation `rel` on `group`. When `rel` is plain direct
   * assignments of objects without conditions and the user is an object, the answer is whether
   * the user's own tuple exists, and it is read from the user's side: the reverse index lists the
   * user's groups (typically a few), fetched once per request, instead of one forward lookup per
   * group the object names. Same answer, same depth limit; traced evaluations take the general path.
   */
  private resolveMember(rel: number, group: number, depth: number): number {
    if (this.directOnly[rel] !== 1 || this.userKind !== USER_OBJECT || this.tracer !== null || depth >= this.maxDepth) {
      return this.resolve(rel, group, depth);
    }
    const slot = this.rels[rel]!.objectSlotByType[this.userType]!;
    if (slot < 0 || this.userId < 0) return FALSE;
    if (slot !== this.memberSlot) this.fetchMembers(slot);
    const arr = this.memberArr;
    let lo = this.memberLo;
    let hi = this.memberHi;
    if (hi - lo <= 16) {
      for (let i = lo; i < hi; i++) if (arr[i] === group) return TRUE;
      return FALSE;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = arr[mid]!;
      if (v === group) return TRUE;
      if (v < group) lo = mid + 1;
      else hi = mid;
    }
    return FALSE;
  }

  private fetchMembers(slot: number): void {
    const idx = this.store.rev[slot]!;
    const n = idx.find(this.userId);
    this.memberArr = idx.arr;
    this.memberLo = idx.lo;
    this.memberHi = idx.lo + n;
    this.memberSlot = slot;
  }

  private evalNode(node: RewriteNode, obj: number, depth: number): number {
    switch (node.kind) {
      case REWRITE_THIS:
        return this.evalThis(node.rel, obj, depth);
      case REWRITE_MULTI_THIS:
        return this.evalMultiThis(node, obj, depth);
      case REWRITE_COMPUTED:
        return this.resolve(node.rel, obj, depth);
      case REWRITE_TTU:
        return this.evalTTU(node, obj, depth);
      case REWRITE_UNION: {
        if (this.tracer !== null) this.tracer.enter('union', -1, obj);
        const children = node.children;
        let err = false;
        let cyc = false;
        let status = FALSE;
        for (let i = 0; i < children.length; i++) {
          const s = this.evalNode(children[i]!, obj, depth);
          if (s === TRUE) {
            status = TRUE;
            break;
          }
          if (s === ERROR) err = true;
          else if (s === CYCLE) cyc = true;
        }
        if (status !== TRUE) status = err ? ERROR : cyc ? CYCLE : FALSE;
        if (this.tracer !== null) this.tracer.leave(status);
        return status;
      }
      case REWRITE_INTERSECTION: {
        if (this.tracer !== null) this.tracer.enter('intersection', -1, obj);
        const children = node.children;
        let err = false;
        let status = TRUE;
        for (let i = 0; i < children.length; i++) {
          const s = this.evalNode(children[i]!, obj, depth);
          if (s === FALSE || s === CYCLE) {
            status = s;
            break;
          }
          if (s === ERROR) err = true;
        }
        if (status === TRUE && err) status = ERROR;
        if (this.tracer !== null) this.tracer.leave(status);
        return status;
      }
      case REWRITE_EXCLUSION: {
        if (this.tracer !== null) this.tracer.enter('exclusion', -1, obj);
        const status = this.evalExclusion(node, obj, depth);
        if (this.tracer !== null) this.tracer.leave(status);
        return status;
      }
      default:
        return FALSE;
    }
  }

  private evalExclusion(node: RewriteNode, obj: number, depth: number): number {
    const base = this.evalNode(node.children[0]!, obj, depth);
    if (base === FALSE || base === CYCLE) return base;
    const baseError = base === ERROR ? this.error : null;
    const sub = this.evalNode(node.children[1]!, obj, depth);
    if (sub === TRUE) return FALSE;
    if (sub === CYCLE) return CYCLE;
    if (base === ERROR) {
      this.error = baseError;
      return ERROR;
    }
    if (sub === ERROR) return ERROR;
    return TRUE;
  }

  // OpenFGA's checkDirect: the user's own tuple, a wildcard tuple, and tuples of usersets.
  private evalThis(rel: number, obj: number, depth: number): number {
    const tr = this.tracer;
    if (tr !== null) tr.enter('this', rel, obj);
    const r = this.rels[rel]!;
    // Every direct edge of the object lives in its type's forward index, side by side.
    const idx = this.fwd[r.type]!;
    let err = false;
    let cyc = false;
    let status = FALSE;
    const kind = this.userKind;
    if (kind !== USER_WILDCARD && this.userId >= 0) {
      const s = kind === USER_OBJECT ? r.objectSlotByType[this.userType]! : (r.usersetSlotByRel.get(this.userRel) ?? -1);
      if (s >= 0) {
        const pos = idx.indexOf(obj, s, this.userId);
        if (pos >= 0) {
          const carr = idx.carr;
          const ref = carr === null ? 0 : carr[pos]!;
          const c = ref === 0 ? TRUE : this.evalCondition(ref, s, obj, this.userId);
          if (tr !== null) tr.tuple(s, obj, this.userId, ref, c);
          if (c === TRUE) status = TRUE;
          else if (c === ERROR) err = true;
        }
      }
    }
    if (status !== TRUE && kind !== USER_USERSET) {
      const s = r.wildcardSlotByType[this.userType]!;
      if (s >= 0 && idx.findSlot(obj, s) > 0) {
        const carr = idx.carr;
        const ref = carr === null ? 0 : carr[idx.lo]!;
        const c = ref === 0 ? TRUE : this.evalCondition(ref, s, obj, 0);
        if (tr !== null) tr.tuple(s, obj, 0, ref, c);
        if (c === TRUE) status = TRUE;
        else if (c === ERROR) err = true;
      }
    }
    if (status !== TRUE) {
      const uslots = this.usersetSlots[rel]!;
      for (let k = 0; k < uslots.length && status !== TRUE; k++) {
        const slot = uslots[k]!;
        if (!this.canReach(this.rels[slot.usersetRel]!)) continue;
        const n = idx.findSlot(obj, slot.id);
        if (n === 0) continue;
        const arr = idx.arr;
        const carr = idx.carr;
        const lo = idx.lo;
        let condErr = false;
        let onceValid = false;
        for (let i = lo; i < lo + n; i++) {
          const g = arr[i]!;
          if (carr !== null && carr[i] !== 0) {
            const c = this.evalCondition(carr[i]!, slot.id, obj, g);
            if (tr !== null) tr.tuple(slot.id, obj, g, carr[i]!, c);
            if (c === ERROR) {
              condErr = true;
              continue;
            }
            if (c === FALSE) continue;
          } else if (tr !== null) tr.tuple(slot.id, obj, g, 0, TRUE);
          onceValid = true;
          const s = this.resolveMember(slot.usersetRel, g, depth + 1);
          if (s === TRUE) {
            status = TRUE;
            break;
          }
          if (s === ERROR) err = true;
          else if (s === CYCLE) cyc = true;
        }
        if (condErr && !onceValid && status !== TRUE) err = true;
      }
    }
    if (status !== TRUE) status = err ? ERROR : cyc ? CYCLE : FALSE;
    if (tr !== null) tr.leave(status);
    return status;
  }

  // The direct assignments of several relations of one object, read in one scan of its edges:
  // the user's own tuples and wildcards first, then usersets (per slot, as OpenFGA groups them).
  private evalMultiThis(node: RewriteNode, obj: number, depth: number): number {
    const rels = node.thisRels;
    const idx = this.fwd[this.rels[rels[0]!]!.type]!;
    const n = idx.find(obj);
    if (n === 0) return FALSE;
    if (n > 32) {
      // A large neighbourhood: per-slot binary searches beat a scan.
      let err = false;
      let cyc = false;
      for (let k = 0; k < rels.length; k++) {
        const s = this.evalThis(rels[k]!, obj, depth);
        if (s === TRUE) return TRUE;
        if (s === ERROR) err = true;
        else if (s === CYCLE) cyc = true;
      }
      return err ? ERROR : cyc ? CYCLE : FALSE;
    }
    const arr = idx.arr;
    const sarr = idx.sarr!;
    const carr = idx.carr;
    const lo = idx.lo;
    const hi = lo + n;
    const mask = node.slotMask;
    const kinds = this.slotKind;
    const userTypes = this.slotUserType;
    const usersetRels = this.slotUsersetRel;
    const kind = this.userKind;
    const userType = this.userType;
    const userId = this.userId;
    const userRel = this.userRel;
    let err = false;
    let cyc = false;
    let usersets = false;
    for (let i = lo; i < hi; i++) {
      // Values and slots sit in two arrays: reading both up front overlaps their cache misses,
      // and the parent links a tuple-to-userset reads next are then in cache too.
      const v = arr[i]!;
      const s = sarr[i]!;
      if (mask[s] !== 1) continue;
      const k = kinds[s]!;
      let match: boolean;
      if (k === SLOT_OBJECT) match = kind === USER_OBJECT && userTypes[s] === userType && v === userId;
      else if (k === SLOT_WILDCARD) match = kind !== USER_USERSET && userTypes[s] === userType;
      else {
        usersets = true;
        match = kind === USER_USERSET && usersetRels[s] === userRel && v === userId;
      }
      if (!match) continue;
      const ref = carr === null ? 0 : carr[i]!;
      const c = ref === 0 ? TRUE : this.evalCondition(ref, s, obj, arr[i]!);
      if (c === TRUE) return TRUE;
      if (c === ERROR) err = true;
    }
    if (usersets) {
      let current = -1;
      let reachable = false;
      let condErr = false;
      let onceValid = false;
      for (let i = lo; i < hi; i++) {
        const s = sarr[i]!;
        if (mask[s] !== 1 || kinds[s] !== SLOT_USERSET) continue;
        if (s !== current) {
          if (condErr && !onceValid) err = true;
          current = s;
          condErr = false;
          onceValid = false;
          reachable = this.canReach(this.rels[usersetRels[s]!]!);
        }
        if (!reachable) continue;
        const g = arr[i]!;
        if (carr !== null && carr[i] !== 0) {
          const c = this.evalCondition(carr[i]!, s, obj, g);
          if (c === ERROR) {
            condErr = true;
            continue;
          }
          if (c === FALSE) continue;
        }
        onceValid = true;
        const st = this.resolveMember(usersetRels[s]!, g, depth + 1);
        if (st === TRUE) return TRUE;
        if (st === ERROR) err = true;
        else if (st === CYCLE) cyc = true;
      }
      if (condErr && !onceValid) err = true;
    }
    return err ? ERROR : cyc ? CYCLE : FALSE;
  }

  // OpenFGA's checkTTU: every tupleset tuple's object, evaluated for the computed relation.
  private evalTTU(node: RewriteNode, obj: number, depth: number): number {
    const tr = this.tracer;
    if (tr !== null) tr.enter('ttu', node.tupleset, obj, node.computedName);
    const arms = node.arms;
    const idx = this.fwd[this.rels[node.tupleset]!.type]!;
    let err = false;
    let cyc = false;
    let condErr = false;
    let onceValid = false;
    let status = FALSE;
    for (let k = 0; k < arms.length && status !== TRUE; k++) {
      const arm = arms[k]!;
      if (arm.target < 0) continue;
      if (!this.canReach(this.rels[arm.target]!)) continue;
      const n = idx.findSlot(obj, arm.slot);
      if (n === 0) continue;
      const arr = idx.arr;
      const carr = idx.carr;
      const lo = idx.lo;
      for (let i = lo; i < lo + n; i++) {
        const p = arr[i]!;
        if (carr !== null && carr[i] !== 0) {
          const c = this.evalCondition(carr[i]!, arm.slot, obj, p);
          if (tr !== null) tr.tuple(arm.slot, obj, p, carr[i]!, c);
          if (c === ERROR) {
            condErr = true;
            continue;
          }
          if (c === FALSE) continue;
        } else if (tr !== null) tr.tuple(arm.slot, obj, p, 0, TRUE);
        onceValid = true;
        const s = this.resolve(arm.target, p, depth + 1);
        if (s === TRUE) {
          status = TRUE;
          break;
        }
        if (s === ERROR) err = true;
        else if (s === CYCLE) cyc = true;
      }
    }
    if (condErr && !onceValid) err = true;
    if (status !== TRUE) status = err ? ERROR : cyc ? CYCLE : FALSE;
    if (tr !== null) tr.leave(status);
    return status;
  }

  /** Evaluates stored condition `ref` of tuple `(slot, obj, user)`: TRUE, FALSE or ERROR. */
  evalCondition(ref: number, slot: number, obj: number, user: number): number {
    const stored = this.store.conditionAt(ref);
    const evaluator = this.conditions;
    if (evaluator === undefined) {
      this.error = new GatehouseError('condition_evaluation_error', `condition '${stored.name}' cannot be evaluated: no condition evaluator is configured`);
      return ERROR;
    }
    try {
      const outcome = evaluator.evaluate(stored.name, stored.context, this.context);
      if (outcome.missingParameters !== undefined && outcome.missingParameters.length > 0) {
        this.error = conditionMissingParametersError(stored.name, this.describeTuple(slot, obj, user), outcome.missingParameters);
        return ERROR;
      }
      return outcome.met ? TRUE : FALSE;
    } catch (error) {
      this.error =
        error instanceof GatehouseError
          ? error
          : new GatehouseError('condition_evaluation_error', `failed to evaluate relationship condition '${stored.name}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      return ERROR;
    }
  }

  /** `object#relation@user` of a stored tuple, for messages. */
  describeTuple(slot: number, obj: number, user: number): string {
    const s = this.slots[slot]!;
    const store = this.store;
    const rel = this.rels[s.rel]!;
    const object = store.entityName(s.objectType, obj);
    const typeName = store.compiled.types[s.userType]!.name;
    const u =
      s.kind === SLOT_USERSET
        ? `${store.entityName(s.userType, user)}#${this.rels[s.usersetRel]!.name}`
        : s.kind === 0
          ? store.entityName(s.userType, user)
          : `${typeName}:*`;
    return `${object}#${rel.name}@${u}`;
  }

  private traceLeaf(kind: string, rel: number, obj: number, status: number): void {
    this.tracer!.enter(kind, rel, obj);
    this.tracer!.leave(status);
  }

  private growStack(): void {
    const o = new Int32Array(this.stackObj.length * 2);
    o.set(this.stackObj);
    const r = new Int32Array(this.stackRel.length * 2);
    r.set(this.stackRel);
    this.stackObj = o;
    this.stackRel = r;
  }
}
