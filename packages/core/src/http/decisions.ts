import type { Authorizer } from '../authorizer/index';
import type { CheckRequest } from '../engine/index';
import { GatehouseError } from '../errors/index';
import type { ConditionContext as TupleConditionContext, TupleKey } from '../store/index';

// A page that renders in the browser needs a handful of answers ("may this user edit artist a1?"),
// not the policy. The server computes exactly those for the signed-in user and sends the answers;
// the tuples, the model and other users' grants never leave it.

/** One check the client may ask about: may the current user have `relation` on `object`? */
export interface DecisionCheck {
  /** The relation, e.g. `editor`. */
  readonly relation: string;
  /** The object, `type:id`. */
  readonly object: string;
}

/** One listObjects query the client may ask about: every `type` object the user has `relation` on. */
export interface DecisionList {
  /** The relation, e.g. `viewer`. */
  readonly relation: string;
  /** The object type to list, e.g. `artist`. */
  readonly type: string;
}

/** The decisions to compute for one user: checks and object lists. */
export interface DecisionQuery {
  /** Checks to answer; duplicates are answered once. */
  readonly checks?: readonly DecisionCheck[];
  /** Object lists to compute; duplicates are computed once. */
  readonly lists?: readonly DecisionList[];
}

/**
 * What the server sends the browser: only this user's answers to the asked questions, never
 * tuples. Plain JSON (strings, booleans, arrays), so it crosses the server/client boundary as is.
 */
export interface DecisionSet {
  /** The user the decisions are for; `null` when anonymous (every check false, every list empty). */
  readonly user: string | null;
  /** The snapshot revision the decisions were computed at; `''` when no snapshot was available. */
  readonly revision: string;
  /** The model id of that snapshot; `''` when no snapshot was available. */
  readonly modelId: string;
  /** Check answers keyed by `decisionKey(relation, object)`. */
  readonly checks: Readonly<Record<string, boolean>>;
  /** Object lists (`type:id` strings, sorted) keyed by `listKey(relation, type)`. */
  readonly lists: Readonly<Record<string, readonly string[]>>;
}

/** Options of {@link computeDecisions}. */
export interface ComputeDecisionsOptions {
  /** Condition context for every check and list (request time, ip, ...). */
  readonly context?: TupleConditionContext;
  /** Tuples that hold for this computation only. */
  readonly contextualTuples?: readonly TupleKey[];
  /** The most checks a query may ask (before duplicates are removed). Default {@link DEFAULT_MAX_CHECKS}. */
  readonly maxChecks?: number;
  /** The most object lists a query may ask (before duplicates are removed). Default {@link DEFAULT_MAX_LISTS}. */
  readonly maxLists?: number;
}

/**
 * The default `maxChecks` of {@link computeDecisions}: a page's worth of buttons and rows. A query
 * may come from the browser (a refresh server action takes its arguments from the client), so its
 * size is bounded before any evaluation.
 */
export const DEFAULT_MAX_CHECKS = 1_000;

/** The default `maxLists` of {@link computeDecisions}: each list is a `listObjects`, far dearer than a check. */
export const DEFAULT_MAX_LISTS = 50;

/**
 * The key of a check in {@link DecisionSet.checks}: `object#relation`, as OpenFGA writes a userset
 * (`artist:a1#editor`). Valid object ids and relation names never contain `#`, so keys of valid
 * checks cannot collide.
 *
 * @example decisionKey('editor', 'artist:a1') // 'artist:a1#editor'
 */
export function decisionKey(relation: string, object: string): string {
  return `${object}#${relation}`;
}

/**
 * The key of an object list in {@link DecisionSet.lists}: `type#relation`.
 *
 * @example listKey('viewer', 'artist') // 'artist#viewer'
 */
export function listKey(relation: string, type: string): string {
  return `${type}#${relation}`;
}

/**
 * Computes the answers to `query` for `user` from the authorizer's current snapshot, in one
 * synchronous pass (so every answer comes from the same snapshot). Fails closed and never throws
 * for an answer: a malformed user, object or relation, a failed evaluation (missing condition
 * context, no snapshot yet, stale snapshot) is recorded as `false` (or an empty list). An anonymous
 * user (`undefined` or `''`) or a missing authorizer gets every check `false` and every list empty.
 * The authorizer reports failed evaluations through its `error` event. Only a query that is not
 * one, or that asks more than `maxChecks` checks or `maxLists` lists, is refused, before anything
 * is evaluated.
 *
 * @throws {GatehouseError} `validation_error`: `query` is not an object, `checks` or `lists` is not
 *   an array, either is longer than its limit, or a limit is not a non-negative integer.
 * @param authorizer - the authorizer to ask, or `undefined` when none could be obtained.
 * @param user - the user string (`user:ada`), or `undefined` for an anonymous request.
 * @param query - the checks and lists the client will ask about.
 * @param options - condition context and contextual tuples for every question.
 * @example
 * const decisions = computeDecisions(authorizer, 'user:ada', {
 *   checks: [{ relation: 'editor', object: 'artist:a1' }],
 *   lists: [{ relation: 'viewer', type: 'artist' }],
 * });
 * decisions.checks[decisionKey('editor', 'artist:a1')]; // true or false
 * @see docs/integrations/nextjs.md
 */
export function computeDecisions(
  authorizer: Authorizer | undefined,
  user: string | undefined,
  query: DecisionQuery,
  options: ComputeDecisionsOptions = {},
): DecisionSet {
  const asked = sizedQuery(query, options);
  const checks = uniqueChecks(asked.checks);
  const lists = uniqueLists(asked.lists);
  const checkAnswers: Record<string, boolean> = Object.create(null) as Record<string, boolean>;
  const listAnswers: Record<string, readonly string[]> = Object.create(null) as Record<string, readonly string[]>;
  for (const key of checks.keys()) checkAnswers[key] = false;
  for (const key of lists.keys()) listAnswers[key] = [];
  // Read once: every call below is synchronous, so no snapshot swap can happen in between.
  const revision = authorizer?.revision ?? '';
  const modelId = authorizer?.modelId ?? '';
  const anonymous = user === undefined || user === '';
  if (!anonymous && authorizer !== undefined) {
    const extra = {
      ...(options.context === undefined ? {} : { context: options.context }),
      ...(options.contextualTuples === undefined ? {} : { contextualTuples: options.contextualTuples }),
    };
    answerChecks(authorizer, user, checks, extra, checkAnswers);
    for (const [key, list] of lists) {
      try {
        listAnswers[key] = [...authorizer.listObjects({ user, relation: list.relation, type: list.type, ...extra }).objects].sort();
      } catch {
        // Fail closed: a list that cannot be computed is empty.
      }
    }
  }
  return { user: anonymous ? null : user, revision, modelId, checks: { ...checkAnswers }, lists: { ...listAnswers } };
}

function answerChecks(
  authorizer: Authorizer,
  user: string,
  checks: ReadonlyMap<string, DecisionCheck>,
  extra: Pick<CheckRequest, 'context' | 'contextualTuples'>,
  into: Record<string, boolean>,
): void {
  if (checks.size === 0) return;
  const keys = [...checks.keys()];
  const requests: CheckRequest[] = [...checks.values()].map((c) => ({ user, relation: c.relation, object: c.object, ...extra }));
  try {
    // One batch: shared work, and one error item per failing check while the others are answered.
    const { results } = authorizer.batchCheck(requests);
    results.forEach((item, i) => {
      into[keys[i] as string] = item.allowed === true;
    });
  } catch {
    // The whole batch failed (no snapshot, stale): every check stays false.
  }
}

/** The query's checks and lists, refused when they are not arrays or exceed their limits. */
function sizedQuery(query: DecisionQuery, options: ComputeDecisionsOptions): { checks: readonly DecisionCheck[]; lists: readonly DecisionList[] } {
  // Checked at run time: a query may be JSON from the browser, whatever its static type says.
  if (!isRecord(query as unknown)) throw new GatehouseError('validation_error', 'computeDecisions: query must be an object with checks and/or lists');
  return {
    checks: sized(query.checks, 'checks', limitOf(options.maxChecks, 'maxChecks', DEFAULT_MAX_CHECKS)),
    lists: sized(query.lists, 'lists', limitOf(options.maxLists, 'maxLists', DEFAULT_MAX_LISTS)),
  };
}

function limitOf(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= 0) && value !== Number.POSITIVE_INFINITY) {
    throw new GatehouseError('validation_error', `computeDecisions: ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function sized<T>(entries: readonly T[] | undefined, part: 'checks' | 'lists', limit: number): readonly T[] {
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new GatehouseError('validation_error', `computeDecisions: query.${part} must be an array`);
  if (entries.length > limit) {
    const name = part === 'checks' ? 'maxChecks' : 'maxLists';
    throw new GatehouseError('validation_error', `computeDecisions: query.${part} asks ${entries.length} ${part}, more than ${name} (${limit})`);
  }
  return entries;
}

function uniqueChecks(checks: readonly DecisionCheck[]): Map<string, DecisionCheck> {
  const unique = new Map<string, DecisionCheck>();
  for (const check of checks) {
    if (!isRecord(check) || typeof check.relation !== 'string' || typeof check.object !== 'string') continue;
    unique.set(decisionKey(check.relation, check.object), check);
  }
  return unique;
}

function uniqueLists(lists: readonly DecisionList[]): Map<string, DecisionList> {
  const unique = new Map<string, DecisionList>();
  for (const list of lists) {
    if (!isRecord(list) || typeof list.relation !== 'string' || typeof list.type !== 'string') continue;
    unique.set(listKey(list.relation, list.type), list);
  }
  return unique;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
