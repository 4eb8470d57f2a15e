import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthorizer, GatehouseError, HttpBundleSource } from '@gatehouse/core';
import type { Authorizer, EvaluationErrorEvent } from '@gatehouse/core';
import { PROBLEM_JSON } from '@gatehouse/core/http';
import type { PermissionDecision } from '@gatehouse/core/http';
import { NextRequest } from 'next/server';
import { bundleServer, fixtureAuthorizer, nextRequest, TUPLES, until, userOf } from '../test/fixtures';
import { gatehouseMiddleware } from './middleware';
import type { GatehouseMiddlewareOptions } from './middleware';

let authorizer: Authorizer;
const events: EvaluationErrorEvent[] = [];

beforeAll(async () => {
  authorizer = await fixtureAuthorizer();
  authorizer.on('error', (e) => events.push(e));
});

afterAll(async () => {
  await authorizer.stop();
});

const editRule = { path: '/artists/:id/edit', relation: 'editor', object: 'artist:{id}' } as const;

function guard(extra: Partial<GatehouseMiddlewareOptions> = {}) {
  return gatehouseMiddleware({ authorizer, rules: [editRule], getUser: userOf, ...extra });
}

const passedThrough = (res: Response) => res.headers.get('x-middleware-next') === '1';

async function problem(res: Response): Promise<Record<string, unknown>> {
  expect(res.headers.get('content-type')).toBe(PROBLEM_JSON);
  return (await res.json()) as Record<string, unknown>;
}

describe('gatehouseMiddleware', () => {
  it('lets an allowed request through (direct and inherited)', async () => {
    const middleware = guard();
    expect(passedThrough(await middleware(nextRequest('/artists/a1/edit', 'ada')))).toBe(true);
    expect(passedThrough(await middleware(nextRequest('/artists/a2/edit', 'ben')))).toBe(true);
    // Case-insensitive, with an optional trailing slash: no way around the rule by spelling.
    expect(passedThrough(await middleware(nextRequest('/Artists/a1/EDIT/', 'ada')))).toBe(true);
    expect((await middleware(nextRequest('/ARTISTS/a1/edit/', 'ben'))).status).toBe(403);
  });

  it('passes requests no rule matches through untouched, without asking for the user', async () => {
    let asked = 0;
    const middleware = guard({
      getUser: (r) => {
        asked++;
        return userOf(r);
      },
      rules: [{ ...editRule, methods: ['post'] }],
    });
    for (const path of ['/', '/artists/a1', '/artists/a1/edit/more', '/api/policy/bundle']) {
      expect(passedThrough(await middleware(nextRequest(path)))).toBe(true);
    }
    expect(passedThrough(await middleware(nextRequest('/artists/a1/edit', 'ben')))).toBe(true); // a GET: not guarded
    expect((await middleware(nextRequest('/artists/a1/edit', 'ben', { method: 'POST' }))).status).toBe(403);
    expect(asked).toBe(1);
  });

  it('guards HEAD wherever it guards GET: Next.js answers HEAD with the GET page or handler', async () => {
    const middleware = guard({ rules: [{ ...editRule, methods: ['GET'] }] });
    expect((await middleware(nextRequest('/artists/a1/edit', 'ben', { method: 'HEAD' }))).status).toBe(403);
    expect((await middleware(nextRequest('/artists/a1/edit', undefined, { method: 'HEAD' }))).status).toBe(307);
    expect(passedThrough(await middleware(nextRequest('/artists/a1/edit', 'ada', { method: 'HEAD' })))).toBe(true);
    // A rule for other methods only still leaves HEAD (and GET) alone.
    expect(passedThrough(await guard({ rules: [{ ...editRule, methods: ['POST'] }] })(nextRequest('/artists/a1/edit', 'ben', { method: 'HEAD' })))).toBe(true);
  });

  it('matches Pages Router data routes when Next.js does not normalize the URL (skipProxyUrlNormalize)', async () => {
    // With skipProxyUrlNormalize, Next.js hands middleware the raw URL (NextURL keeps the
    // /_next/data/<build>/... .json form), while the router still serves that page's data.
    process.env['__NEXT_NO_MIDDLEWARE_URL_NORMALIZE'] = '1';
    try {
      const middleware = guard();
      const raw = nextRequest('/_next/data/b1/artists/a1/edit.json', 'ben');
      expect(raw.nextUrl.pathname).toBe('/_next/data/b1/artists/a1/edit.json');
      expect((await middleware(raw)).status).toBe(403);
      expect(passedThrough(await middleware(nextRequest('/_next/data/b1/artists/a1/edit.json', 'ada')))).toBe(true);
      // With i18n the locale stays in the raw data path too.
      const localized = new NextRequest('http://localhost:3000/_next/data/b1/fr/artists/a1/edit.json', {
        headers: { cookie: 'user=ben' },
        nextConfig: { i18n: { locales: ['en', 'fr'], defaultLocale: 'en' } },
      });
      expect((await middleware(localized)).status).toBe(403);
    } finally {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete process.env['__NEXT_NO_MIDDLEWARE_URL_NORMALIZE'];
    }
    // Normalized by Next.js (the default), the same request arrives as the page path.
    const normalized = nextRequest('/_next/data/b1/artists/a1/edit.json', 'ben');
    expect(normalized.nextUrl.pathname).toBe('/artists/a1/edit');
    expect((await guard()(normalized)).status).toBe(403);
  });

  it('answers a denied request with a 403 problem by default', async () => {
    const res = await guard()(nextRequest('/artists/a1/edit', 'ben'));
    expect(res.status).toBe(403);
    expect(await problem(res)).toEqual({
      type: 'https://gatehouse.dev/problems/deny',
      title: 'Forbidden',
      status: 403,
      detail: 'Missing the "editor" permission on artist:a1.',
      instance: '/artists/a1/edit',
    });
  });

  it('rewrites a denied request to a page with status 403, or redirects it', async () => {
    const rewritten = await guard({ onDenied: { rewrite: '/denied' } })(nextRequest('/artists/a1/edit', 'ben'));
    expect(rewritten.status).toBe(403);
    expect(rewritten.headers.get('x-middleware-rewrite')).toBe('http://localhost:3000/denied');
    const redirected = await guard({ onDenied: { redirect: '/artists/a1' } })(nextRequest('/artists/a1/edit', 'ben'));
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get('location')).toBe('http://localhost:3000/artists/a1');
    // An allowed request is not rewritten.
    expect(passedThrough(await guard({ onDenied: { rewrite: '/denied' } })(nextRequest('/artists/a1/edit', 'ada')))).toBe(true);
  });

  it('keeps the basePath in rewrites and redirects, and matches paths without it', async () => {
    const request = (path: string, user?: string) =>
      new NextRequest(`http://localhost:3000/app${path}`, { headers: user === undefined ? {} : { cookie: `user=${user}` }, nextConfig: { basePath: '/app' } });
    const rewritten = await guard({ onDenied: { rewrite: '/denied?from=guard' } })(request('/artists/a1/edit', 'ben'));
    expect(rewritten.headers.get('x-middleware-rewrite')).toBe('http://localhost:3000/app/denied?from=guard');
    const signIn = await guard()(request('/artists/a1/edit'));
    expect(signIn.headers.get('location')).toBe('http://localhost:3000/app/sign-in?next=%2Fartists%2Fa1%2Fedit');
    const external = await guard({ onUnauthenticated: { redirect: 'https://auth.example.com/login' } })(request('/artists/a1/edit'));
    expect(external.headers.get('location')).toBe('https://auth.example.com/login?next=%2Fartists%2Fa1%2Fedit');
  });

  it('hands a denied request and its decision to an onDenied function', async () => {
    const seen: PermissionDecision[] = [];
    const middleware = guard({
      onDenied: (request: NextRequest, decision: PermissionDecision) => {
        seen.push(decision);
        return new Response(`no: ${request.nextUrl.pathname}`, { status: 418 });
      },
    });
    const res = await middleware(nextRequest('/artists/a1/edit', 'ben'));
    expect(res.status).toBe(418);
    expect(await res.text()).toBe('no: /artists/a1/edit');
    expect(seen).toEqual([{ kind: 'deny', status: 403 }]);
  });

  it('redirects an unauthenticated request to sign in, with the path to come back to', async () => {
    const res = await guard()(nextRequest('/artists/a1/edit?tab=bio'));
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location') as string);
    expect(location.origin + location.pathname).toBe('http://localhost:3000/sign-in');
    expect(location.searchParams.get('next')).toBe('/artists/a1/edit?tab=bio');
    const custom = await guard({ onUnauthenticated: { redirect: '/login?from=guard' } })(nextRequest('/artists/a1/edit'));
    expect(custom.headers.get('location')).toBe('http://localhost:3000/login?from=guard&next=%2Fartists%2Fa1%2Fedit');
    const own = await guard({ onUnauthenticated: () => new Response('sign in first', { status: 401 }) })(nextRequest('/artists/a1/edit'));
    expect(own.status).toBe(401);
    // An empty user string is no user.
    expect((await guard({ getUser: () => '' })(nextRequest('/artists/a1/edit'))).status).toBe(307);
  });

  it('answers 400 for a malformed object id or path', async () => {
    const middleware = guard({ onDenied: { rewrite: '/denied' } });
    const spaced = await middleware(nextRequest('/artists/a%20b/edit', 'ada'));
    expect(spaced.status).toBe(400);
    expect(await problem(spaced)).toMatchObject({ status: 400, code: 'validation_error', detail: 'The object "artist:a b" is not a valid object id (type:id).' });
    const badEncoding = await middleware(nextRequest('/artists/%E0%A4%A/edit', 'ada'));
    expect(badEncoding.status).toBe(400);
    expect(await problem(badEncoding)).toMatchObject({ detail: 'The request path does not decode (invalid percent-encoding).' });
    const noObject = await guard({ rules: [{ path: '/artists/:id/edit', relation: 'editor', object: () => undefined }] })(nextRequest('/artists/a1/edit', 'ada'));
    expect(await problem(noObject)).toMatchObject({ status: 400, detail: 'The request does not name the object to authorize.' });
    const badUser = await middleware(nextRequest('/artists/a1/edit', 'a b'));
    expect(badUser.status).toBe(400);
  });

  it('never lets a path parameter turn the template into another object', async () => {
    // ada edits artist:a1 only. Each id decodes to something that, pasted into `artist:{id}`,
    // would read as a userset, another type, or a padded id: refused as malformed (400).
    const middleware = guard({ onDenied: { rewrite: '/denied' } });
    for (const id of ['a1%23editor', 'a1%23viewer', 'x%3Aa1', 'a1%20', '%20a1', 'a1%09', 'a1%0A', '*', '%2Aa1', 'a1%00', 'a1%25', '%E2%80%8Ba1']) {
      const res = await middleware(nextRequest(`/artists/${id}/edit`, 'ada'));
      expect({ id, status: res.status }).toEqual({ id, status: 400 });
    }
    // An encoded slash stays inside the id: artist:a1/x is another object, and ada is no editor of it.
    expect((await middleware(nextRequest('/artists/a1%2Fx/edit', 'ada'))).status).toBe(403);
    // Through a template with the type in the path, a `:` or `#` cannot smuggle a relation or id in.
    const typed = guard({ rules: [{ path: '/:type/:id/edit', relation: 'editor', object: '{type}:{id}' }] });
    expect(passedThrough(await typed(nextRequest('/artist/a1/edit', 'ada')))).toBe(true);
    for (const path of ['/artist%3Aa1%23editor%40user/x/edit', '/artist%23x/a1/edit', '/artist/a1%3Ax/edit']) {
      expect((await typed(nextRequest(path, 'ada'))).status).toBe(400);
    }
  });

  it('fails closed on an evaluation error: 403 (through onDenied) or errorStatus 503', async () => {
    const before = events.length;
    const res = await guard()(nextRequest('/artists/a3/edit', 'cleo'));
    expect(res.status).toBe(403);
    expect(await problem(res)).toMatchObject({ status: 403, code: 'condition_evaluation_error', title: 'Authorization unavailable' });
    expect(events.length).toBe(before + 1);
    const seen: PermissionDecision[] = [];
    await guard({ onDenied: (_r: NextRequest, d: PermissionDecision) => (seen.push(d), new Response(null, { status: 403 })) })(nextRequest('/artists/a3/edit', 'cleo'));
    expect(seen[0]).toMatchObject({ kind: 'error', status: 403, error: { code: 'condition_evaluation_error' } });
    const strict = await guard({ errorStatus: 503, onDenied: { rewrite: '/denied' } })(nextRequest('/artists/a3/edit', 'cleo'));
    expect(strict.status).toBe(503);
    expect(strict.headers.get('x-middleware-rewrite')).toBeNull();
    // With the condition's context, the same request is decided.
    const hours = (hour: number) => guard({ context: () => ({ current_hour: hour }) })(nextRequest('/artists/a3/edit', 'cleo'));
    expect(passedThrough(await hours(10))).toBe(true);
    expect((await hours(20)).status).toBe(403);
  });

  it('fails closed when getUser or an object function throws', async () => {
    const brokenUser = await guard({
      getUser: () => {
        throw new Error('session store down');
      },
    })(nextRequest('/artists/a1/edit', 'ada'));
    expect(brokenUser.status).toBe(403);
    expect(await problem(brokenUser)).toMatchObject({ code: 'internal' });
    const brokenObject = await guard({
      rules: [
        {
          path: '/artists/:id/edit',
          relation: 'editor',
          object: () => {
            throw new Error('boom');
          },
        },
      ],
      errorStatus: 503,
    })(nextRequest('/artists/a1/edit', 'ada'));
    expect(brokenObject.status).toBe(503);
  });

  it('uses contextual tuples, object functions and wildcard parameters', async () => {
    const middleware = guard({
      rules: [
        { path: '/labels/:label/artists/:id', relation: 'viewer', object: (params) => `artist:${params['id'] ?? ''}` },
        { path: '/files{/*rest}', relation: 'viewer', object: 'artist:{rest}' },
      ],
      contextualTuples: (r) => (r.headers.get('x-share') === 'yes' ? [{ user: 'user:zoe', relation: 'viewer', object: 'artist:a9' }] : undefined),
    });
    expect(passedThrough(await middleware(nextRequest('/labels/l1/artists/a2', 'ben')))).toBe(true);
    expect((await middleware(nextRequest('/labels/l1/artists/a1', 'ben'))).status).toBe(403);
    // `{/*rest}` also matches `/files` alone: no parameter, so no object (400), never a pass.
    expect((await middleware(nextRequest('/files', 'ada'))).status).toBe(400);
    expect(passedThrough(await middleware(nextRequest('/files/a1', 'ada')))).toBe(true);
    // Segments join with `/` (ids may hold one): artist:a1/x, a different object.
    expect((await middleware(nextRequest('/files/a1/x', 'ada'))).status).toBe(403);
    const shared = new NextRequest('http://localhost:3000/labels/l/artists/a9', { headers: { cookie: 'user=zoe', 'x-share': 'yes' } });
    expect(passedThrough(await middleware(shared))).toBe(true);
  });

  it('tries rules in order: the first match decides', async () => {
    const middleware = guard({
      rules: [
        { path: '/artists/a1/edit', relation: 'viewer', object: 'artist:public' },
        { path: '/artists/:id/edit', relation: 'editor', object: 'artist:{id}' },
      ],
    });
    const openToAll = await fixtureAuthorizer([...TUPLES, { user: 'user:*', relation: 'viewer', object: 'artist:public' }]);
    expect(passedThrough(await guard({ authorizer: openToAll, rules: [{ path: '/artists/a1/edit', relation: 'viewer', object: 'artist:public' }, editRule] })(nextRequest('/artists/a1/edit', 'ben')))).toBe(true);
    expect((await middleware(nextRequest('/artists/a2/edit', 'ada'))).status).toBe(403);
    await openToAll.stop();
  });

  it('refuses bad rules when it is created', () => {
    const create = (rules: GatehouseMiddlewareOptions['rules'], extra: Partial<GatehouseMiddlewareOptions> = {}) => () =>
      gatehouseMiddleware({ authorizer, getUser: userOf, rules, ...extra });
    const failure = (fn: () => unknown): GatehouseError => {
      try {
        fn();
      } catch (error) {
        if (error instanceof GatehouseError) return error;
      }
      throw new Error('expected a GatehouseError');
    };
    expect(failure(create([{ path: '/artists/:id', relation: 'editor', object: 'artist:{ID}' }]))).toMatchObject({
      code: 'validation_error',
      message: 'gatehouseMiddleware: rules[0].object "artist:{ID}" names {ID}, which the path "/artists/:id" does not capture (it captures: id)',
    });
    expect(failure(create([editRule, { path: '/a/:', relation: 'editor', object: 'artist:x' }])).message).toMatch(/^gatehouseMiddleware: rules\[1\]\.path "\/a\/:" is not a valid pattern/);
    expect(failure(create([{ path: '/a', relation: '', object: 'artist:x' }])).message).toBe('gatehouseMiddleware: rules[0].relation must be a relation name');
    expect(failure(create([editRule], { errorStatus: 500 as 503 })).message).toBe('gatehouseMiddleware: errorStatus must be 403 or 503, got 500');
    // An empty method list would guard nothing at all: refused, as is a non-list.
    expect(failure(create([{ ...editRule, methods: [] }])).message).toBe('gatehouseMiddleware: rules[0].methods must be a non-empty array of HTTP methods');
    expect(failure(create([{ ...editRule, methods: 'GET' as unknown as string[] }])).message).toBe('gatehouseMiddleware: rules[0].methods must be a non-empty array of HTTP methods');
    expect(failure(create([{ ...editRule, methods: ['GET', ''] }])).message).toBe('gatehouseMiddleware: rules[0].methods must be a non-empty array of HTTP methods');
  });
});

describe('the authorizer option as a function', () => {
  it('fails closed with 503 while the authorizer has no snapshot, whatever errorStatus says', async () => {
    const empty = createAuthorizer({});
    const res = await guard({ authorizer: () => empty, onDenied: { rewrite: '/denied' } })(nextRequest('/artists/a1/edit', 'ada'));
    expect(res.status).toBe(503);
    expect(res.headers.get('x-middleware-rewrite')).toBeNull();
    expect(await problem(res)).toMatchObject({ status: 503, code: 'not_ready' });
    const rejecting = await guard({ authorizer: () => Promise.reject(new Error('policy service down')) })(nextRequest('/artists/a1/edit', 'ada'));
    expect(rejecting.status).toBe(503);
    expect(await problem(rejecting)).toMatchObject({ code: 'not_ready' });
    const timedOut = await guard({
      authorizer: async () => {
        await empty.ready({ timeoutMs: 10 });
        return empty;
      },
    })(nextRequest('/artists/a1/edit', 'ada'));
    expect(await problem(timedOut)).toMatchObject({ status: 503, code: 'not_ready' });
    // Signed-out users are redirected without waiting on the policy at all.
    expect((await guard({ authorizer: () => Promise.reject(new Error('down')) })(nextRequest('/artists/a1/edit'))).status).toBe(307);
  });

  it('creates one authorizer per isolate over HttpBundleSource and follows the policy with ETag revalidation', async () => {
    const server = bundleServer();
    let created = 0;
    let pending: Promise<Authorizer> | undefined;
    // The documented pattern: a module-level promise, the first bundle awaited once.
    const edgeAuthorizer = (request: NextRequest): Promise<Authorizer> => {
      pending ??= (async () => {
        created++;
        const source = new HttpBundleSource({ url: new URL('/api/policy/bundle', request.nextUrl.origin), mode: 'poll', interval: 10, changesUrl: false, fetch: server.fetch });
        const a = createAuthorizer({ source });
        await a.ready({ timeoutMs: 2_000 });
        return a;
      })();
      return pending;
    };
    const middleware = guard({ authorizer: edgeAuthorizer });
    const [first, second] = await Promise.all([middleware(nextRequest('/artists/a1/edit', 'ada')), middleware(nextRequest('/artists/a1/edit', 'ben'))]);
    expect(passedThrough(first)).toBe(true);
    expect(second.status).toBe(403);
    expect(created).toBe(1);
    // Unchanged policy: conditional GETs answered 304.
    await until(() => server.log.filter((r) => r.status === 304).length >= 2);
    expect(server.log[0]).toEqual({ status: 200, ifNoneMatch: null });
    expect(server.log.at(-1)).toEqual({ status: 304, ifNoneMatch: '"1"' });
    // The policy changes upstream: ben becomes an editor of a1, ada loses it.
    server.publish([{ user: 'user:ben', relation: 'editor', object: 'artist:a1' }]);
    const live = await (pending as Promise<Authorizer>);
    await until(() => live.revision === '2');
    expect(passedThrough(await middleware(nextRequest('/artists/a1/edit', 'ben')))).toBe(true);
    expect((await middleware(nextRequest('/artists/a1/edit', 'ada'))).status).toBe(403);
    expect(created).toBe(1);
    await live.stop();
  });
});
