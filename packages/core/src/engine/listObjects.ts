import { GatehouseError, toGatehouseError } from '../errors/index';
import { REACH_EXACT, REWRITE_COMPUTED } from '../model/compile';
import { ERROR, FALSE, TRUE, USER_OBJECT, USER_USERSET, USER_WILDCARD } from './Checker';
import { decodeContinuation, encodeContinuation, queryDigest } from './continuation';
import type { EvaluatorInternals } from './Evaluator';
import { checkContext, parseUserRef, relationOf, RequestIds } from './parse';
import { VisitSet } from './VisitSet';
import type { ListObjectsRequest, ListObjectsResult } from './types';

/**
 * listObjects: reverse expansion from the user over the reverse indexes, then a check for the
 * objects reached through an intersection or an exclusion (the only places where reaching an
 * object does not prove membership).
 *
 * The expansion walks `(relation, object)` memberships breadth first, each at most once per
 * mode: seeds are the user's own tuples (and wildcard tuples of its type); a membership of
 * relation X feeds every relation that depends on X: computed usersets on the same object,
 * tuple-to-usersets through the reverse tupleset index, and userset tuples (`X` as `type#rel`).
 * Only relations from which the target is reachable in the type graph are visited. As in
 * OpenFGA, a condition that cannot be evaluated on the way fails the whole request.
 */
export function listObjects(ev: EvaluatorInternals, request: ListObjectsRequest): ListObjectsResult {
  if (request === null || typeof request !== 'object') throw new GatehouseError('validation_error', 'invalid listObjects request: expected an object');
  const { compiled } = ev;
  // OpenFGA's order: contextual tuples, then the type and relation, then the user.
  const store = ev.view(request.contextualTuples);
  const type = typeof request.type === 'string' ? compiled.typeIds.get(request.type) : undefined;
  if (type === undefined) throw new GatehouseError('type_not_found', `type '${String(request.type)}' not found`);
  const rel = relationOf(compiled, type, request.relation);
  let user;
  try {
    user = parseUserRef(compiled, request.user);
  } catch (error) {
    const cause = toGatehouseError(error);
    throw new GatehouseError('validation_error', `invalid 'user' value: ${cause.message}`, { cause });
  }
  const context = checkContext(request.context);
  const { limit, continuationToken } = request;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    throw new GatehouseError('validation_error', `invalid limit '${String(limit)}': expected a positive integer`);
  }
  const digest = queryDigest([request.user, request.relation, request.type]);
  const after = continuationToken === undefined ? undefined : decodeContinuation(continuationToken, digest).after;

  const rels = compiled.relations;
  const nTypes = compiled.types.length;
  const targetReach = rels[rel]!.reach;
  const relevant = (r: number): boolean => targetReach[2 * nTypes + r] === 1;
  const ids = new RequestIds();
  const userId = user.kind === USER_WILDCARD ? 0 : ids.id(store, user.type, user.object);

  const checker = ev.acquire();
  try {
    checker.begin(store, user.kind, user.type, userId, user.rel, context);
    const visited: (VisitSet | undefined)[] = new Array(rels.length);
    const qRel: number[] = [];
    const qObj: number[] = [];
    const qMode: number[] = [];
    const qDepth: number[] = [];
    let error: GatehouseError | null = null;
    const push = (r: number, o: number, mode: number, depth: number): void => {
      qRel.push(r);
      qObj.push(o);
      qMode.push(mode);
      qDepth.push(depth);
    };
    // Pushes every object `rev[slot]` maps `key` to whose tuple's condition holds.
    const expand = (slot: number, key: number, r: number, mode: number, depth: number): void => {
      if (key < 0) return;
      if (depth >= ev.maxDepth) {
        error ??= new GatehouseError(
          'authorization_model_resolution_too_complex',
          `authorization model resolution required more than ${ev.maxDepth} levels (check the model for infinite recursion or too much nesting)`,
        );
        return;
      }
      const idx = store.rev[slot]!;
      const n = idx.find(key);
      if (n === 0) return;
      const arr = idx.arr;
      const carr = idx.carr;
      const lo = idx.lo;
      for (let i = lo; i < lo + n; i++) {
        const o = arr[i]!;
        if (carr !== null && carr[i] !== 0) {
          const c = checker.evalCondition(carr[i]!, slot, o, key);
          if (c === ERROR) {
            error ??= checker.error;
            continue;
          }
          if (c === FALSE) continue;
        }
        push(r, o, mode, depth);
      }
    };

    if (user.kind === USER_USERSET) {
      push(user.rel, userId, REACH_EXACT, 0);
    } else {
      if (user.kind === USER_OBJECT && userId >= 0) {
        for (const seed of compiled.objectSeeds[user.type]!) if (relevant(seed.rel)) expand(seed.slot, userId, seed.rel, seed.mode, 0);
      }
      for (const seed of compiled.wildcardSeeds[user.type]!) if (relevant(seed.rel)) expand(seed.slot, 0, seed.rel, seed.mode, 0);
    }

    for (let head = 0; head < qRel.length; head++) {
      const r = qRel[head]!;
      const o = qObj[head]!;
      const mode = qMode[head]!;
      const depth = qDepth[head]!;
      let seen = visited[r];
      if (seen === undefined) visited[r] = seen = new VisitSet();
      const prev = seen.get(o);
      if (prev >= 0 && prev <= mode) continue;
      seen.set(o, mode);
      for (const dep of rels[r]!.dependents) {
        if (!relevant(dep.rel)) continue;
        const m = dep.mode > mode ? dep.mode : mode;
        if (dep.via === REWRITE_COMPUTED) push(dep.rel, o, m, depth);
        else if (o >= 0) expand(dep.slot, o, dep.rel, m, depth + 1);
      }
    }
    if (error !== null) throw error;

    const objects: string[] = [];
    const found: number[] = [];
    const modes: number[] = [];
    visited[rel]?.forEach((o, mode) => {
      found.push(o);
      modes.push(mode);
    });
    for (let i = 0; i < found.length; i++) {
      const o = found[i]!;
      const mode = modes[i]!;
      if (mode !== REACH_EXACT) {
        // Reached through an intersection or an exclusion: only a check can tell.
        checker.begin(store, user.kind, user.type, userId, user.rel, context);
        const s = checker.resolve(rel, o, 0);
        if (s === ERROR) throw checker.error ?? new GatehouseError('internal', 'check failed without an error');
        if (s !== TRUE) continue;
      }
      objects.push(ids.name(store, type, o));
    }
    if (limit === undefined && after === undefined) return { objects };
    objects.sort();
    let start = 0;
    if (after !== undefined) {
      let lo = 0;
      let hi = objects.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (objects[mid]! <= after) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const end = limit === undefined ? objects.length : Math.min(objects.length, start + limit);
    const page = objects.slice(start, end);
    if (end < objects.length && page.length > 0) {
      return { objects: page, continuationToken: encodeContinuation({ query: digest, after: page[page.length - 1]! }) };
    }
    return { objects: page };
  } finally {
    ev.release(checker);
  }
}

