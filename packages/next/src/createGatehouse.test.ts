import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { redirect } from 'next/navigation';
import { createAuthorizer } from '@gatehouse/core';
import type { Authorizer } from '@gatehouse/core';
import { PROBLEM_JSON } from '@gatehouse/core/http';
import { fixtureAuthorizer } from '../test/fixtures';
import type { FixtureSchema } from '../test/fixtures';
import { createGatehouse, PermissionError } from './index';
import type { Gatehouse, GatehouseNextOptions } from './index';

const FLAG = '__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS';
let authorizer: Authorizer;
let user: string | undefined;

beforeAll(async () => {
  authorizer = await fixtureAuthorizer();
});

afterAll(async () => {
  await authorizer.stop();
});

afterEach(() => {
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
  delete process.env[FLAG];
  user = undefined;
});

function gatehouse(extra: Partial<GatehouseNextOptions> = {}): Gatehouse<FixtureSchema> {
  return createGatehouse<FixtureSchema>({ authorizer, getUser: () => user, ...extra });
}

/** What `promise` rejected with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The digest of the Next.js control-flow error `promise` rejected with. */
async function digest(promise: Promise<unknown>): Promise<string> {
  const error = await rejection(promise);
  if (typeof error === 'object' && error !== null && 'digest' in error) return String(error.digest);
  throw new Error(`expected a Next.js error with a digest, got ${String(error)}`);
}

describe('can', () => {
  it('answers allowed, denied, unauthenticated, malformed and failed checks as booleans', async () => {
    const g = gatehouse();
    user = 'user:ada';
    expect(await g.can('editor', 'artist:a1')).toBe(true);
    expect(await g.can('viewer', 'artist:a1')).toBe(true);
    expect(await g.can('editor', 'artist:a2')).toBe(false);
    expect(await g.can('editor', 'artist:a b')).toBe(false);
    user = 'user:cleo';
    expect(await g.can('editor', 'artist:a3')).toBe(false); // current_hour missing: evaluation error
    expect(await g.can('editor', 'artist:a3', { context: { current_hour: 10 } })).toBe(true);
    expect(await gatehouse({ context: () => ({ current_hour: 10 }) }).can('editor', 'artist:a3')).toBe(true);
    user = 'user:zoe';
    expect(await g.can('editor', 'artist:a9', { contextualTuples: [{ user: 'user:zoe', relation: 'editor', object: 'artist:a9' }] })).toBe(true);
    user = undefined;
    expect(await g.can('viewer', 'artist:a1')).toBe(false);
  });

  it('fails closed when the authorizer is not ready or getUser throws', async () => {
    user = 'user:ada';
    expect(await gatehouse({ authorizer: createAuthorizer({}) }).can('editor', 'artist:a1')).toBe(false);
    expect(await gatehouse({ authorizer: () => Promise.reject(new Error('down')) }).can('editor', 'artist:a1')).toBe(false);
    const broken = gatehouse({
      getUser: () => {
        throw new Error('session store down');
      },
    });
    expect(await broken.can('editor', 'artist:a1')).toBe(false);
  });

  it("lets Next.js's own control-flow errors through instead of treating them as a failed check", async () => {
    const g = gatehouse({ getUser: () => redirect('/sign-in') });
    expect(await digest(g.can('editor', 'artist:a1'))).toMatch(/^NEXT_REDIRECT;/);
    expect(await digest(g.decisions({ checks: [] }))).toMatch(/^NEXT_REDIRECT;/);
  });
});

describe('assert', () => {
  it('returns when allowed', async () => {
    user = 'user:ben';
    await expect(gatehouse().assert('editor', 'artist:a2')).resolves.toBeUndefined();
  });

  it("stops with Next.js's unauthorized() and forbidden() when auth interrupts are on", async () => {
    process.env[FLAG] = 'true'; // what next.config's experimental.authInterrupts inlines into the build
    const g = gatehouse();
    expect(await digest(g.assert('editor', 'artist:a1'))).toBe('NEXT_HTTP_ERROR_FALLBACK;401');
    user = 'user:ben';
    expect(await digest(g.assert('editor', 'artist:a1'))).toBe('NEXT_HTTP_ERROR_FALLBACK;403');
    expect(await digest(g.assert('editor', 'artist:a b'))).toBe('NEXT_HTTP_ERROR_FALLBACK;403'); // malformed
    user = 'user:cleo';
    expect(await digest(g.assert('editor', 'artist:a3'))).toBe('NEXT_HTTP_ERROR_FALLBACK;403'); // evaluation error
    user = 'user:ben';
    expect(await digest(g.assert('editor', 'artist:a1', { onDenied: 'notFound' }))).toBe('NEXT_HTTP_ERROR_FALLBACK;404');
    user = undefined;
    expect(await digest(g.assert('editor', 'artist:a1', { onUnauthenticated: { redirect: '/sign-in' } }))).toBe('NEXT_REDIRECT;replace;/sign-in;307;');
  });

  it('throws the typed PermissionError without auth interrupts', async () => {
    const g = gatehouse();
    const anonymous = await rejection(g.assert('editor', 'artist:a1'));
    expect(anonymous).toBeInstanceOf(PermissionError);
    expect(anonymous).toMatchObject({ name: 'PermissionError', code: 'unauthenticated', reason: 'unauthenticated', status: 401, relation: 'editor', object: 'artist:a1' });
    user = 'user:ben';
    expect(await rejection(g.assert('editor', 'artist:a1'))).toMatchObject({
      code: 'forbidden',
      reason: 'deny',
      status: 403,
      message: 'Missing the "editor" permission on artist:a1.',
    });
    expect(await rejection(g.assert('editor', 'artist:a b'))).toMatchObject({ code: 'forbidden', reason: 'malformed', status: 400 });
    // notFound() needs no flag.
    expect(await digest(g.assert('editor', 'artist:a1', { onDenied: 'notFound' }))).toBe('NEXT_HTTP_ERROR_FALLBACK;404');
    // 'throw' throws even with interrupts on.
    process.env[FLAG] = 'true';
    expect(await rejection(g.assert('editor', 'artist:a1', { onDenied: 'throw' }))).toBeInstanceOf(PermissionError);
    user = undefined;
    expect(await rejection(g.assert('editor', 'artist:a1', { onUnauthenticated: 'throw' }))).toMatchObject({ code: 'unauthenticated' });
  });

  it('carries the evaluation error as the cause, and throws for 503 whatever the interrupts', async () => {
    process.env[FLAG] = 'true';
    user = 'user:cleo';
    const failed = await rejection(gatehouse({ errorStatus: 503 }).assert('editor', 'artist:a3'));
    expect(failed).toMatchObject({ code: 'forbidden', reason: 'error', status: 503, cause: { code: 'condition_evaluation_error' } });
    user = 'user:ada';
    const notReady = await rejection(gatehouse({ authorizer: createAuthorizer({}) }).assert('editor', 'artist:a1'));
    expect(notReady).toMatchObject({ code: 'forbidden', reason: 'error', status: 503, cause: { code: 'not_ready' } });
  });

  it('follows the authInterrupts option over the build flag', async () => {
    user = 'user:ben';
    process.env[FLAG] = 'true';
    expect(await rejection(gatehouse({ authInterrupts: false }).assert('editor', 'artist:a1'))).toBeInstanceOf(PermissionError);
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    delete process.env[FLAG];
    // authInterrupts: true without the Next.js flag: Next.js's forbidden() itself refuses (a 500 in an app).
    const error = await rejection(gatehouse({ authInterrupts: true }).assert('editor', 'artist:a1'));
    expect(error).not.toBeInstanceOf(PermissionError);
    expect(String(error)).toContain('`forbidden()` is experimental and only allowed to be enabled when `experimental.authInterrupts` is enabled.');
  });
});

describe('withPermission', () => {
  type Ctx = { params: Promise<{ id: string }> };
  const ctx = (id: string): Ctx => ({ params: Promise.resolve({ id }) });
  const request = (path: string) => new Request(`http://localhost:3000${path}`);

  function route(extra: Partial<GatehouseNextOptions> = {}) {
    return gatehouse(extra).withPermission(
      'editor',
      async (_req: Request, { params }: Ctx) => `artist:${(await params).id}`,
      async (_req, { params }, { user: who }) => Response.json({ id: (await params).id, user: who }),
    );
  }

  it('runs the handler for an allowed user, with the user', async () => {
    user = 'user:ada';
    const res = await route()(request('/api/artists/a1'), ctx('a1'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'a1', user: 'user:ada' });
  });

  it('answers 401, 403, 400 and 503 problems, as @gatehouse/express does', async () => {
    const answer = async (res: Response) => {
      expect(res.headers.get('content-type')).toBe(PROBLEM_JSON);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect(await answer(await route()(request('/api/artists/a1'), ctx('a1')))).toMatchObject({ status: 401, body: { title: 'Unauthenticated', instance: '/api/artists/a1' } });
    user = 'user:ben';
    expect(await answer(await route()(request('/api/artists/a1'), ctx('a1')))).toEqual({
      status: 403,
      body: { type: 'https://gatehouse.dev/problems/deny', title: 'Forbidden', status: 403, detail: 'Missing the "editor" permission on artist:a1.', instance: '/api/artists/a1' },
    });
    expect(await answer(await route()(request('/api/artists/a%20b'), ctx('a b')))).toMatchObject({ status: 400, body: { code: 'validation_error' } });
    user = 'user:cleo';
    expect(await answer(await route()(request('/api/artists/a3'), ctx('a3')))).toMatchObject({ status: 403, body: { code: 'condition_evaluation_error' } });
    expect(await answer(await route({ errorStatus: 503 })(request('/api/artists/a3'), ctx('a3')))).toMatchObject({ status: 503 });
    user = 'user:ada';
    expect(await answer(await route({ authorizer: createAuthorizer({}) })(request('/api/artists/a1'), ctx('a1')))).toMatchObject({ status: 503, body: { code: 'not_ready' } });
  });

  it('refuses an id from the route that would name another object (400), never allowing it', async () => {
    user = 'user:ada'; // editor of artist:a1 only
    for (const id of ['a1#editor', 'a1#viewer', 'x:a1', 'a1 ', ' a1', 'a1\n', '*']) {
      const res = await route()(request(`/api/artists/${encodeURIComponent(id)}`), ctx(id));
      expect({ id, status: res.status }).toEqual({ id, status: 400 });
    }
    expect(await gatehouse().can('editor', 'artist:a1#editor')).toBe(false);
    expect(await rejection(gatehouse().assert('editor', 'artist:a1#editor'))).toMatchObject({ reason: 'malformed', status: 400 });
  });

  it('accepts a fixed object and fails closed when the object function throws', async () => {
    user = 'user:ada';
    const fixed = gatehouse().withPermission('editor', 'artist:a1', () => new Response('ok'));
    expect((await fixed(request('/x'), undefined)).status).toBe(200);
    const broken = gatehouse().withPermission(
      'editor',
      () => {
        throw new Error('boom');
      },
      () => new Response('ok'),
    );
    expect((await broken(request('/x'), undefined)).status).toBe(403);
  });
});

describe('decisions', () => {
  const query = { checks: [{ relation: 'editor', object: 'artist:a1' }, { relation: 'editor', object: 'artist:a2' }], lists: [{ relation: 'editor', type: 'artist' }] };

  it("computes the current user's decisions, never tuples", async () => {
    user = 'user:ben';
    expect(await gatehouse().decisions(query)).toEqual({
      user: 'user:ben',
      revision: '1',
      modelId: authorizer.modelId,
      checks: { 'artist:a1#editor': false, 'artist:a2#editor': true },
      lists: { 'artist#editor': ['artist:a2'] },
    });
  });

  it('answers everything false for an anonymous user or an unavailable authorizer', async () => {
    expect(await gatehouse().decisions(query)).toMatchObject({ user: null, checks: { 'artist:a1#editor': false, 'artist:a2#editor': false }, lists: { 'artist#editor': [] } });
    user = 'user:ben';
    expect(await gatehouse({ authorizer: () => Promise.reject(new Error('down')) }).decisions(query)).toEqual({
      user: 'user:ben',
      revision: '',
      modelId: '',
      checks: { 'artist:a1#editor': false, 'artist:a2#editor': false },
      lists: { 'artist#editor': [] },
    });
  });
});

describe('decisions: query size', () => {
  it('refuses a query over the limits (it may come from the browser) and takes decisionLimits', async () => {
    user = 'user:ben';
    const checks = Array.from({ length: 1_001 }, (_, i) => ({ relation: 'editor', object: `artist:a${i}` }));
    expect(await rejection(gatehouse().decisions({ checks }))).toMatchObject({ code: 'validation_error', message: 'computeDecisions: query.checks asks 1001 checks, more than maxChecks (1000)' });
    // Refused for a signed-out user too: the size is checked before the user matters.
    user = undefined;
    expect(await rejection(gatehouse().decisions({ checks }))).toMatchObject({ code: 'validation_error' });
    user = 'user:ben';
    const roomy = gatehouse({ decisionLimits: { maxChecks: 2_000, maxLists: 1 } });
    expect((await roomy.decisions({ checks })).checks['artist:a2#editor']).toBe(true);
    expect(await rejection(roomy.decisions({ lists: [{ relation: 'editor', type: 'artist' }, { relation: 'viewer', type: 'artist' }] }))).toMatchObject({ code: 'validation_error' });
    expect(() => gatehouse({ decisionLimits: { maxChecks: 1.5 } })).toThrow('computeDecisions: maxChecks must be a non-negative integer, got 1.5');
  });
});

describe('types', () => {
  it('types relations and objects from the schema, and accepts any string without one', () => {
    const typed = gatehouse();
    expectTypeOf(typed.can<'artist'>).parameter(1).toEqualTypeOf<`artist:${string}`>();
    // @ts-expect-error artists have no member relation
    void typed.can('member', 'artist:a1').catch(() => undefined);
    // @ts-expect-error not a type of the schema
    void typed.assert('editor', 'playlist:p1').catch(() => undefined);
    const open = createGatehouse({ authorizer, getUser: () => user });
    const id: string = 'anything';
    expectTypeOf(open.can).parameter(1).toEqualTypeOf<string>();
    void open.can('whatever', id);
  });

  it('refuses bad options when created', () => {
    expect(() => createGatehouse({ authorizer, getUser: undefined as unknown as () => undefined })).toThrow('createGatehouse: getUser must be a function');
    expect(() => createGatehouse({ authorizer, getUser: () => undefined, errorStatus: 500 as 403 })).toThrow('createGatehouse: errorStatus must be 403 or 503, got 500');
  });
});
