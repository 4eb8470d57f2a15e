import { GatehouseError } from '../errors/index';
import { SLOT_OBJECT, SLOT_USERSET, SLOT_WILDCARD } from '../model/compile';
import type { CompiledModel } from '../model/compile';
import { isValidRelationName, tryParseObject, tryParseUser } from '../tuples/ids';
import type { RelationshipCondition, TupleKey } from './types';

/** A tuple checked against a compiled model and resolved to the store's integers. */
export interface ResolvedTuple {
  /** Object type id. */
  readonly objectType: number;
  /** The object, `type:id`. */
  readonly object: string;
  /** Relation id. */
  readonly rel: number;
  /** The direct slot (sub-index) the tuple belongs to. */
  readonly slot: number;
  /** User type id. */
  readonly userType: number;
  /** `SLOT_OBJECT`, `SLOT_WILDCARD` or `SLOT_USERSET`. */
  readonly userKind: number;
  /** The user's object (`type:id`; for a userset, the part before `#`); `''` for a wildcard. */
  readonly userObject: string;
  /** The tuple's condition, if any. */
  readonly condition: RelationshipCondition | undefined;
}

/**
 * Checks a context's values against the declared parameters of a condition: returns a problem
 * description, or undefined when the context is acceptable.
 */
export type ConditionContextValidator = (conditionName: string, context: Readonly<Record<string, unknown>>) => string | undefined;

/** Renders a tuple as OpenFGA does in messages: `object#relation@user`. */
export function tupleToString(t: { readonly object: unknown; readonly relation: unknown; readonly user: unknown }): string {
  return `${String(t.object)}#${String(t.relation)}@${String(t.user)}`;
}

function invalidTuple(tk: TupleKey, reason: string): GatehouseError {
  return new GatehouseError('invalid_tuple', `invalid tuple '${tupleToString(tk)}': ${reason}`);
}

/**
 * Validates `tk` as OpenFGA validates a write or a contextual tuple (`ValidateTupleForWrite`) and
 * resolves it to its slot. Problems with the user, object or relation, tupleset restrictions and
 * type restrictions raise `invalid_tuple` (OpenFGA 2027); condition problems raise
 * `validation_error` (OpenFGA 2000), as OpenFGA's conditional-tuple errors do.
 *
 * @throws {GatehouseError} `invalid_tuple` or `validation_error`, naming the tuple and the problem.
 */
export function resolveTuple(compiled: CompiledModel, tk: TupleKey, validateContext?: ConditionContextValidator): ResolvedTuple {
  if (tk === null || typeof tk !== 'object') {
    throw new GatehouseError('invalid_tuple', `invalid tuple: expected an object with user, relation and object, got ${tk === null ? 'null' : typeof tk}`);
  }
  const { user, relation, object } = tk;
  if (typeof user !== 'string' || typeof relation !== 'string' || typeof object !== 'string') {
    throw invalidTuple(tk, 'user, relation and object must be strings');
  }
  // The user (OpenFGA ValidateUser).
  const u = tryParseUser(user);
  if (!u) throw invalidTuple(tk, `invalid user '${user}'`);
  const userType = compiled.typeIds.get(u.type);
  if (userType === undefined) throw invalidTuple(tk, `type '${u.type}' not found`);
  let usersetRel = -1;
  if (u.kind === 'userset') {
    usersetRel = compiled.relationId(userType, u.relation);
    if (usersetRel < 0) throw invalidTuple(tk, `relation '${u.type}#${u.relation}' not found`);
  }
  // The object (ValidateObject).
  const o = tryParseObject(object);
  if (!o) throw invalidTuple(tk, `invalid object '${object}'`);
  if (o.id === '*') throw invalidTuple(tk, `the object cannot be a wildcard`);
  const objectType = compiled.typeIds.get(o.type);
  if (objectType === undefined) throw invalidTuple(tk, `type '${o.type}' not found`);
  // The relation (ValidateRelation).
  if (!isValidRelationName(relation)) throw invalidTuple(tk, `invalid relation '${relation}'`);
  const rel = compiled.relationId(objectType, relation);
  if (rel < 0) throw invalidTuple(tk, `relation '${o.type}#${relation}' not found`);
  const r = compiled.relations[rel]!;
  const userKind = u.kind === 'object' ? SLOT_OBJECT : u.kind === 'wildcard' ? SLOT_WILDCARD : SLOT_USERSET;
  // Tupleset restrictions: a tupleset relation holds plain objects only.
  if (r.isTupleset && userKind !== SLOT_OBJECT) {
    throw invalidTuple(
      tk,
      userKind === SLOT_WILDCARD
        ? `unexpected wildcard relationship with tupleset relation '${o.type}#${relation}'`
        : `unexpected user '${user}' with tupleset relation '${o.type}#${relation}'`,
    );
  }
  // Type restrictions.
  let slot = -1;
  if (userKind === SLOT_OBJECT) slot = r.objectSlotByType[userType]!;
  else if (userKind === SLOT_WILDCARD) slot = r.wildcardSlotByType[userType]!;
  else slot = r.usersetSlotByRel.get(usersetRel) ?? -1;
  if (slot < 0) {
    const restriction = userKind === SLOT_OBJECT ? `type '${u.type}'` : userKind === SLOT_WILDCARD ? `the typed wildcard '${user}'` : `'${u.type}#${(u as { relation: string }).relation}'`;
    throw invalidTuple(tk, `${restriction} is not an allowed type restriction for '${o.type}#${relation}'`);
  }
  // Conditions (OpenFGA validateCondition, including its matching rules).
  const condition = tk.condition;
  if (condition === undefined || condition === null) {
    const ok = r.refs.some((ref) => {
      if (ref.condition || ref.type !== u.type) return false;
      if (ref.relation) return u.kind === 'userset' && ref.relation === u.relation;
      if (ref.wildcard) return u.kind === 'wildcard';
      return u.kind !== 'wildcard';
    });
    if (!ok) throw conditionProblem(tk, 'condition is missing');
  } else {
    if (typeof condition !== 'object' || typeof condition.name !== 'string' || condition.name === '') {
      throw conditionProblem(tk, 'the condition must have a name');
    }
    if (!compiled.conditionNames.has(condition.name)) throw conditionProblem(tk, `undefined condition '${condition.name}'`);
    if (!r.refs.some((ref) => ref.type === u.type && ref.condition === condition.name)) {
      throw conditionProblem(tk, `invalid condition '${condition.name}' for type restriction`);
    }
    const ctx = condition.context;
    if (ctx !== undefined && ctx !== null) {
      if (typeof ctx !== 'object' || Array.isArray(ctx)) throw conditionProblem(tk, 'the condition context must be an object');
      const params = compiled.model.conditions?.[condition.name]?.parameters ?? {};
      for (const key of Object.keys(ctx)) {
        if (!Object.prototype.hasOwnProperty.call(params, key)) throw conditionProblem(tk, `found invalid context parameter: ${key}`);
      }
      const problem = validateContext?.(condition.name, ctx);
      if (problem !== undefined) throw conditionProblem(tk, problem);
    }
  }
  return {
    objectType,
    object,
    rel,
    slot,
    userType,
    userKind,
    userObject: u.kind === 'object' ? user : u.kind === 'wildcard' ? '' : user.slice(0, user.indexOf('#')),
    condition: condition ?? undefined,
  };
}

function conditionProblem(tk: TupleKey, reason: string): GatehouseError {
  return new GatehouseError('validation_error', `invalid conditional tuple '${tupleToString(tk)}': ${reason}`);
}
