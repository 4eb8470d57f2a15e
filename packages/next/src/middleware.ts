import { NextResponse } from 'next/server';
import type { NextRequest } from 'next/server';
import { match, parse } from 'path-to-regexp';
import type { MatchFunction, Token } from 'path-to-regexp';
import { GatehouseError, toGatehouseError } from '@gatehouse/core';
import type { Authorizer, TupleConditionContext, TupleKey } from '@gatehouse/core';
import { decidePermission, problemResponse } from '@gatehouse/core/http';
import type { ErrorStatus, PermissionDecision, PermissionRequest } from '@gatehouse/core/http';
import { authorizerOf, availability, errorStatusOf, unavailable } from './authorizerOf';

// Edge-safe: this entry imports only next/server, path-to-regexp and @gatehouse/core. No Node
// built-ins and no WASM, so it runs in the Edge runtime (middleware.ts) as well as on Node.js
// (Next.js 16's proxy.ts). A test bundles it for the Edge and fails on either.

/** Path parameters of a matched rule, by name (a wildcard's segments joined with `/`). */
export type RouteParams = Readonly<Record<string, string>>;

/** One guarded route: requests whose path matches `path` need `relation` on the object. */
export interface RouteRule {
  /**
   * A path-to-regexp 8 pattern, matched against the pathname (without `basePath`), case-insensitively,
   * with an optional trailing slash: `/artists/:id/edit`, `/admin{/*rest}`.
   */
  readonly path: string;
  /** The relation to require, e.g. `editor`. */
  readonly relation: string;
  /**
   * The object: a template whose `{name}` placeholders are path parameters (`artist:{id}`), or a
   * function of the parameters and the request. `undefined` from the function answers 400.
   */
  readonly object: string | ((params: RouteParams, request: NextRequest) => string | undefined);
  /**
   * Only these HTTP methods are guarded by this rule (a non-empty list). `GET` also guards `HEAD`,
   * which Next.js answers with the `GET` page or handler. Default: every method.
   */
  readonly methods?: readonly string[];
}

/** What an unauthenticated request gets: a redirect (with `next=<path>` added), or your response. */
export type UnauthenticatedAnswer = { readonly redirect: string } | ((request: NextRequest) => Response | Promise<Response>);

/**
 * What a denied request gets: a rewrite to a page (requested with status 403, but `next start`
 * answers a rewrite with the target page's own status: have that page call `forbidden()`); a
 * redirect; or your response (which receives the decision: `deny`, or `error` when the check failed
 * with status 403).
 */
export type DeniedAnswer =
  | { readonly rewrite: string }
  | { readonly redirect: string }
  | ((request: NextRequest, decision: PermissionDecision) => Response | Promise<Response>);

/** Options of {@link gatehouseMiddleware}. */
export interface GatehouseMiddlewareOptions {
  /**
   * The authorizer, or a function returning one (or a promise of one): create it lazily, once per
   * isolate, over an `HttpBundleSource`, and await its `ready()` there. A function that throws or
   * rejects, or an authorizer with no snapshot yet, answers 503.
   */
  readonly authorizer: Authorizer | ((request: NextRequest) => Authorizer | Promise<Authorizer>);
  /** The guarded routes, tried in order: the first whose path and method match decides. */
  readonly rules: readonly RouteRule[];
  /** The user string (`user:ada`) of the request, or `undefined` when signed out. */
  readonly getUser: (request: NextRequest) => string | undefined | Promise<string | undefined>;
  /** Default: a redirect to `/sign-in?next=<path>`. */
  readonly onUnauthenticated?: UnauthenticatedAnswer;
  /** Default: a 403 `application/problem+json` body. */
  readonly onDenied?: DeniedAnswer;
  /**
   * The status of a failed evaluation (a missing condition parameter, a stale snapshot): `403`
   * (default, answered like a denial) or `503` (a problem body). No snapshot at all is always 503.
   */
  readonly errorStatus?: ErrorStatus;
  /** Condition context for the request, e.g. `{ current_time: new Date().toISOString() }`. */
  readonly context?: (request: NextRequest) => TupleConditionContext | undefined;
  /** Tuples that hold for this request only. */
  readonly contextualTuples?: (request: NextRequest) => readonly TupleKey[] | undefined;
}

interface CompiledRule {
  readonly rule: RouteRule;
  readonly match: MatchFunction<Partial<Record<string, string | string[]>>>;
  readonly object: (params: RouteParams, request: NextRequest) => string | undefined;
  readonly methods: ReadonlySet<string> | undefined;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

function paramNames(tokens: readonly Token[], into: Set<string>): Set<string> {
  for (const token of tokens) {
    if (token.type === 'param' || token.type === 'wildcard') into.add(token.name);
    else if (token.type === 'group') paramNames(token.tokens, into);
  }
  return into;
}

function compileRule(rule: RouteRule, index: number): CompiledRule {
  const where = `gatehouseMiddleware: rules[${index}]`;
  if (typeof rule !== 'object' || rule === null) throw new GatehouseError('validation_error', `${where} must be an object`);
  if (typeof rule.path !== 'string' || rule.path === '') throw new GatehouseError('validation_error', `${where}.path must be a path pattern`);
  if (typeof rule.relation !== 'string' || rule.relation === '') throw new GatehouseError('validation_error', `${where}.relation must be a relation name`);
  let names: Set<string>;
  let matcher: CompiledRule['match'];
  try {
    names = paramNames(parse(rule.path).tokens, new Set());
    // Parameters are decoded afterwards, so a bad percent-encoding is a 400, not an exception.
    matcher = match(rule.path, { sensitive: false, trailing: true, end: true, decode: false });
  } catch (error) {
    throw new GatehouseError('validation_error', `${where}.path ${JSON.stringify(rule.path)} is not a valid pattern: ${toGatehouseError(error).message.replace(/^internal error: /, '')}`, { cause: error });
  }
  let object: CompiledRule['object'];
  if (typeof rule.object === 'function') {
    object = rule.object;
  } else if (typeof rule.object === 'string') {
    const template = rule.object;
    for (const [, name] of template.matchAll(PLACEHOLDER)) {
      if (!names.has(name as string)) {
        throw new GatehouseError(
          'validation_error',
          `${where}.object ${JSON.stringify(template)} names {${String(name)}}, which the path ${JSON.stringify(rule.path)} does not capture (it captures: ${[...names].join(', ') || 'nothing'})`,
        );
      }
    }
    object = (params) => {
      let missing = false;
      const filled = template.replace(PLACEHOLDER, (_, name: string) => {
        const value = params[name];
        if (value === undefined || value === '') missing = true;
        return value ?? '';
      });
      return missing ? undefined : filled;
    };
  } else {
    throw new GatehouseError('validation_error', `${where}.object must be a template string or a function`);
  }
  let methods: Set<string> | undefined;
  if (rule.methods !== undefined) {
    // An empty list would guard nothing: a rule that looks like protection and is none.
    if (!Array.isArray(rule.methods) || rule.methods.length === 0 || !rule.methods.every((m) => typeof m === 'string' && m !== '')) {
      throw new GatehouseError('validation_error', `${where}.methods must be a non-empty array of HTTP methods`);
    }
    methods = new Set(rule.methods.map((m) => m.toUpperCase()));
    if (methods.has('GET')) methods.add('HEAD');
  }
  return { rule, match: matcher, object, methods };
}

/** The path and query of the request, for `next=` and problem `instance`. */
function pathOf(request: NextRequest): string {
  return request.nextUrl.pathname + request.nextUrl.search;
}

/**
 * Where a rewrite or redirect goes: an absolute URL as given; a path on this app, under its
 * `basePath` (NextURL adds it back), with the target's own query.
 */
function destination(request: NextRequest, target: string): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return new URL(target);
  const parsed = new URL(target, 'http://localhost');
  const url = request.nextUrl.clone();
  url.pathname = parsed.pathname;
  url.search = parsed.search;
  url.hash = '';
  return new URL(url.href);
}

function signInRedirect(request: NextRequest, target: string): Response {
  const url = destination(request, target);
  if (!url.searchParams.has('next')) url.searchParams.set('next', pathOf(request));
  return NextResponse.redirect(url);
}

/**
 * Next.js middleware (Edge runtime or Node.js) that guards routes with local Gatehouse checks.
 * A request whose path matches no rule goes on untouched; an allowed one goes on
 * (`NextResponse.next()`). Otherwise it answers: signed out → `onUnauthenticated` (default: a
 * redirect to `/sign-in?next=<path>`); denied → `onDenied` (default: a 403
 * `application/problem+json` body); a malformed object id → 400 problem; a failed evaluation →
 * `errorStatus`; no snapshot yet → 503 problem. Decisions and bodies come from
 * `@gatehouse/core/http`, as in every Gatehouse integration.
 *
 * @throws {GatehouseError} `validation_error` at creation, for a rule with a bad path pattern, a
 *   template naming a parameter its path does not capture, or a bad `errorStatus`.
 * @example
 * // middleware.ts
 * export default gatehouseMiddleware({
 *   authorizer: getAuthorizer, // (request) => Promise<Authorizer>, one per isolate
 *   rules: [{ path: '/artists/:id/edit', relation: 'editor', object: 'artist:{id}' }],
 *   getUser: (request) => userFromSession(request.cookies.get('session')?.value),
 *   onDenied: { rewrite: '/denied' },
 * });
 * export const config = { matcher: ['/artists/:id/edit'] };
 * @see docs/integrations/nextjs.md
 */
export function gatehouseMiddleware(options: GatehouseMiddlewareOptions): (request: NextRequest) => Promise<Response> {
  if (typeof options !== 'object' || options === null) throw new GatehouseError('validation_error', 'gatehouseMiddleware: options must be an object');
  if (!Array.isArray(options.rules)) throw new GatehouseError('validation_error', 'gatehouseMiddleware: rules must be an array of route rules');
  if (typeof options.getUser !== 'function') throw new GatehouseError('validation_error', 'gatehouseMiddleware: getUser must be a function');
  const errorStatus = errorStatusOf(options.errorStatus, 'gatehouseMiddleware');
  const rules = options.rules.map(compileRule);

  const refuse = async (request: NextRequest, decision: Exclude<PermissionDecision, { kind: 'allow' }>, described: Pick<PermissionRequest, 'relation' | 'object'>): Promise<Response> => {
    if (decision.kind === 'unauthenticated') {
      const answer = options.onUnauthenticated;
      if (typeof answer === 'function') return answer(request);
      return signInRedirect(request, answer?.redirect ?? '/sign-in');
    }
    if (decision.kind === 'deny' || (decision.kind === 'error' && decision.status === 403)) {
      const answer = options.onDenied;
      if (typeof answer === 'function') return answer(request, decision);
      if (answer !== undefined && 'rewrite' in answer) return NextResponse.rewrite(destination(request, answer.rewrite), { status: 403 });
      if (answer !== undefined && 'redirect' in answer) return NextResponse.redirect(destination(request, answer.redirect));
    }
    return problemResponse(decision, described, request.nextUrl.pathname);
  };

  return async (request) => {
    const found = findRule(rules, request);
    if (found === undefined) return NextResponse.next();
    const { compiled, params } = found;
    const relation = compiled.rule.relation;
    if (params === undefined) {
      const detail = 'The request path does not decode (invalid percent-encoding).';
      return problemResponse({ kind: 'malformed', status: 400, detail }, { relation, object: undefined }, request.nextUrl.pathname);
    }
    let described: PermissionRequest;
    try {
      const user = await options.getUser(request);
      const context = options.context?.(request);
      const contextualTuples = options.contextualTuples?.(request);
      described = {
        user,
        relation,
        object: compiled.object(params, request),
        ...(context === undefined ? {} : { context }),
        ...(contextualTuples === undefined ? {} : { contextualTuples }),
      };
    } catch (thrown) {
      // A resolver that throws must not open the door: a failed evaluation.
      return refuse(request, { kind: 'error', status: errorStatus, error: toGatehouseError(thrown) }, { relation, object: undefined });
    }
    // Signed-out users are sent to sign in without waiting for the policy.
    if (described.user === undefined || described.user === '') return refuse(request, { kind: 'unauthenticated', status: 401 }, described);
    let authorizer: Authorizer;
    try {
      authorizer = await authorizerOf(options.authorizer, request);
    } catch (error) {
      return refuse(request, unavailable(toGatehouseError(error)), described);
    }
    const decision = availability(decidePermission(authorizer, described, errorStatus));
    if (decision.kind === 'allow') return NextResponse.next();
    return refuse(request, decision, described);
  };
}

/**
 * The path the router serves for the request. Next.js normally hands middleware the page path
 * already, but with `skipProxyUrlNormalize` a Pages Router data request keeps its raw form
 * (`/_next/data/<build>/[<locale>/]<page>.json`), which the router still answers with that page's
 * data: undo the form here too (as NextURL would), so no rule can be walked around through it.
 */
function routedPath(request: NextRequest): string {
  const pathname = request.nextUrl.pathname;
  const data = /^\/_next\/data\/[^/]+(\/.*)\.json$/.exec(pathname);
  if (data === null) return pathname;
  let path = data[1] === '/index' ? '/' : (data[1] as string);
  const locale = request.nextUrl.locale.toLowerCase();
  const first = path.split('/')[1]?.toLowerCase();
  if (locale !== '' && first === locale) path = path.slice(locale.length + 1) || '/';
  return path;
}

/** The first rule matching the request, with its decoded parameters (`undefined`: they do not decode). */
function findRule(rules: readonly CompiledRule[], request: NextRequest): { compiled: CompiledRule; params: RouteParams | undefined } | undefined {
  const path = routedPath(request);
  const method = request.method.toUpperCase();
  for (const compiled of rules) {
    if (compiled.methods !== undefined && !compiled.methods.has(method)) continue;
    const result = compiled.match(path);
    if (result !== false) return { compiled, params: decodeParams(result.params) };
  }
  return undefined;
}

/** Decodes matched parameters (a wildcard's segments joined with `/`); `undefined` when one does not decode. */
function decodeParams(params: Partial<Record<string, string | string[]>>): RouteParams | undefined {
  const decoded: Record<string, string> = {};
  try {
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined) continue;
      decoded[name] = Array.isArray(value) ? value.map((v) => decodeURIComponent(v)).join('/') : decodeURIComponent(value);
    }
  } catch {
    return undefined;
  }
  return decoded;
}
