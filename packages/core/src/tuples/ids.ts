import { GatehouseError } from '../errors/index';

// openfga/language's object-id rule: letters, digits and `_ | * @ . + / -`, never starting with `*`
// (that would read as a wildcard). `-` sits last in the class so it stays a literal, not a range.
const OBJECT_ID = /^[A-Za-z0-9_|@.+/-][A-Za-z0-9_|*@.+/-]*$/;
// OpenFGA's type and relation name rules (openfga/api validation): no `:`, `#`, `@` or whitespace.
const TYPE_NAME = /^[^:#@\s]{1,254}$/;
const RELATION_NAME = /^[^:#@\s]{1,50}$/;

/** True when `id` is a valid object id under OpenFGA's rules (e.g. `doc_1`, `user@example.com`). */
export function isValidObjectId(id: string): boolean {
  return id.length <= 256 && OBJECT_ID.test(id);
}

/** True when `name` is a valid type name (`document`, `acme/doc`). */
export function isValidTypeName(name: string): boolean {
  return TYPE_NAME.test(name);
}

/** True when `name` is a valid relation name (`viewer`). */
export function isValidRelationName(name: string): boolean {
  return RELATION_NAME.test(name);
}

/** An object reference split into its parts: `document:1` → `{ type: 'document', id: '1' }`. */
export interface ObjectRef {
  /** The object's type. */
  readonly type: string;
  /** The object's id. */
  readonly id: string;
}

/**
 * A user reference, in one of OpenFGA's three forms: an object (`user:anne`), a wildcard
 * (`user:*`), or a userset (`group:eng#member`).
 */
export type UserRef =
  | { readonly kind: 'object'; readonly type: string; readonly id: string }
  | { readonly kind: 'wildcard'; readonly type: string }
  | { readonly kind: 'userset'; readonly type: string; readonly id: string; readonly relation: string };

/**
 * Parses `type:id`. Throws `invalid_object_format` naming the offending string and part.
 *
 * @throws {GatehouseError} `invalid_object_format`
 */
export function parseObject(object: string): ObjectRef {
  const ref = tryParseObject(object);
  if (!ref) throw new GatehouseError('invalid_object_format', describeObjectProblem(object));
  return ref;
}

/** Parses `type:id`, returning `undefined` instead of throwing. */
export function tryParseObject(object: string): ObjectRef | undefined {
  if (typeof object !== 'string') return undefined;
  const colon = object.indexOf(':');
  if (colon <= 0) return undefined;
  const type = object.slice(0, colon);
  const id = object.slice(colon + 1);
  if (!isValidTypeName(type) || !isValidObjectId(id)) return undefined;
  return { type, id };
}

/**
 * Parses a user string: `type:id`, `type:*` or `type:id#relation`.
 *
 * @throws {GatehouseError} `invalid_user` naming the offending string and part.
 */
export function parseUser(user: string): UserRef {
  const ref = tryParseUser(user);
  if (!ref) throw new GatehouseError('invalid_user', describeUserProblem(user));
  return ref;
}

/** Parses a user string, returning `undefined` instead of throwing. */
export function tryParseUser(user: string): UserRef | undefined {
  if (typeof user !== 'string') return undefined;
  const hash = user.indexOf('#');
  if (hash >= 0) {
    const relation = user.slice(hash + 1);
    const object = tryParseObject(user.slice(0, hash));
    if (!object || !isValidRelationName(relation)) return undefined;
    return { kind: 'userset', type: object.type, id: object.id, relation };
  }
  const colon = user.indexOf(':');
  if (colon <= 0) return undefined;
  const type = user.slice(0, colon);
  const id = user.slice(colon + 1);
  if (!isValidTypeName(type)) return undefined;
  if (id === '*') return { kind: 'wildcard', type };
  if (!isValidObjectId(id)) return undefined;
  return { kind: 'object', type, id };
}

/** Renders a {@link UserRef} back to its string form. */
export function formatUser(ref: UserRef): string {
  switch (ref.kind) {
    case 'object':
      return `${ref.type}:${ref.id}`;
    case 'wildcard':
      return `${ref.type}:*`;
    case 'userset':
      return `${ref.type}:${ref.id}#${ref.relation}`;
  }
}

function describeObjectProblem(object: unknown): string {
  if (typeof object !== 'string') return `invalid object: expected a 'type:id' string, got ${typeof object}`;
  const colon = object.indexOf(':');
  if (colon < 0) return `invalid object '${object}': expected 'type:id'`;
  if (colon === 0) return `invalid object '${object}': the type is empty`;
  const type = object.slice(0, colon);
  if (!isValidTypeName(type)) return `invalid object '${object}': invalid type '${type}'`;
  return `invalid object '${object}': invalid object id '${object.slice(colon + 1)}' (allowed: letters, digits and _ | * @ . + / -, not starting with *)`;
}

function describeUserProblem(user: unknown): string {
  if (typeof user !== 'string') return `invalid user: expected a string, got ${typeof user}`;
  const hash = user.indexOf('#');
  if (hash >= 0) {
    const relation = user.slice(hash + 1);
    if (!tryParseObject(user.slice(0, hash))) {
      return `invalid user '${user}': ${describeObjectProblem(user.slice(0, hash)).replace(/^invalid object '[^']*': /, '')}`;
    }
    return `invalid user '${user}': invalid relation '${relation}'`;
  }
  return `invalid user '${user}': expected 'type:id', 'type:*' or 'type:id#relation'`;
}
