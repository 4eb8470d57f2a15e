import { GatehouseError, isGatehouseError } from '../errors/index';
import { SLOT_OBJECT, SLOT_USERSET, SLOT_WILDCARD } from '../model/compile';
import type { CompiledModel } from '../model/compile';
import { tryParseObject, tryParseUser } from '../tuples/ids';
import { AdjIndex } from './AdjIndex';
import { conditionSetOf } from './conditionSet';
import type { KeyChange } from './AdjIndex';
import { EntityTable } from './EntityTable';
import { FastResolver } from './FastResolver';
import { resolveTuple, tupleToString } from './resolveTuple';
import type { ConditionContextValidator, ResolvedTuple } from './resolveTuple';
import type { ConditionContext, TupleKey, TupleStoreOptions, TupleWrite, TupleWriteOptions } from './types';

/** A condition as stored with a tuple. */
export interface StoredCondition {
  /** The condition name. */
  readonly name: string;
  /** The tuple's own parameter values, if any. */
  readonly context: ConditionContext | undefined;
}

/** Request-local additions of a contextual view: ids and conditions that must not leak into the shared tables. */
interface LocalOverlay {
  readonly maps: Map<string, number>[];
  readonly names: string[][];
  readonly bases: number[];
  readonly condBase: number;
  readonly conds: StoredCondition[];
}

/** Where a tuple lives in the indexes. */
interface Located {
  readonly slot: number;
  readonly obj: number;
  readonly user: number;
}

// The single key wildcard slots use on their reverse side: "any user of the type".
const WILDCARD_USER = 0;

/**
 * An immutable, indexed set of relationship tuples for one compiled model. Ids are interned to
 * integers per type; every direct slot of the model (a relation's `user`, `user:*` or
 * `group#member` restriction) has a forward index (object → users) and a reverse index
 * (user → objects), each an adjacency index in typed arrays.
 *
 * Versions: {@link TupleStore.write} returns a new store and leaves this one untouched. The new
 * version shares every unchanged index and the append-only id tables, and holds changed keys in
 * copy-on-write patches, so a delta costs about its own size and readers of the old version are
 * never blocked or disturbed.
 */
export class TupleStore {
  /** The model the tuples are indexed for. */
  readonly compiled: CompiledModel;
  /** Number of indexed tuples. */
  readonly size: number;
  /**
   * Tuples the model does not allow (loaded with `invalid: 'skip'`): kept unindexed, as OpenFGA
   * keeps stored tuples a newer model no longer accepts, so {@link TupleStore.withModel} can bring
   * them back.
   */
  readonly ignored: readonly TupleKey[];
  /** Interned ids per type (shared, append-only). @internal */
  readonly entities: readonly EntityTable[];
  /** Forward index per object type: object → its direct edges, tagged with their slot. @internal */
  readonly fwd: readonly AdjIndex[];
  /** Reverse index per slot: user → objects (wildcard slots use key 0). @internal */
  readonly rev: readonly AdjIndex[];
  /** Stored conditions by reference; 0 means "none" (shared, append-only). @internal */
  readonly conditions: StoredCondition[];
  /** Request-local additions of a contextual view, or null. @internal */
  readonly local: LocalOverlay | null;
  private readonly validateContext: ConditionContextValidator;
  // `object#relation@user` of each ignored tuple, built on first use.
  private ignoredKeys: Set<string> | undefined;

  private constructor(
    compiled: CompiledModel,
    entities: readonly EntityTable[],
    fwd: readonly AdjIndex[],
    rev: readonly AdjIndex[],
    conditions: StoredCondition[],
    size: number,
    ignored: readonly TupleKey[],
    local: LocalOverlay | null,
    validateContext: ConditionContextValidator,
  ) {
    this.compiled = compiled;
    this.entities = entities;
    this.fwd = fwd;
    this.rev = rev;
    this.conditions = conditions;
    this.size = size;
    this.ignored = ignored;
    this.local = local;
    this.validateContext = validateContext;
  }

  /** Builds a store: see {@link createTupleStore}. @internal */
  static build(
    compiled: CompiledModel,
    tuples: Iterable<TupleKey>,
    options: TupleStoreOptions & { readonly validateContext?: ConditionContextValidator } = {},
  ): TupleStore {
    const skip = options.invalid === 'skip';
    const validateContext = options.validateContext ?? defaultContextValidator(compiled);
    const entities = compiled.types.map((t) => new EntityTable(t.name));
    const conditions: StoredCondition[] = [{ name: '', context: undefined }];
    const namedOnly = new Map<string, number>();
    const nSlots = compiled.slots.length;
    const objs: Int32Array[] = [];
    const users: Int32Array[] = [];
    const conds: (Int32Array | null)[] = [];
    const counts = new Int32Array(nSlots);
    for (let s = 0; s < nSlots; s++) {
      objs.push(new Int32Array(16));
      users.push(new Int32Array(16));
      conds.push(null);
    }
    const ignored: TupleKey[] = [];
    const fast = new FastResolver(compiled);
    // Tuples go through in batches, in three passes: check each against the model and hash its
    // ids; read the first id-table word each lookup will probe, in a tight loop, so those cache
    // misses overlap instead of coming one after another; then look up (or intern) the ids and
    // stage each tuple, in order. A tuple the first pass cannot take goes the validating way.
    const batch: TupleKey[] = [];
    const bSlot = new Int32Array(LOAD_BATCH);
    const bObjectType = new Int32Array(LOAD_BATCH);
    const bUserType = new Int32Array(LOAD_BATCH);
    const bUserEnd = new Int32Array(LOAD_BATCH);
    const bKeys = new Int32Array(6 * LOAD_BATCH);
    let probed = 0;
    const stage = (s: number, obj: number, user: number, cond: number): void => {
      let n = counts[s]!;
      if (n === objs[s]!.length) {
        objs[s] = grow(objs[s]!);
        users[s] = grow(users[s]!);
        if (conds[s]) conds[s] = grow(conds[s]!);
      }
      objs[s]![n] = obj;
      users[s]![n] = user;
      if (cond !== 0) {
        conds[s] ??= new Int32Array(objs[s]!.length);
        conds[s]![n] = cond;
      }
      counts[s] = ++n;
    };
    const slowPath = (tk: TupleKey): void => {
      let t: ResolvedTuple;
      try {
        t = resolveTuple(compiled, tk, validateContext);
      } catch (error) {
        if (skip) {
          ignored.push(tk);
          return;
        }
        throw error;
      }
      const obj = entities[t.objectType]!.intern(t.object);
      const user = t.userKind === SLOT_WILDCARD ? WILDCARD_USER : entities[t.userType]!.intern(t.userObject);
      stage(t.slot, obj, user, t.condition ? internCondition(conditions, namedOnly, t.condition.name, t.condition.context) : 0);
    };
    const flush = (): void => {
      const n = batch.length;
      for (let b = 0; b < n; b++) {
        const tk = batch[b]!;
        bSlot[b] = -1;
        if (tk === null || typeof tk !== 'object' || tk.condition != null || !fast.parse(tk.object, tk.relation, tk.user)) continue;
        const object = tk.object;
        const objects = entities[fast.objectType]!;
        if (!objects.hashKey(object, object.length)) continue;
        bKeys[6 * b] = objects.kTag;
        bKeys[6 * b + 1] = objects.kW0;
        bKeys[6 * b + 2] = objects.kW1;
        if (fast.userType >= 0) {
          const users = entities[fast.userType]!;
          if (!users.hashKey(tk.user, fast.userEnd)) continue;
          bKeys[6 * b + 3] = users.kTag;
          bKeys[6 * b + 4] = users.kW0;
          bKeys[6 * b + 5] = users.kW1;
        }
        bSlot[b] = fast.slot;
        bObjectType[b] = fast.objectType;
        bUserType[b] = fast.userType;
        bUserEnd[b] = fast.userEnd;
      }
      for (let b = 0; b < n; b++) {
        if (bSlot[b]! < 0) continue;
        probed ^= entities[bObjectType[b]!]!.probe(bKeys[6 * b]!);
        const ut = bUserType[b]!;
        if (ut >= 0) probed ^= entities[ut]!.probe(bKeys[6 * b + 3]!);
      }
      for (let b = 0; b < n; b++) {
        const tk = batch[b]!;
        const s = bSlot[b]!;
        if (s < 0) {
          slowPath(tk);
          continue;
        }
        let user = WILDCARD_USER;
        const ut = bUserType[b]!;
        if (ut >= 0) {
          const users = entities[ut]!;
          const end = bUserEnd[b]!;
          const k = 6 * b + 3;
          user = users.findKey(tk.user, end, bKeys[k]!, bKeys[k + 1]!, bKeys[k + 2]!);
          // `addKey` validates the id as it copies it; an invalid one takes the slow path.
          if (user < 0 && (user = users.addKey(tk.user, end, bKeys[k]!, bKeys[k + 1]!, bKeys[k + 2]!)) < 0) {
            slowPath(tk);
            continue;
          }
        }
        const objects = entities[bObjectType[b]!]!;
        const object = tk.object;
        const k = 6 * b;
        let obj = objects.findKey(object, object.length, bKeys[k]!, bKeys[k + 1]!, bKeys[k + 2]!);
        if (obj < 0 && (obj = objects.addKey(object, object.length, bKeys[k]!, bKeys[k + 1]!, bKeys[k + 2]!)) < 0) {
          slowPath(tk);
          continue;
        }
        stage(s, obj, user, 0);
      }
      batch.length = 0;
    };
    for (const tk of tuples) {
      batch.push(tk);
      if (batch.length === LOAD_BATCH) flush();
    }
    flush();
    probeSink = probed;
    const rev: AdjIndex[] = [];
    for (let s = 0; s < nSlots; s++) {
      const slot = compiled.slots[s]!;
      const userBound = slot.kind === SLOT_WILDCARD ? 1 : entities[slot.userType]!.size;
      rev.push(AdjIndex.build(users[s]!, objs[s]!, conds[s]!, null, counts[s]!, userBound));
    }
    // Forward: one index per object type, every slot of the type together, so an object's edges
    // sit side by side in memory.
    const fwd: AdjIndex[] = [];
    let size = 0;
    for (const type of compiled.types) {
      const typeSlots = compiled.slots.filter((slot) => slot.objectType === type.id);
      let total = 0;
      let anyCond = false;
      for (const slot of typeSlots) {
        total += counts[slot.id]!;
        if (conds[slot.id]) anyCond = true;
      }
      const keys = new Int32Array(total);
      const vals = new Int32Array(total);
      const slotTags = new Uint16Array(total);
      const condRefs = anyCond ? new Int32Array(total) : null;
      let at = 0;
      for (const slot of typeSlots) {
        const n = counts[slot.id]!;
        keys.set(objs[slot.id]!.subarray(0, n), at);
        vals.set(users[slot.id]!.subarray(0, n), at);
        slotTags.fill(slot.id, at, at + n);
        if (condRefs && conds[slot.id]) condRefs.set(conds[slot.id]!.subarray(0, n), at);
        at += n;
        // Release the staging buffers as we go: a 20M-tuple load should not hold them twice.
        objs[slot.id] = EMPTY_I32;
        users[slot.id] = EMPTY_I32;
        conds[slot.id] = null;
      }
      const f = AdjIndex.build(keys, vals, condRefs, slotTags, total, entities[type.id]!.size);
      fwd.push(f);
      size += f.count;
    }
    return new TupleStore(compiled, entities, fwd, rev, conditions, size, ignored, null, validateContext);
  }

  /** The number of `name` (`type:id`) of type `type`, or -1 when no tuple mentions it. @internal */
  entityId(type: number, name: string): number {
    const id = this.entities[type]!.get(name);
    if (id >= 0 || this.local === null) return id;
    return this.local.maps[type]!.get(name) ?? -1;
  }

  /** {@link TupleStore.entityId} for a name whose `type:` prefix the caller has checked. @internal */
  entityIdOfTyped(type: number, name: string): number {
    const id = this.entities[type]!.lookup(name);
    if (id >= 0 || this.local === null) return id;
    return this.local.maps[type]!.get(name) ?? -1;
  }

  /** {@link TupleStore.entityIdOfTyped} of `name[0, end)` (the object of `type:id#relation`). @internal */
  entityIdOfTypedRange(type: number, name: string, end: number): number {
    const id = this.entities[type]!.lookupRange(name, end);
    if (id >= 0 || this.local === null) return id;
    return this.local.maps[type]!.get(name.slice(0, end)) ?? -1;
  }

  /** The `type:id` of entity `id` of type `type`. @internal */
  entityName(type: number, id: number): string {
    const table = this.entities[type]!;
    if (this.local !== null && id >= this.local.bases[type]!) return this.local.names[type]![id - this.local.bases[type]!]!;
    return table.name(id);
  }

  /** The stored condition behind reference `ref` (> 0). @internal */
  conditionAt(ref: number): StoredCondition {
    if (this.local !== null && ref >= this.local.condBase) return this.local.conds[ref - this.local.condBase]!;
    return this.conditions[ref]!;
  }

  /** True when the store holds `tuple` (matched on object, relation and user; ignored tuples included). */
  has(tuple: TupleKey): boolean {
    const at = this.locate(tuple);
    if (at && this.fwd[this.compiled.slots[at.slot]!.objectType]!.indexOf(at.obj, at.slot, at.user) >= 0) return true;
    return this.ignored.length > 0 && this.ignoredKeySet().has(tupleToString(tuple));
  }

  private ignoredKeySet(): Set<string> {
    this.ignoredKeys ??= new Set(this.ignored.map(tupleToString));
    return this.ignoredKeys;
  }

  /** Every tuple: the indexed ones, then the ignored ones. */
  *tuples(): IterableIterator<TupleKey> {
    const { compiled } = this;
    for (const type of compiled.types) {
      const f = this.fwd[type.id]!;
      for (const key of f.keys()) {
        const object = this.entityName(type.id, key);
        const n = f.find(key);
        const { arr, carr, sarr, lo } = f;
        const values = Array.from(arr.subarray(lo, lo + n));
        const slots = Array.from(sarr!.subarray(lo, lo + n));
        const refs = carr ? Array.from(carr.subarray(lo, lo + n)) : null;
        for (let i = 0; i < n; i++) {
          const slot = compiled.slots[slots[i]!]!;
          const v = values[i]!;
          const relation = compiled.relations[slot.rel]!.name;
          const user =
            slot.kind === SLOT_OBJECT
              ? this.entityName(slot.userType, v)
              : slot.kind === SLOT_WILDCARD
                ? `${compiled.types[slot.userType]!.name}:*`
                : `${this.entityName(slot.userType, v)}#${compiled.relations[slot.usersetRel]!.name}`;
          const ref = refs ? refs[i]! : 0;
          if (ref === 0) yield { user, relation, object };
          else {
            const c = this.conditionAt(ref);
            yield { user, relation, object, condition: c.context === undefined ? { name: c.name } : { name: c.name, context: c.context } };
          }
        }
      }
    }
    yield* this.ignored;
  }

  /**
   * Applies writes and deletes, all or nothing, with OpenFGA's rules, and returns the new store
   * (this one is unchanged). Writes are validated against the model like OpenFGA's Write.
   *
   * @throws {GatehouseError} `invalid_tuple` / `validation_error` for a tuple the model rejects
   *   (unless `options.invalid` is `skip`: then it is kept aside in {@link TupleStore.ignored}),
   *   `cannot_allow_duplicate_tuples_in_one_request` when a tuple appears twice,
   *   `write_failed_due_to_invalid_input` for a write of an existing tuple or a delete of a missing
   *   one (unless `options` say to ignore those).
   */
  write(change: TupleWrite, options: TupleWriteOptions = {}): TupleStore {
    const writes = change.writes ?? [];
    const deletes = change.deletes ?? [];
    const seen = new Set<string>();
    for (const t of [...writes, ...deletes]) {
      if (t === null || typeof t !== 'object' || typeof t.object !== 'string' || typeof t.relation !== 'string' || typeof t.user !== 'string') {
        throw new GatehouseError('invalid_tuple', `invalid tuple '${t && typeof t === 'object' ? tupleToString(t) : String(t)}': user, relation and object must be strings`);
      }
      const key = tupleToString(t);
      if (seen.has(key)) {
        throw new GatehouseError('cannot_allow_duplicate_tuples_in_one_request', `duplicate tuple in write: user: '${t.user}', relation: '${t.relation}', object: '${t.object}'`);
      }
      seen.add(key);
    }
    const adds: ResolvedTuple[] = [];
    const setAside: TupleKey[] = [];
    for (const t of writes) {
      let resolved: ResolvedTuple | undefined;
      try {
        resolved = resolveTuple(this.compiled, t, this.validateContext);
        // OpenFGA's validateNotImplicit: `team:1#member` is a member of `team:1` without a tuple.
        if (t.user === `${t.object}#${t.relation}`) {
          throw new GatehouseError('validation_error', `invalid tuple '${tupleToString(t)}': cannot write a tuple that is implicit`);
        }
      } catch (error) {
        const rejected = isGatehouseError(error) && (error.code === 'invalid_tuple' || error.code === 'validation_error');
        if (!rejected || options.invalid !== 'skip') throw error;
      }
      if (this.has(t)) {
        if (options.onDuplicate === 'ignore') continue;
        throw new GatehouseError('write_failed_due_to_invalid_input', `cannot write a tuple which already exists: '${tupleToString(t)}'`);
      }
      if (resolved) adds.push(resolved);
      else setAside.push(t);
    }
    const removals: Located[] = [];
    let ignored = this.ignored;
    const dropped = new Set<string>();
    for (const t of deletes) {
      const at = this.locate(t);
      if (at && this.fwd[this.compiled.slots[at.slot]!.objectType]!.indexOf(at.obj, at.slot, at.user) >= 0) {
        removals.push(at);
        continue;
      }
      const key = tupleToString(t);
      if (this.ignored.length > 0 && this.ignoredKeySet().has(key)) {
        dropped.add(key);
        continue;
      }
      if (options.onMissing === 'ignore') continue;
      throw new GatehouseError('write_failed_due_to_invalid_input', `cannot delete a tuple which does not exist: '${key}'`);
    }
    if (dropped.size > 0) ignored = ignored.filter((x) => !dropped.has(tupleToString(x)));
    if (setAside.length > 0) ignored = [...ignored, ...setAside];
    const namedOnly = new Map<string, number>();
    const toAdd = adds.map((t) => ({
      slot: t.slot,
      obj: this.entities[t.objectType]!.intern(t.object),
      user: t.userKind === SLOT_WILDCARD ? WILDCARD_USER : this.entities[t.userType]!.intern(t.userObject),
      cond: t.condition ? internCondition(this.conditions, namedOnly, t.condition.name, t.condition.context) : 0,
    }));
    return this.applyChanges(toAdd, removals, null, ignored, this.size + toAdd.length - removals.length);
  }

  /**
   * A request-local view with `tuples` overlaid (OpenFGA's contextual tuples), validated like
   * writes. Nothing is copied but the touched keys; new ids and conditions stay in the view.
   *
   * @throws {GatehouseError} `invalid_tuple` or `validation_error` for a tuple the model rejects.
   * @internal
   */
  withContextualTuples(tuples: readonly TupleKey[]): TupleStore {
    if (tuples.length === 0) return this;
    const resolved = tuples.map((t) => resolveTuple(this.compiled, t, this.validateContext));
    const parent = this.local;
    const local: LocalOverlay = {
      maps: this.entities.map((_, i) => new Map(parent?.maps[i] ?? [])),
      names: this.entities.map((_, i) => [...(parent?.names[i] ?? [])]),
      bases: this.entities.map((e, i) => parent?.bases[i] ?? e.size),
      condBase: parent?.condBase ?? this.conditions.length,
      conds: [...(parent?.conds ?? [])],
    };
    const idOf = (type: number, name: string): number => {
      const id = this.entities[type]!.get(name);
      if (id >= 0) return id;
      const m = local.maps[type]!;
      let v = m.get(name);
      if (v === undefined) {
        v = local.bases[type]! + local.names[type]!.length;
        m.set(name, v);
        local.names[type]!.push(name);
      }
      return v;
    };
    const toAdd = resolved.map((t) => {
      let cond = 0;
      if (t.condition) {
        cond = local.condBase + local.conds.length;
        local.conds.push({ name: t.condition.name, context: t.condition.context });
      }
      return {
        slot: t.slot,
        obj: idOf(t.objectType, t.object),
        user: t.userKind === SLOT_WILDCARD ? WILDCARD_USER : idOf(t.userType, t.userObject),
        cond,
      };
    });
    return this.applyChanges(toAdd, [], local, this.ignored, this.size + toAdd.length);
  }

  /**
   * The same tuples indexed for another model (ignored ones included): those the new model does
   * not allow are set aside in {@link TupleStore.ignored}.
   */
  withModel(compiled: CompiledModel): TupleStore {
    return TupleStore.build(compiled, this.tuples(), { invalid: 'skip' });
  }

  private applyChanges(
    adds: readonly { slot: number; obj: number; user: number; cond: number }[],
    removals: readonly Located[],
    local: LocalOverlay | null,
    ignored: readonly TupleKey[],
    size: number,
  ): TupleStore {
    const fwdChanges = new Map<number, Map<number, KeyChange>>();
    const revChanges = new Map<number, Map<number, KeyChange>>();
    const changeOf = (all: Map<number, Map<number, KeyChange>>, group: number, key: number): KeyChange => {
      let byGroup = all.get(group);
      if (!byGroup) all.set(group, (byGroup = new Map()));
      let c = byGroup.get(key);
      if (!c) byGroup.set(key, (c = { add: [], remove: [] }));
      return c;
    };
    const typeOfSlot = (slot: number): number => this.compiled.slots[slot]!.objectType;
    for (const r of removals) {
      changeOf(fwdChanges, typeOfSlot(r.slot), r.obj).remove.push([r.user, r.slot]);
      changeOf(revChanges, r.slot, r.user).remove.push([r.obj, 0]);
    }
    for (const a of adds) {
      changeOf(fwdChanges, typeOfSlot(a.slot), a.obj).add.push([a.user, a.slot, a.cond]);
      changeOf(revChanges, a.slot, a.user).add.push([a.obj, 0, a.cond]);
    }
    const bound = (type: number): number => this.entities[type]!.size + (local ? local.names[type]!.length : 0);
    const fwd = [...this.fwd];
    const rev = [...this.rev];
    for (const [type, changes] of fwdChanges) fwd[type] = fwd[type]!.withChanges(changes, bound(type));
    for (const [slot, changes] of revChanges) {
      const s = this.compiled.slots[slot]!;
      rev[slot] = rev[slot]!.withChanges(changes, s.kind === SLOT_WILDCARD ? 1 : bound(s.userType));
    }
    return new TupleStore(this.compiled, this.entities, fwd, rev, this.conditions, size, ignored, local ?? this.local, this.validateContext);
  }

  /** Where `t` would live, ignoring its condition; undefined when the model has no place for it. */
  private locate(t: TupleKey): Located | undefined {
    if (t === null || typeof t !== 'object') return undefined;
    const o = tryParseObject(t.object);
    const u = tryParseUser(t.user);
    if (!o || !u) return undefined;
    const objectType = this.compiled.typeIds.get(o.type);
    const userType = this.compiled.typeIds.get(u.type);
    if (objectType === undefined || userType === undefined) return undefined;
    const rel = this.compiled.relationId(objectType, t.relation);
    if (rel < 0) return undefined;
    const r = this.compiled.relations[rel]!;
    let slot: number;
    let user = WILDCARD_USER;
    if (u.kind === 'object') {
      slot = r.objectSlotByType[userType]!;
      user = this.entityId(userType, t.user);
    } else if (u.kind === 'wildcard') {
      slot = r.wildcardSlotByType[userType]!;
    } else {
      slot = r.usersetSlotByRel.get(this.compiled.relationId(userType, u.relation)) ?? -1;
      user = this.entityId(userType, `${u.type}:${u.id}`);
    }
    const obj = this.entityId(objectType, t.object);
    if (slot < 0 || obj < 0 || user < 0) return undefined;
    return { slot, obj, user };
  }
}

/**
 * Builds an indexed {@link TupleStore} for `compiled` from `tuples` (any iterable, so a large
 * snapshot can be streamed). Each tuple is validated against the model with OpenFGA's rules.
 *
 * @param options.invalid `throw` (default) or `skip` tuples the model does not allow.
 * @throws {GatehouseError} `invalid_tuple` / `validation_error` for a rejected tuple (unless skipped).
 * @example
 * const store = createTupleStore(compiled, [{ user: 'user:anne', relation: 'viewer', object: 'doc:1' }]);
 */
export function createTupleStore(compiled: CompiledModel, tuples: Iterable<TupleKey> = [], options: TupleStoreOptions = {}): TupleStore {
  return TupleStore.build(compiled, tuples, options);
}

const EMPTY_I32 = new Int32Array(0);
// Tuples per load batch (see `TupleStore.build`).
const LOAD_BATCH = 256;
// Where the load's probing reads end up, so they are not optimised away.
let probeSink = 0;

function defaultContextValidator(compiled: CompiledModel): ConditionContextValidator {
  if (compiled.conditionNames.size === 0) return () => undefined;
  const set = conditionSetOf(compiled);
  return (name, context) => set.checkTupleContext(name, context);
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

function internCondition(table: StoredCondition[], namedOnly: Map<string, number>, name: string, context: ConditionContext | undefined): number {
  const empty = context === undefined || context === null || Object.keys(context).length === 0;
  if (empty) {
    // Context-free conditions are shared: one entry per name and load.
    const existing = namedOnly.get(name);
    if (existing !== undefined) return existing;
    const ref = table.length;
    table.push({ name, context: undefined });
    namedOnly.set(name, ref);
    return ref;
  }
  table.push({ name, context });
  return table.length - 1;
}
