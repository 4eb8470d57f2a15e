import { TypeCache } from '../model/TypeCache';
import { SLOT_USERSET, SLOT_WILDCARD } from '../model/compile';
import type { CompiledModel, CompiledRelation } from '../model/compile';

const STAR = 42;

/**
 * Resolves the common tuple (no condition, well-formed, allowed by the model) to its slot without
 * allocating: the bulk loader runs it on every tuple and falls back to the full validator (which
 * also produces the error message) whenever it answers false. The loader then looks the ids up
 * itself; they are only checked against OpenFGA's id rule the first time they are seen (by
 * {@link EntityTable.addKey}).
 */
export class FastResolver {
  /** The tuple's slot. */
  slot = -1;
  /** The object's type. */
  objectType = -1;
  /** The user's type, or -1 for a wildcard (which has no id). */
  userType = -1;
  /** Where the user's object ends in the user string (before `#relation` for a userset). */
  userEnd = 0;
  private readonly relations: readonly CompiledRelation[];
  private readonly relIds: readonly ReadonlyMap<string, number>[];
  private readonly unconditionedOk: Uint8Array;
  private readonly types: TypeCache;

  constructor(compiled: CompiledModel) {
    this.types = new TypeCache(compiled.typeIds);
    this.relations = compiled.relations;
    this.relIds = compiled.types.map((t) => t.relations);
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



  /**
   * Checks an unconditioned tuple against the model and finds its slot, leaving in `slot`, the
   * object's type in `objectType`, and for a non-wildcard user its type in `userType` (else -1)
   * and where its object ends in the string in `userEnd`. Looks no id up. False means "take the
   * slow path".
   */
  parse(object: unknown, relation: unknown, user: unknown): boolean {
    if (typeof object !== 'string' || typeof relation !== 'string' || typeof user !== 'string') return false;
    const oc = object.indexOf(':');
    if (oc <= 0) return false;
    const ot = this.types.typeOf(object, oc);
    if (ot < 0) return false;
    const rel = this.relIds[ot]!.get(relation);
    if (rel === undefined) return false;
    const r = this.relations[rel]!;
    const uc = user.indexOf(':');
    if (uc <= 0) return false;
    const hash = user.indexOf('#', uc + 1);
    const ut = this.types.typeOf(user, uc);
    if (ut < 0) return false;
    let slot: number;
    let userType = ut;
    let userEnd = user.length;
    if (hash >= 0) {
      if (r.isTupleset) return false;
      const urel = this.relIds[ut]!.get(user.slice(hash + 1));
      if (urel === undefined) return false;
      slot = r.usersetSlotByRel.get(urel) ?? -1;
      userEnd = hash;
    } else if (user.length === uc + 2 && user.charCodeAt(uc + 1) === STAR) {
      if (r.isTupleset) return false;
      slot = r.wildcardSlotByType[ut]!;
      userType = -1;
    } else {
      slot = r.objectSlotByType[ut]!;
    }
    if (slot < 0 || this.unconditionedOk[slot] !== 1) return false;
    this.slot = slot;
    this.objectType = ot;
    this.userType = userType;
    this.userEnd = userEnd;
    return true;
  }
}

