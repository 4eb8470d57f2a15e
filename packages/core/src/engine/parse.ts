import { GatehouseError } from '../errors/index';
import type { CompiledModel } from '../model/compile';
import type { TupleStore } from '../store/TupleStore';
import type { ConditionContext } from '../store/types';
import { isValidObjectId, isValidRelationName, parseObject, parseUser } from '../tuples/ids';
import { USER_OBJECT, USER_USERSET, USER_WILDCARD } from './Checker';

/** A request's user, checked against the model. */
export interface UserRefParsed {
  /** `USER_OBJECT`, `USER_WILDCARD` or `USER_USERSET`. */
  readonly kind: number;
  /** The user's type id. */
  readonly type: number;
  /** For a userset, its relation (global id); else -1. */
  readonly rel: number;
  /** The user's object, `type:id` (for a userset, the part before `#`); `''` for a wildcard. */
  readonly object: string;
}

/** A request's object, checked against the model. */
export interface ObjectRefParsed {
  /** Type id. */
  readonly type: number;
  /** The object, `type:id`. */
  readonly object: string;
}

/**
 * Parses a request's user with OpenFGA's rules (ValidateUser): syntax, a known type, and for a
 * userset a relation of that type.
 *
 * @throws {GatehouseError} `invalid_user`, `type_not_found` or `relation_not_found`.
 */
export function parseUserRef(compiled: CompiledModel, user: string): UserRefParsed {
  if (typeof user === 'string') {
    // Fast path: well-formed object users of known types skip the general parser.
    const colon = user.indexOf(':');
    if (colon > 0 && user.indexOf('#') < 0) {
      const type = compiled.typeIds.get(user.slice(0, colon));
      if (type !== undefined) {
        if (user.length === colon + 2 && user.charCodeAt(colon + 1) === 42) return { kind: USER_WILDCARD, type, rel: -1, object: '' };
        if (isValidObjectId(user.slice(colon + 1))) return { kind: USER_OBJECT, type, rel: -1, object: user };
      }
    }
  }
  const ref = parseUser(user);
  const type = compiled.typeIds.get(ref.type);
  if (type === undefined) throw new GatehouseError('type_not_found', `type '${ref.type}' not found`);
  if (ref.kind === 'wildcard') return { kind: USER_WILDCARD, type, rel: -1, object: '' };
  if (ref.kind === 'object') return { kind: USER_OBJECT, type, rel: -1, object: user };
  const rel = compiled.relationId(type, ref.relation);
  if (rel < 0) throw new GatehouseError('relation_not_found', `relation '${ref.type}#${ref.relation}' not found`);
  return { kind: USER_USERSET, type, rel, object: `${ref.type}:${ref.id}` };
}

/**
 * Parses a request's object: `type:id` of a known type, not a wildcard.
 *
 * @throws {GatehouseError} `invalid_object_format` or `type_not_found`.
 */
export function parseObjectRef(compiled: CompiledModel, object: string): ObjectRefParsed {
  if (typeof object === 'string') {
    const colon = object.indexOf(':');
    if (colon > 0) {
      const type = compiled.typeIds.get(object.slice(0, colon));
      if (type !== undefined && isValidObjectId(object.slice(colon + 1))) return { type, object };
    }
  }
  const ref = parseObject(object);
  const type = compiled.typeIds.get(ref.type);
  if (type === undefined) throw new GatehouseError('type_not_found', `type '${ref.type}' not found`);
  return { type, object };
}

/**
 * The relation id of `relation` on `type`.
 *
 * @throws {GatehouseError} `relation_not_found`.
 */
export function relationOf(compiled: CompiledModel, type: number, relation: string): number {
  const rel = typeof relation === 'string' ? compiled.relationId(type, relation) : -1;
  if (rel < 0) {
    const typeName = compiled.types[type]!.name;
    if (typeof relation !== 'string' || !isValidRelationName(relation)) {
      throw new GatehouseError('relation_not_found', `invalid relation '${String(relation)}' on type '${typeName}'`);
    }
    throw new GatehouseError('relation_not_found', `relation '${typeName}#${relation}' not found`);
  }
  return rel;
}

/**
 * Numbers for a request's user and object. Known ids come from the store; ids no tuple mentions
 * get request-local negative numbers (distinct per name), which match no tuple.
 */
export class RequestIds {
  private readonly names: string[] = [];
  private readonly types: number[] = [];

  /** The number of `name` of type `type` in `store`, or a request-local negative one. */
  id(store: TupleStore, type: number, name: string): number {
    const id = store.entityId(type, name);
    if (id >= 0) return id;
    for (let i = 0; i < this.names.length; i++) if (this.names[i] === name && this.types[i] === type) return -1 - i;
    this.names.push(name);
    this.types.push(type);
    return -this.names.length;
  }

  /** The name behind a number handed out by {@link RequestIds.id}. */
  name(store: TupleStore, type: number, id: number): string {
    return id >= 0 ? store.entityName(type, id) : this.names[-1 - id]!;
  }
}

/** Validates a request context: undefined, or a plain object. */
export function checkContext(context: unknown): ConditionContext | undefined {
  if (context === undefined || context === null) return undefined;
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new GatehouseError('validation_error', 'the request context must be an object');
  }
  return context as ConditionContext;
}
