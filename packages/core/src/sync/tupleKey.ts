import { GatehouseError } from '../errors/index';
import { isValidRelationName, tryParseObject, tryParseUser } from '../tuples/ids';
import type { RelationshipCondition, TupleKey } from '../store/types';
import type { TupleKeyWithoutCondition } from './types';

// OpenFGA's rule for RelationshipCondition.name (openfga/api): 2 to 256 non-space characters.
const CONDITION_NAME = /^[^\s]{2,256}$/;

/** True when `name` may name a tuple's condition. */
export function isValidConditionName(name: string): boolean {
  return CONDITION_NAME.test(name);
}

/**
 * The identity of a tuple as one string: `object#relation@user`. Unambiguous because object ids
 * and types never contain `#` and relation names never contain `@`.
 */
export function tupleKeyId(tuple: TupleKeyWithoutCondition): string {
  return `${tuple.object}#${tuple.relation}@${tuple.user}`;
}

/** True for a plain JSON-style object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks one tuple given through an API (not a bundle row): object, relation and user follow
 * OpenFGA's id rules and a condition, if any, has a valid name and an object context. `where`
 * prefixes the message (`writes[3]`).
 *
 * @throws {GatehouseError} `invalid_object_format`, `invalid_user` or `invalid_tuple`.
 */
export function assertTupleKey(value: unknown, where: string, allowCondition = true): asserts value is TupleKey {
  if (!isPlainObject(value)) {
    throw new GatehouseError('invalid_tuple', `${where}: expected a tuple { user, relation, object }, got ${describe(value)}`);
  }
  const { user, relation, object, condition } = value;
  if (typeof object !== 'string' || !tryParseObject(object)) {
    throw new GatehouseError(
      'invalid_object_format',
      `${where}: invalid object ${JSON.stringify(object)} (expected 'type:id'; ids allow letters, digits and _ | * @ . + / -, not starting with *)`,
    );
  }
  if (typeof relation !== 'string' || !isValidRelationName(relation)) {
    throw new GatehouseError('invalid_tuple', `${where}: invalid relation ${JSON.stringify(relation)} on ${object}`);
  }
  if (typeof user !== 'string' || !tryParseUser(user)) {
    throw new GatehouseError(
      'invalid_user',
      `${where}: invalid user ${JSON.stringify(user)} (expected 'type:id', 'type:*' or 'type:id#relation')`,
    );
  }
  if (condition === undefined) return;
  if (!allowCondition) {
    throw new GatehouseError('invalid_tuple', `${where}: a delete names a tuple by object, relation and user; it takes no condition`);
  }
  assertCondition(condition, where);
}

function assertCondition(condition: unknown, where: string): asserts condition is RelationshipCondition {
  if (!isPlainObject(condition) || typeof condition.name !== 'string' || !isValidConditionName(condition.name)) {
    const name = isPlainObject(condition) ? condition.name : condition;
    throw new GatehouseError('invalid_tuple', `${where}: invalid condition name ${JSON.stringify(name)}`);
  }
  if (condition.context !== undefined && !isPlainObject(condition.context)) {
    throw new GatehouseError('invalid_tuple', `${where}: the context of condition '${condition.name}' must be an object`);
  }
}

/** A tuple reduced to its identity (drops the condition and any extra fields). */
export function withoutCondition(tuple: TupleKeyWithoutCondition): TupleKeyWithoutCondition {
  return { user: tuple.user, relation: tuple.relation, object: tuple.object };
}

/** A copy of a tuple holding only the fields a {@link TupleKey} defines. */
export function cleanTupleKey(tuple: TupleKey): TupleKey {
  if (!tuple.condition) return withoutCondition(tuple);
  const condition: RelationshipCondition =
    tuple.condition.context === undefined
      ? { name: tuple.condition.name }
      : { name: tuple.condition.name, context: tuple.condition.context };
  return { user: tuple.user, relation: tuple.relation, object: tuple.object, condition };
}

/** True when two conditions (or their absence) are the same. */
export function sameCondition(a: RelationshipCondition | undefined, b: RelationshipCondition | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.name !== b.name) return false;
  return JSON.stringify(a.context ?? {}) === JSON.stringify(b.context ?? {});
}

/** A short description of a value's kind for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
