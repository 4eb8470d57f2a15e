import { SLOT_OBJECT, SLOT_USERSET, SLOT_WILDCARD } from '../model/compile';
import type { CompiledModel, CompiledRelation } from '../model/compile';
import type { EntityTable } from './EntityTable';

const STAR = 42;

/**
 * Resolves the common tuple (no condition, well-formed, allowed by the model) to its slot and
 * interned ids without allocating: the bulk loader runs it on every tuple and falls back to the
 * full validator (which also produces the error message) whenever it answers false. Ids are only
 * checked against OpenFGA's id rule the first time they are seen (by {@link EntityTable.add}).
 */
export class FastResolver {
  /** The resolved slot. */
  slot = -1;
  /** The resolved object id. */
  obj = -1;
  /** The resolved user id (0 for a wildcard). */
  user = -1;
  private readonly typeIds: ReadonlyMap<string, number>;
  private readonly relations: readonly CompiledRelation[];
  private readonly relIds: readonly ReadonlyMap<string, number>[];
  private readonly unconditionedOk: Uint8Array;
  private readonly entities: readonly EntityTable[];
  private lastType = '';
  private lastTypeId = -1;
  private prevType = '';
  private prevTypeId = -1;

  constructor(compiled: CompiledModel, entities: readonly EntityTable[]) {
    this.typeIds = compiled.typeIds;
    this.relations = compiled.relations;
    this.relIds = compiled.types.map((t) => t.relations);
    this.entities = entities;
    // OpenFGA accepts a tuple without a condition when some type restriction without one matches
    // it (its own matching rule, reproduced from validateCondition).
    this.unconditionedOk = new Uint8Array(compiled.slots.length);
    for (const s of compiled.slots) {
      const r = compiled.relations[s.rel]!;
      const typeName = compiled.types[s.userType]!.name;
      const relName = s.kind === SLOT_USERSET ? compiled.relations[s.usersetRel]!.name : '';
      const ok = r.refs.some((ref) => {
        if (ref.condition || ref.type !== typeName) return false;
        if (ref.relation) return s.kind === SLOT_USERSET && ref.relation === relName;
        if (ref.wildcard) return s.kind === SLOT_WILDCARD;
        return s.kind !== SLOT_WILDCARD;
      });
      this.unconditionedOk[s.id] = ok ? 1 : 0;
    }
  }

  // Two remembered types, so alternating user and object types both hit.
  private typeOf(s: string, colon: number): number {
    const last = this.lastType;
    if (colon === last.length && s.startsWith(last)) return this.lastTypeId;
    const prev = this.prevType;
    if (colon === prev.length && s.startsWith(prev)) return this.prevTypeId;
    const id = this.typeIds.get(s.slice(0, colon));
    if (id === undefined) return -1;
    this.prevType = this.lastType;
    this.prevTypeId = this.lastTypeId;
    this.lastType = s.slice(0, colon);
    this.lastTypeId = id;
    return id;
  }

  /**
   * Resolves an unconditioned tuple, interning its ids when `intern` is set (else only known ids
   * resolve). False means "take the slow path".
   */
  resolve(object: unknown, relation: unknown, user: unknown, intern: boolean): boolean {
    if (typeof object !== 'string' || typeof relation !== 'string' || typeof user !== 'string') return false;
    const oc = object.indexOf(':');
    if (oc <= 0) return false;
    const ot = this.typeOf(object, oc);
    if (ot < 0) return false;
    const rel = this.relIds[ot]!.get(relation);
    if (rel === undefined) return false;
    const r = this.relations[rel]!;
    const uc = user.indexOf(':');
    if (uc <= 0) return false;
    const hash = user.indexOf('#', uc + 1);
    const ut = this.typeOf(user, uc);
    if (ut < 0) return false;
    let slot: number;
    let kind: number;
    let userEnd = user.length;
    if (hash >= 0) {
      if (r.isTupleset) return false;
      const urel = this.relIds[ut]!.get(user.slice(hash + 1));
      if (urel === undefined) return false;
      slot = r.usersetSlotByRel.get(urel) ?? -1;
      kind = SLOT_USERSET;
      userEnd = hash;
    } else if (user.length === uc + 2 && user.charCodeAt(uc + 1) === STAR) {
      if (r.isTupleset) return false;
      slot = r.wildcardSlotByType[ut]!;
      kind = SLOT_WILDCARD;
    } else {
      slot = r.objectSlotByType[ut]!;
      kind = SLOT_OBJECT;
    }
    if (slot < 0 || this.unconditionedOk[slot] !== 1) return false;
    const objects = this.entities[ot]!;
    const users = this.entities[ut]!;
    let uid = 0;
    if (kind !== SLOT_WILDCARD) {
      uid = users.lookupRange(user, userEnd);
      if (uid < 0) {
        // `add` validates the id as it copies it; an invalid one takes the slow path.
        if (!intern || (uid = users.addRange(user, userEnd)) < 0) return false;
      }
    }
    let obj = objects.lookup(object);
    if (obj < 0 && (!intern || (obj = objects.add(object)) < 0)) return false;
    this.slot = slot;
    this.obj = obj;
    this.user = uid;
    return true;
  }
}

