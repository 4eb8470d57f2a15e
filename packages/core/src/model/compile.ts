import { GatehouseError } from '../errors/index';
import type { AuthorizationModel, RelationReference, Userset } from './types';

// Rewrite node kinds. Plain numbers (not an enum) so every module can switch on them cheaply.
/** A `[user, group#member, ...]` direct assignment (`this`). */
export const REWRITE_THIS = 0;
/** A computed userset: another relation of the same object. */
export const REWRITE_COMPUTED = 1;
/** A tuple-to-userset: `relation from tupleset`. */
export const REWRITE_TTU = 2;
/** A union (`or`). */
export const REWRITE_UNION = 3;
/** An intersection (`and`). */
export const REWRITE_INTERSECTION = 4;
/** An exclusion (`but not`). */
export const REWRITE_EXCLUSION = 5;
/**
 * The direct assignments of several relations of the same object at once (`this` of a relation
 * and of the acyclic relations its union inlines): one read of the object's edges serves all.
 */
export const REWRITE_MULTI_THIS = 6;

/** Slot kinds: which form of user a direct slot holds. */
export const SLOT_OBJECT = 0;
/** A typed wildcard slot (`user:*`). */
export const SLOT_WILDCARD = 1;
/** A userset slot (`group#member`). */
export const SLOT_USERSET = 2;

/** How a contribution reaches the root of a rewrite: exactly (through unions only) or as a candidate. */
export const REACH_EXACT = 0;
/** Through an intersection or an exclusion base: membership must be confirmed by a check. */
export const REACH_CANDIDATE = 1;

/**
 * One arm of a tuple-to-userset: tupleset tuples whose user has `userType` live in sub-index
 * `slot`; the relation evaluated on them is `target` (-1 when that type lacks the relation, which
 * OpenFGA skips).
 */
export interface TTUArm {
  /** The tupleset slot (sub-index id). */
  readonly slot: number;
  /** The type of the tupleset's users. */
  readonly userType: number;
  /** The computed relation on `userType`, or -1 when that type does not define it. */
  readonly target: number;
}

const NO_RELS: readonly number[] = [];
const NO_MASK = new Uint8Array(0);

/**
 * One compiled rewrite node. A single class (rather than a union of shapes) keeps property access
 * monomorphic in the evaluator's hot loop.
 */
export class RewriteNode {
  /** One of the `REWRITE_*` constants. */
  readonly kind: number;
  /** `this`: the relation whose direct slots apply. `computed`: the target relation. Else -1. */
  readonly rel: number;
  /** TTU: the tupleset relation on the same type. Else -1. */
  readonly tupleset: number;
  /** TTU: the computed relation's name (it may exist on only some tupleset types). */
  readonly computedName: string;
  /** TTU: one arm per user type of the tupleset. */
  readonly arms: readonly TTUArm[];
  /** Union / intersection operands; exclusion: `[base, subtract]`. */
  readonly children: readonly RewriteNode[];
  /** Multi-this: the relations whose direct assignments are read together. */
  readonly thisRels: readonly number[];
  /** Multi-this: 1 for every slot (by id) of those relations. */
  readonly slotMask: Uint8Array;

  constructor(
    kind: number,
    rel: number,
    tupleset: number,
    computedName: string,
    arms: readonly TTUArm[],
    children: readonly RewriteNode[],
    thisRels: readonly number[] = NO_RELS,
    slotMask: Uint8Array = NO_MASK,
  ) {
    this.kind = kind;
    this.rel = rel;
    this.tupleset = tupleset;
    this.computedName = computedName;
    this.arms = arms;
    this.children = children;
    this.thisRels = thisRels;
    this.slotMask = slotMask;
  }
}

/**
 * A direct slot: one distinct `(user type, kind, userset relation)` a relation accepts. Each slot is
 * one sub-index of the tuple store (forward object → users and reverse user → objects).
 */
export interface DirectSlot {
  /** Global slot id (sub-index id). */
  readonly id: number;
  /** The relation (global id) the slot belongs to. */
  readonly rel: number;
  /** The object type of that relation. */
  readonly objectType: number;
  /** The user's type. */
  readonly userType: number;
  /** `SLOT_OBJECT`, `SLOT_WILDCARD` or `SLOT_USERSET`. */
  readonly kind: number;
  /** For a userset slot, the relation (global id) on `userType`; else -1. */
  readonly usersetRel: number;
  /** Condition names a tuple in this slot may carry; `''` stands for "no condition". */
  readonly conditions: readonly string[];
}

/** A relation that depends on another one, for reverse expansion (listObjects). */
export interface Dependent {
  /** The dependent relation (global id). */
  readonly rel: number;
  /** `REACH_EXACT` or `REACH_CANDIDATE`. */
  readonly mode: number;
  /** How: `REWRITE_COMPUTED` (same object), `REWRITE_TTU` or `REWRITE_THIS` (userset slot). */
  readonly via: number;
  /** For TTU and userset dependencies, the slot whose reverse index maps the member to objects. */
  readonly slot: number;
}

/** A direct slot that a concrete user (or wildcard) can seed reverse expansion from. */
export interface Seed {
  /** The relation the slot belongs to. */
  readonly rel: number;
  /** `REACH_EXACT` or `REACH_CANDIDATE`. */
  readonly mode: number;
  /** The slot. */
  readonly slot: number;
}

/** A compiled relation. */
export interface CompiledRelation {
  /** Global relation id. */
  readonly id: number;
  /** The type (id) defining it. */
  readonly type: number;
  /** The relation name. */
  readonly name: string;
  /** The rewrite as written in the model. */
  readonly rewrite: RewriteNode;
  /**
   * The rewrite with computed usersets of acyclic relations inlined into unions and subsumed
   * tuple-to-usersets dropped: same answers, fewer steps. Used for object and wildcard users.
   */
  readonly flat: RewriteNode;
  /** Direct slots (ids), in model order. */
  readonly slots: readonly number[];
  /** The relation's type restrictions as written (`directly_related_user_types`). */
  readonly refs: readonly RelationReference[];
  /** True when this relation is a tupleset of some tuple-to-userset on its type. */
  readonly isTupleset: boolean;
  /** True when the relation can reach itself (computed, TTU or userset edges): only then can a check revisit it. */
  readonly cyclic: boolean;
  /** Which user terminals can reach this relation (see {@link CompiledModel.terminalOf}). */
  readonly reach: Uint8Array;
  /** Per user type: the object slot id of this relation, or -1. */
  readonly objectSlotByType: Int32Array;
  /** Per user type: the wildcard slot id, or -1. */
  readonly wildcardSlotByType: Int32Array;
  /** Userset slot id per userset relation (global id), for userset users. */
  readonly usersetSlotByRel: ReadonlyMap<number, number>;
  /** Relations that depend on this one (reverse expansion). */
  readonly dependents: readonly Dependent[];
}

/** A compiled type. */
export interface CompiledType {
  /** Type id. */
  readonly id: number;
  /** Type name. */
  readonly name: string;
  /** Relation ids by name. */
  readonly relations: ReadonlyMap<string, number>;
}

/**
 * A model compiled for evaluation: types and relations interned to small integers, rewrites as
 * compact trees, direct slots (the store's sub-indexes), and the type graph precomputed for pruning.
 * Build it once per model with {@link compileModel}; it is immutable and shareable.
 */
export interface CompiledModel {
  /** The source model. */
  readonly model: AuthorizationModel;
  /** Types by id. */
  readonly types: readonly CompiledType[];
  /** Type ids by name. */
  readonly typeIds: ReadonlyMap<string, number>;
  /** Relations by global id. */
  readonly relations: readonly CompiledRelation[];
  /** Direct slots by id. */
  readonly slots: readonly DirectSlot[];
  /** Per slot: its kind (`SLOT_*`), for the evaluator's scans. */
  readonly slotKind: Uint8Array;
  /** Per slot: its user type. */
  readonly slotUserType: Int32Array;
  /** Per slot: its userset relation, or -1. */
  readonly slotUsersetRel: Int32Array;
  /** Condition names declared by the model. */
  readonly conditionNames: ReadonlySet<string>;
  /** Per user type: slots holding that type's objects directly, for reverse expansion seeds. */
  readonly objectSeeds: readonly (readonly Seed[])[];
  /** Per user type: wildcard slots of that type. */
  readonly wildcardSeeds: readonly (readonly Seed[])[];
  /** Number of user terminals (the length of each `reach` array). */
  readonly terminalCount: number;
  /** Terminal index of an object user of type `t`. */
  terminalOfObject(t: number): number;
  /** Terminal index of a wildcard user of type `t`. */
  terminalOfWildcard(t: number): number;
  /** Terminal index of a userset user whose relation is `rel`. */
  terminalOfUserset(rel: number): number;
  /** The relation id of `type#relation`, or -1. */
  relationId(type: number, relation: string): number;
}

interface RawRelation {
  id: number;
  type: number;
  name: string;
  userset: Userset | undefined;
  refs: readonly RelationReference[];
}

/**
 * Compiles a validated model for evaluation. The model should come from `parseModel` or
 * `parseDSL`, which report every semantic problem; this step only fails on structure it cannot
 * evaluate (a rewrite naming an unknown relation, an empty rewrite), so it never crashes later.
 *
 * @throws {GatehouseError} `invalid_authorization_model` naming the type and relation at fault.
 */
export function compileModel(model: AuthorizationModel): CompiledModel {
  if (model === null || typeof model !== 'object' || !Array.isArray(model.type_definitions)) {
    throw new GatehouseError('invalid_authorization_model', 'invalid authorization model: type_definitions missing');
  }
  const typeIds = new Map<string, number>();
  const typeRelations: Map<string, number>[] = [];
  const raw: RawRelation[] = [];
  for (const td of model.type_definitions) {
    if (typeIds.has(td.type)) {
      throw new GatehouseError('invalid_authorization_model', `invalid authorization model: type '${td.type}' is defined twice`);
    }
    const typeId = typeIds.size;
    typeIds.set(td.type, typeId);
    const rels = new Map<string, number>();
    typeRelations.push(rels);
    const metadata = td.metadata?.relations ?? {};
    for (const [name, userset] of Object.entries<Userset>(td.relations ?? {})) {
      const id = raw.length;
      rels.set(name, id);
      raw.push({ id, type: typeId, name, userset, refs: metadata[name]?.directly_related_user_types ?? [] });
    }
  }
  const conditionNames = new Set(Object.keys(model.conditions ?? {}));
  const nTypes = typeIds.size;
  const nRels = raw.length;
  const typeNames = [...typeIds.keys()];
  const fail = (r: RawRelation, message: string): never => {
    throw new GatehouseError('invalid_authorization_model', `invalid authorization model: relation '${typeNames[r.type]}#${r.name}': ${message}`);
  };

  // Direct slots: one per distinct (user type, kind, userset relation) of each relation.
  const slots: DirectSlot[] = [];
  const relSlots: number[][] = raw.map(() => []);
  for (const r of raw) {
    const byKey = new Map<string, { slot: number; conditions: Set<string> }>();
    for (const ref of r.refs) {
      const userType = typeIds.get(ref.type);
      if (userType === undefined) fail(r, `unknown type '${ref.type}' in its type restrictions`);
      let kind = SLOT_OBJECT;
      let usersetRel = -1;
      if (ref.wildcard !== undefined && ref.wildcard !== null) kind = SLOT_WILDCARD;
      else if (ref.relation) {
        kind = SLOT_USERSET;
        usersetRel = typeRelations[userType!]!.get(ref.relation) ?? -1;
        if (usersetRel < 0) fail(r, `unknown relation '${ref.type}#${ref.relation}' in its type restrictions`);
      }
      const key = `${userType}|${kind}|${usersetRel}`;
      let entry = byKey.get(key);
      if (!entry) {
        entry = { slot: slots.length, conditions: new Set() };
        byKey.set(key, entry);
        slots.push({ id: entry.slot, rel: r.id, objectType: r.type, userType: userType!, kind, usersetRel, conditions: [] });
        relSlots[r.id]!.push(entry.slot);
      }
      entry.conditions.add(ref.condition ?? '');
    }
    for (const entry of byKey.values()) {
      const s = slots[entry.slot]!;
      slots[entry.slot] = { ...s, conditions: [...entry.conditions] };
    }
  }

  if (slots.length > 65535) {
    throw new GatehouseError('invalid_authorization_model', `invalid authorization model: ${slots.length} type restrictions in total, at most 65535 are supported`);
  }

  // Tuplesets: relations used as the tupleset of some TTU on their type.
  const isTupleset = new Uint8Array(nRels);
  const compileRewrite = (r: RawRelation, u: Userset | undefined): RewriteNode => {
    if (u === undefined || u === null || typeof u !== 'object') return fail(r, 'missing rewrite');
    if ('this' in u) return new RewriteNode(REWRITE_THIS, r.id, -1, '', [], []);
    if ('computedUserset' in u) {
      const target = typeRelations[r.type]!.get(u.computedUserset.relation ?? '');
      if (target === undefined) return fail(r, `computed relation '${u.computedUserset.relation ?? ''}' is not defined`);
      return new RewriteNode(REWRITE_COMPUTED, target, -1, '', [], []);
    }
    if ('tupleToUserset' in u) {
      const tsName = u.tupleToUserset.tupleset.relation ?? '';
      const ts = typeRelations[r.type]!.get(tsName);
      if (ts === undefined) return fail(r, `tupleset relation '${tsName}' is not defined`);
      isTupleset[ts] = 1;
      const computedName = u.tupleToUserset.computedUserset.relation ?? '';
      const arms: TTUArm[] = [];
      for (const sid of relSlots[ts]!) {
        const s = slots[sid]!;
        // Only plain object users can be tupleset parents (OpenFGA rejects wildcards and usersets there).
        if (s.kind !== SLOT_OBJECT) continue;
        arms.push({ slot: sid, userType: s.userType, target: typeRelations[s.userType]!.get(computedName) ?? -1 });
      }
      return new RewriteNode(REWRITE_TTU, -1, ts, computedName, arms, []);
    }
    if ('union' in u || 'intersection' in u) {
      const union = 'union' in u;
      const child = union ? u.union.child : (u as { intersection: { child: readonly Userset[] } }).intersection.child;
      if (!Array.isArray(child) || child.length === 0) return fail(r, `empty ${union ? 'union' : 'intersection'}`);
      const children = child.map((c) => compileRewrite(r, c));
      return new RewriteNode(union ? REWRITE_UNION : REWRITE_INTERSECTION, -1, -1, '', [], children);
    }
    if ('difference' in u) {
      return new RewriteNode(REWRITE_EXCLUSION, -1, -1, '', [], [
        compileRewrite(r, u.difference.base),
        compileRewrite(r, u.difference.subtract),
      ]);
    }
    return fail(r, 'unknown rewrite operator');
  };
  const rewrites = raw.map((r) => compileRewrite(r, r.userset));

  // Relation-level dependency graph: computed, TTU and userset-slot edges.
  const deps: Set<number>[] = raw.map(() => new Set());
  const collectDeps = (r: number, n: RewriteNode): void => {
    switch (n.kind) {
      case REWRITE_THIS:
        for (const sid of relSlots[r]!) {
          const s = slots[sid]!;
          if (s.kind === SLOT_USERSET) deps[r]!.add(s.usersetRel);
        }
        break;
      case REWRITE_COMPUTED:
        deps[r]!.add(n.rel);
        break;
      case REWRITE_TTU:
        for (const arm of n.arms) if (arm.target >= 0) deps[r]!.add(arm.target);
        break;
      default:
        for (const c of n.children) collectDeps(r, c);
    }
  };
  raw.forEach((r, i) => collectDeps(r.id, rewrites[i]!));

  // Transitive closure over relations (small: models have tens to hundreds of relations).
  const closure: Uint8Array[] = raw.map(() => new Uint8Array(nRels));
  for (let r = 0; r < nRels; r++) {
    const seen = closure[r]!;
    const stack = [...deps[r]!];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (seen[x]) continue;
      seen[x] = 1;
      for (const y of deps[x]!) if (!seen[y]) stack.push(y);
    }
  }
  const cyclic = raw.map((_, r) => closure[r]![r] === 1);

  // Reach: which user terminals (object type, wildcard type, userset relation) can a relation hold.
  const terminalCount = 2 * nTypes + nRels;
  const reach = raw.map((r) => {
    const bits = new Uint8Array(terminalCount);
    bits[2 * nTypes + r.id] = 1;
    for (const sid of relSlots[r.id]!) {
      const s = slots[sid]!;
      if (s.kind === SLOT_OBJECT) bits[s.userType] = 1;
      else if (s.kind === SLOT_WILDCARD) bits[nTypes + s.userType] = 1;
    }
    return bits;
  });
  for (let r = 0; r < nRels; r++) {
    const bits = reach[r]!;
    const seen = closure[r]!;
    for (let x = 0; x < nRels; x++) {
      if (!seen[x]) continue;
      bits[2 * nTypes + x] = 1;
      for (const sid of relSlots[x]!) {
        const s = slots[sid]!;
        if (s.kind === SLOT_OBJECT) bits[s.userType] = 1;
        else if (s.kind === SLOT_WILDCARD) bits[nTypes + s.userType] = 1;
      }
    }
  }

  // Flattened rewrites: inline computed usersets of acyclic relations into unions.
  const flatCache = new Map<number, RewriteNode>();
  const flatten = (r: number): RewriteNode => {
    const cached = flatCache.get(r);
    if (cached) return cached;
    const root = rewrites[r]!;
    let result = root;
    if (root.kind === REWRITE_UNION || root.kind === REWRITE_COMPUTED) {
      const leaves: RewriteNode[] = [];
      const inlined = new Set<number>([r]);
      const addLeaf = (n: RewriteNode): void => {
        if (n.kind === REWRITE_UNION) {
          for (const c of n.children) addLeaf(c);
          return;
        }
        // Intersections and exclusions stay behind a computed leaf, so the evaluator's reach
        // pruning still applies to them as a whole.
        const inner = n.kind === REWRITE_COMPUTED ? rewrites[n.rel]!.kind : -1;
        if (n.kind === REWRITE_COMPUTED && !cyclic[n.rel] && inner !== REWRITE_INTERSECTION && inner !== REWRITE_EXCLUSION) {
          if (inlined.has(n.rel)) return;
          inlined.add(n.rel);
          addLeaf(rewrites[n.rel]!);
          return;
        }
        if (n.kind === REWRITE_COMPUTED && leaves.some((l) => l.kind === REWRITE_COMPUTED && l.rel === n.rel)) return;
        if (n.kind === REWRITE_THIS && leaves.some((l) => l.kind === REWRITE_THIS && l.rel === n.rel)) return;
        leaves.push(n);
      };
      addLeaf(root);
      // Drop `a from ts` when `b from ts` is also present and every tupleset type's `b` contains `a`.
      const contained = (t: number, big: string, small: string): boolean => {
        const b = typeRelations[t]!.get(big);
        const s = typeRelations[t]!.get(small);
        if (b === undefined || s === undefined) return s === undefined;
        return b === s || unionContains(b, s);
      };
      const kept = leaves.filter(
        (leaf, i) =>
          leaf.kind !== REWRITE_TTU ||
          !leaves.some(
            (other, j) =>
              j !== i &&
              other.kind === REWRITE_TTU &&
              other.tupleset === leaf.tupleset &&
              other.computedName !== leaf.computedName &&
              leaf.arms.every((arm) => contained(arm.userType, other.computedName, leaf.computedName)) &&
              // Two TTUs that contain each other: keep the first one only.
              !(j > i && leaf.arms.every((arm) => contained(arm.userType, leaf.computedName, other.computedName))),
          ),
      );
      // All direct assignments in the union become one multi-this node, read in one go.
      const thisRels = kept.filter((l) => l.kind === REWRITE_THIS).map((l) => l.rel);
      let merged = kept;
      if (thisRels.length > 1) {
        const mask = new Uint8Array(slots.length);
        for (const tr of thisRels) for (const sid of relSlots[tr]!) mask[sid] = 1;
        const multi = new RewriteNode(REWRITE_MULTI_THIS, -1, -1, '', [], [], thisRels, mask);
        merged = [multi, ...kept.filter((l) => l.kind !== REWRITE_THIS)];
      }
      result = merged.length === 1 ? merged[0]! : new RewriteNode(REWRITE_UNION, -1, -1, '', [], merged);
    }
    flatCache.set(r, result);
    return result;
  };
  // True when relation `big` contains `small` through unions and computed usersets alone.
  const unionContainsCache = new Map<number, Set<number>>();
  const unionContains = (big: number, small: number): boolean => {
    let set = unionContainsCache.get(big);
    if (!set) {
      set = new Set<number>();
      const visit = (n: RewriteNode): void => {
        if (n.kind === REWRITE_UNION) for (const c of n.children) visit(c);
        else if (n.kind === REWRITE_COMPUTED && !set!.has(n.rel)) {
          set!.add(n.rel);
          visit(rewrites[n.rel]!);
        }
      };
      unionContainsCache.set(big, set);
      visit(rewrites[big]!);
    }
    return set.has(small);
  };

  // Reverse-expansion dependents and seeds, with the best mode over every occurrence.
  const dependents: Map<string, Dependent>[] = raw.map(() => new Map());
  const objectSeeds: Map<string, Seed>[] = typeNames.map(() => new Map());
  const wildcardSeeds: Map<string, Seed>[] = typeNames.map(() => new Map());
  const addBest = <T extends { mode: number }>(map: Map<string, T>, key: string, value: T): void => {
    const prev = map.get(key);
    if (!prev || value.mode < prev.mode) map.set(key, value);
  };
  const walk = (r: number, n: RewriteNode, mode: number): void => {
    switch (n.kind) {
      case REWRITE_THIS:
        for (const sid of relSlots[r]!) {
          const s = slots[sid]!;
          const seed = { rel: r, mode, slot: sid };
          if (s.kind === SLOT_OBJECT) addBest(objectSeeds[s.userType]!, `${sid}`, seed);
          else if (s.kind === SLOT_WILDCARD) addBest(wildcardSeeds[s.userType]!, `${sid}`, seed);
          else addBest(dependents[s.usersetRel]!, `${r}|t|${sid}`, { rel: r, mode, via: REWRITE_THIS, slot: sid });
        }
        break;
      case REWRITE_COMPUTED:
        addBest(dependents[n.rel]!, `${r}|c`, { rel: r, mode, via: REWRITE_COMPUTED, slot: -1 });
        break;
      case REWRITE_TTU:
        for (const arm of n.arms) {
          if (arm.target < 0) continue;
          addBest(dependents[arm.target]!, `${r}|u|${arm.slot}`, { rel: r, mode, via: REWRITE_TTU, slot: arm.slot });
        }
        break;
      case REWRITE_UNION:
        for (const c of n.children) walk(r, c, mode);
        break;
      case REWRITE_INTERSECTION:
        for (const c of n.children) walk(r, c, REACH_CANDIDATE);
        break;
      case REWRITE_EXCLUSION:
        // Only the base can add members; the subtracted side only removes them.
        walk(r, n.children[0]!, REACH_CANDIDATE);
        break;
    }
  };
  raw.forEach((r, i) => walk(r.id, rewrites[i]!, REACH_EXACT));

  const relations: CompiledRelation[] = raw.map((r, i) => {
    const objectSlotByType = new Int32Array(nTypes).fill(-1);
    const wildcardSlotByType = new Int32Array(nTypes).fill(-1);
    const usersetSlotByRel = new Map<number, number>();
    for (const sid of relSlots[r.id]!) {
      const s = slots[sid]!;
      if (s.kind === SLOT_OBJECT) objectSlotByType[s.userType] = sid;
      else if (s.kind === SLOT_WILDCARD) wildcardSlotByType[s.userType] = sid;
      else usersetSlotByRel.set(s.usersetRel, sid);
    }
    return {
      id: r.id,
      type: r.type,
      name: r.name,
      rewrite: rewrites[i]!,
      flat: flatten(r.id),
      slots: relSlots[r.id]!,
      refs: r.refs,
      isTupleset: isTupleset[r.id] === 1,
      cyclic: cyclic[r.id]!,
      reach: reach[r.id]!,
      objectSlotByType,
      wildcardSlotByType,
      usersetSlotByRel,
      dependents: [...dependents[r.id]!.values()],
    };
  });

  return {
    model,
    types: typeNames.map((name, id) => ({ id, name, relations: typeRelations[id]! })),
    typeIds,
    relations,
    slots,
    slotKind: Uint8Array.from(slots, (x) => x.kind),
    slotUserType: Int32Array.from(slots, (x) => x.userType),
    slotUsersetRel: Int32Array.from(slots, (x) => x.usersetRel),
    conditionNames,
    objectSeeds: objectSeeds.map((m) => [...m.values()]),
    wildcardSeeds: wildcardSeeds.map((m) => [...m.values()]),
    terminalCount,
    terminalOfObject: (t) => t,
    terminalOfWildcard: (t) => nTypes + t,
    terminalOfUserset: (rel) => 2 * nTypes + rel,
    relationId: (type, relation) => typeRelations[type]?.get(relation) ?? -1,
  };
}
