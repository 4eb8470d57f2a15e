import type { CheckRequest } from '../engine/types';

// Decision cache keys. A key must be injective: two requests that could be answered differently
// must never share one, or the cache would hand one caller another's answer. Every part is
// therefore length-prefixed or self-delimiting, and anything whose encoding could blur a
// difference the engine sees (a Date, a Map, a class instance, a sparse array) makes the request
// uncacheable instead: it is evaluated every time, which is slower but never wrong.

// Keys past this size are not worth holding (a request with a large context or many contextual tuples).
const MAX_KEY_LENGTH = 8192;
const MAX_DEPTH = 32;

/**
 * The part of every key that names the snapshot. `id` is the authorizer's interned id of the
 * snapshot's (revision, model id): one number per snapshot it ever loads, never reused. It keys
 * exactly as (revision, model id) would, in a few characters, and the key is hashed on every
 * lookup.
 */
export function snapshotKeyPrefix(id: number): string {
  return `${id}|`;
}

/** The cache key of a check at the snapshot `prefix` names, or `undefined` when the request is not cacheable. */
export function checkCacheKey(prefix: string, request: CheckRequest): string | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  const { user, relation, object, context, contextualTuples } = request;
  if (typeof user !== 'string' || typeof relation !== 'string' || typeof object !== 'string') return undefined;
  let key = `${prefix}${user.length}:${user}${relation.length}:${relation}${object.length}:${object}`;
  if (context !== undefined) {
    const c = encode(context, 0);
    if (c === undefined) return undefined;
    key += `c${c}`;
  }
  if (contextualTuples !== undefined) {
    const t = encode(contextualTuples, 0);
    if (t === undefined) return undefined;
    key += `t${t}`;
  }
  return key.length > MAX_KEY_LENGTH ? undefined : key;
}

/**
 * A self-delimiting, injective encoding of JSON-like values; `undefined` for anything else. Object
 * keys are sorted: a context is a map, and the order its keys were written in never matters.
 */
export function encode(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}`;
    case 'number':
      // String() is injective on numbers except that it prints -0 as "0".
      return `d${Object.is(value, -0) ? '-0' : String(value)};`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'bigint':
      return `b${value.toString()};`;
    case 'undefined':
      return 'u';
    case 'object': {
      if (value === null) return 'n';
      if (depth >= MAX_DEPTH) return undefined;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return undefined;
        let out = `a${value.length}:`;
        for (let i = 0; i < value.length; i++) {
          if (!(i in value)) return undefined;
          const item = encode(value[i], depth + 1);
          if (item === undefined) return undefined;
          out += item;
          if (out.length > MAX_KEY_LENGTH) return undefined;
        }
        return out;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return undefined;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = `o${keys.length}:`;
      for (const k of keys) {
        const item = encode(record[k], depth + 1);
        if (item === undefined) return undefined;
        out += `${k.length}:${k}${item}`;
        if (out.length > MAX_KEY_LENGTH) return undefined;
      }
      return out;
    }
    default:
      // Functions and symbols.
      return undefined;
  }
}
