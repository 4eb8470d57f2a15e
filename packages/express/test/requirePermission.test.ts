import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authorizer, EvaluationErrorEvent, GatehouseError } from '@gatehouse/core';
import { PROBLEM_JSON } from '@gatehouse/core/http';
import { gatehouse, param, query, body, requirePermission } from '../src/index';
import { express, listen, optionsFor, testAuthorizer } from './app';

let authorizer: Authorizer;
let url: string;
let close: () => Promise<void>;
const events: EvaluationErrorEvent[] = [];
const onErrors: GatehouseError[] = [];

beforeAll(async () => {
  authorizer = await testAuthorizer();
  authorizer.on('error', (e) => events.push(e));
  const options = optionsFor(authorizer, { onError: (e) => onErrors.push(e) });
  const app = express();
  app.use(express.json());
  app.get('/tracks/:id', requirePermission('viewer', param('id', 'track'), options), (req, res) => {
    res.json({ ok: true, user: req.authz?.user });
  });
  app.get('/search', requirePermission('viewer', query('track', 'track'), options), (_req, res) => res.json({ ok: true }));
  app.post('/edit', requirePermission('editor', body('track', 'track'), options), (_req, res) => res.json({ ok: true }));
  app.get('/strict/:id', requirePermission('viewer', param('id', 'track'), { ...options, errorStatus: 503 }), (_req, res) => res.json({ ok: true }));
  app.get(
    '/hours/:id',
    requirePermission('viewer', param('id', 'track'), { ...options, context: (req) => ({ current_hour: Number(req.get('x-hour')) }) }),
    (_req, res) => res.json({ ok: true }),
  );
  app.get(
    '/custom/:id',
    requirePermission('viewer', param('id', 'track'), { ...options, problem: (p) => ({ ...p, detail: 'nope' }) }),
    (_req, res) => res.json({ ok: true }),
  );
  app.get(
    '/shared/:id',
    requirePermission('viewer', param('id', 'track'), {
      ...options,
      contextualTuples: (req) => (req.get('x-share') === 'yes' ? [{ user: 'user:zoe', relation: 'viewer', object: `track:${req.params.id}` }] : undefined),
    }),
    (_req, res) => res.json({ ok: true }),
  );
  const helpers = express.Router();
  helpers.use(gatehouse(options));
  helpers.get('/me', (req, res) => {
    res.json({
      canT1: req.authz?.can('viewer', 'track:t1'),
      canT2: req.authz?.can('viewer', 'track:t2'),
      tracks: req.authz?.listObjects('viewer', 'track'),
      bad: req.authz?.can('viewer', 'track:bad id'),
    });
  });
  app.use('/helpers', helpers);
  ({ url, close } = await listen(app));
});

afterAll(async () => {
  await close();
  await authorizer.stop();
});

async function get(path: string, user?: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const res = await fetch(url + path, { headers: { ...(user === undefined ? {} : { 'x-user': user }), ...headers } });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

describe('requirePermission over HTTP', () => {
  it('lets an allowed user through (direct and inherited)', async () => {
    expect(await get('/tracks/t1', 'ada')).toMatchObject({ status: 200, body: { ok: true, user: 'user:ada' } });
    expect(await get('/tracks/t2', 'ben')).toMatchObject({ status: 200 });
  });

  it('answers 403 with an RFC 9457 body when denied', async () => {
    const res = await get('/tracks/t1', 'ben');
    expect(res.status).toBe(403);
    expect(res.type).toContain(PROBLEM_JSON);
    expect(res.body).toEqual({
      type: 'https://gatehouse.dev/problems/deny',
      title: 'Forbidden',
      status: 403,
      detail: 'Missing the "viewer" permission on track:t1.',
      instance: '/tracks/t1',
    });
  });

  it('answers 401 without a user', async () => {
    const res = await get('/tracks/t1');
    expect(res).toMatchObject({ status: 401, body: { status: 401, title: 'Unauthenticated' } });
    expect(res.type).toContain(PROBLEM_JSON);
  });

  it('answers 400 for a malformed object id or user', async () => {
    const res = await get('/tracks/a%20b', 'ada');
    expect(res).toMatchObject({ status: 400, body: { status: 400, code: 'validation_error', detail: 'The object "track:a b" is not a valid object id (type:id).' } });
    expect((await get('/search', 'ada')).body).toMatchObject({ status: 400, detail: 'The request does not name the object to authorize.' });
    expect((await get('/tracks/t1', 'a b')).status).toBe(400);
  });

  it('resolves objects from query and body', async () => {
    expect((await get('/search?track=t1', 'ada')).status).toBe(200);
    const post = (user: string) =>
      fetch(`${url}/edit`, { method: 'POST', headers: { 'x-user': user, 'content-type': 'application/json' }, body: JSON.stringify({ track: 't1' }) });
    expect((await post('ada')).status).toBe(200);
    expect((await post('ben')).status).toBe(403);
  });

  it('passes condition context from the request', async () => {
    expect((await get('/hours/t3', 'cleo', { 'x-hour': '10' })).status).toBe(200);
    expect((await get('/hours/t3', 'cleo', { 'x-hour': '20' })).status).toBe(403);
  });

  it('fails closed on an evaluation error and reports it through events and onError', async () => {
    const before = events.length;
    const res = await get('/tracks/t3', 'cleo');
    expect(res).toMatchObject({ status: 403, body: { status: 403, code: 'condition_evaluation_error', title: 'Authorization unavailable' } });
    expect(events.length).toBe(before + 1);
    expect(events.at(-1)?.error.code).toBe('condition_evaluation_error');
    expect(onErrors.at(-1)?.code).toBe('condition_evaluation_error');
    expect((await get('/strict/t3', 'cleo')).status).toBe(503);
  });

  it('uses contextual tuples and a custom problem body', async () => {
    expect((await get('/shared/t9', 'zoe')).status).toBe(403);
    expect((await get('/shared/t9', 'zoe', { 'x-share': 'yes' })).status).toBe(200);
    expect((await get('/custom/t1', 'ben')).body).toMatchObject({ status: 403, detail: 'nope' });
  });

  it('offers req.authz.can and listObjects, failing closed on bad input', async () => {
    const res = await get('/helpers/me', 'ben');
    expect(res.body).toEqual({ canT1: false, canT2: true, tracks: ['track:t2'], bad: false });
    const anon = await get('/helpers/me');
    expect(anon.body).toEqual({ canT1: false, canT2: false, tracks: [], bad: false });
  });
});
