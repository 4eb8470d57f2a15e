import { gunzipSync } from 'node:zlib';
import { HttpBundleSource, MemorySource, decodeBundle, decodeChanges } from '@gatehouse/core';
import type { HttpBundleSourceOptions } from '@gatehouse/core';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceBundleProvider, createBundleFetchHandler, createBundleHandler } from '../src/index';
import type { BundleHandlerOptions, SourceBundleProviderOptions } from '../src/index';
import { listen, model, recorder, tuple, waitFor } from './helpers';
import type { TestServer } from './helpers';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A MemorySource behind a provider behind a real HTTP server. */
async function serve(options: { provider?: SourceBundleProviderOptions; handler?: BundleHandlerOptions; tuples?: ReturnType<typeof tuple>[] } = {}) {
  const upstream = new MemorySource({ model, modelId: 'm1', revision: 100, tuples: options.tuples ?? [tuple('user:a')] });
  const provider = new SourceBundleProvider(upstream, options.provider);
  await provider.start();
  const server = await listen(createBundleHandler(provider, options.handler));
  cleanup.push(() => server.close(), () => provider.stop());
  return { upstream, provider, server };
}

function client(server: TestServer, options: Partial<HttpBundleSourceOptions> = {}) {
  const source = new HttpBundleSource({
    url: `${server.url}/bundle`,
    backoff: { initial: 10, max: 50 },
    timeout: 2_000,
    ...options,
  });
  const r = recorder();
  source.start(r.sink);
  cleanup.push(() => source.stop());
  return { source, r };
}

describe('HttpBundleSource against the bundle server', () => {
  it('loads the bundle, then receives each write as a change set through a long poll', async () => {
    const { upstream, server } = await serve();
    const { r } = client(server, { wait: 20 });
    await waitFor(() => r.state()?.revision === '100', 4_000, 'first snapshot');
    expect(r.state()).toMatchObject({ modelId: 'm1', tuples: [tuple('user:a')] });

    // Held long poll: the write wakes it at once, long before its 20 s are up.
    await waitFor(() => server.requests.some((q) => q.startsWith('/changes?since=100&wait=20')), 4_000, 'a held long poll');
    const started = Date.now();
    const revision = upstream.write([tuple('user:b')]);
    await waitFor(() => r.state()?.revision === revision, 4_000, 'the change');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.kinds()).toEqual(['snapshot', 'changes']);
    expect(r.users()).toEqual(['user:a', 'user:b']);

    upstream.apply({ deletes: [tuple('user:a')], writes: [tuple('user:c')] });
    await waitFor(() => r.state()?.revision === '102', 4_000, 'the second change');
    expect(r.users()).toEqual(['user:b', 'user:c']);
    expect(server.requests.filter((q) => q.startsWith('/bundle'))).toHaveLength(1);
  });

  it('answers If-None-Match with 304 and keeps the snapshot (poll mode, full bundles only)', async () => {
    const { upstream, server } = await serve();
    const { r } = client(server, { mode: 'poll', interval: 20, changesUrl: false });
    await waitFor(() => server.statuses.filter((s) => s === 304).length >= 2, 4_000, 'two 304s');
    expect(r.kinds()).toEqual(['snapshot']);
    expect(server.statuses[0]).toBe(200);
    upstream.write([tuple('user:b')]);
    await waitFor(() => r.state()?.revision === '101', 4_000, 'the new bundle');
    expect(r.kinds()).toEqual(['snapshot', 'snapshot']);
  });

  it('falls back to the full bundle when its revision left the change window (410)', async () => {
    const { upstream, server } = await serve({ provider: { maxChanges: 2 } });
    const { source, r } = client(server, { mode: 'poll', interval: 60_000 });
    await waitFor(() => r.state()?.revision === '100', 4_000, 'first snapshot');
    for (const u of ['user:b', 'user:c', 'user:d']) upstream.write([tuple(u)]);
    source.requestRevision('103');
    await waitFor(() => r.state()?.revision === '103', 4_000, 'the full reload');
    expect(server.statuses).toEqual([200, 410, 200]);
    expect(server.requests[1]).toBe('/changes?since=100');
    expect(r.kinds()).toEqual(['snapshot', 'snapshot']);
    expect(r.users()).toEqual(['user:a', 'user:b', 'user:c', 'user:d']);
  });

  it('uses the change window for clients inside it, merging several revisions', async () => {
    const { upstream, server } = await serve({ provider: { maxChanges: 10 } });
    const { source, r } = client(server, { mode: 'poll', interval: 60_000 });
    await waitFor(() => r.state()?.revision === '100', 4_000, 'first snapshot');
    upstream.write([tuple('user:b')]);
    upstream.delete([tuple('user:b')]);
    upstream.write([tuple('user:c')]);
    source.requestRevision('103');
    await waitFor(() => r.state()?.revision === '103', 4_000, 'the merged change');
    expect(r.events[1]).toMatchObject({ kind: 'changes', changes: { from: '100', to: '103', writes: [tuple('user:c')], deletes: [tuple('user:b')] } });
  });

  it('relays a model change inside a change set', async () => {
    const { upstream, server } = await serve();
    const { r } = client(server, { wait: 20 });
    await waitFor(() => r.state(), 4_000, 'first snapshot');
    const next = { ...model, type_definitions: [...model.type_definitions, { type: 'album' }] };
    upstream.setModel(next, 'm2');
    await waitFor(() => r.state()?.modelId === 'm2', 4_000, 'the new model');
    expect(r.state()?.model.type_definitions).toHaveLength(3);
  });

  it('gzips large responses for clients that accept it, and fetch decompresses them', async () => {
    const many = Array.from({ length: 500 }, (_, i) => tuple(`user:u${i}`));
    const { server } = await serve({ tuples: many });
    const res = await fetch(`${server.url}/bundle`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(decodeBundle(await res.text()).tuples).toHaveLength(500);
    const { r } = client(server);
    await waitFor(() => r.state(), 4_000, 'snapshot');
    expect(r.state()?.tuples).toHaveLength(500);
  });

  it('serves under a base path, and hands other paths to next()', async () => {
    const upstream = new MemorySource({ model, modelId: 'm1', revision: 5 });
    const provider = new SourceBundleProvider(upstream);
    await provider.start();
    const handler = createBundleHandler(provider, { basePath: '/authz/' });
    const server = await listen((req, res) => handler(req, res, () => res.writeHead(418).end('next')));
    cleanup.push(() => server.close(), () => provider.stop());
    expect((await fetch(`${server.url}/authz/bundle`)).status).toBe(200);
    expect((await fetch(`${server.url}/bundle`)).status).toBe(418);
    const { r } = client(server, { url: `${server.url}/authz/bundle` });
    await waitFor(() => r.state()?.revision === '5', 4_000, 'snapshot');
  });

  it('answers protocol errors with clear statuses', async () => {
    const { server } = await serve();
    const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);
    expect((await get('/nope')).status).toBe(404);
    const post = await get('/bundle', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    const bad = await get('/changes?since=01');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_revision' });
    expect((await get('/changes')).status).toBe(400);
    const ahead = await get('/changes?since=999');
    expect(ahead.status).toBe(410);
    const current = await get('/changes?since=100');
    expect(decodeChanges(await current.text())).toEqual({ from: '100', to: '100', writes: [], deletes: [] });
    const bundle = await get('/bundle');
    expect(bundle.headers.get('etag')).toBe('W/"100"');
    expect(bundle.headers.get('x-gatehouse-revision')).toBe('100');
    expect(bundle.headers.get('cache-control')).toBe('no-cache');
    expect((await get('/bundle', { headers: { 'if-none-match': '"100"' } })).status).toBe(304);
    expect((await get('/bundle?since=100')).status).toBe(304);
  });

  it('answers 503 until the provider has data, and a long poll waits for the first load', async () => {
    const upstream = new MemorySource({ revision: 0 });
    const provider = new SourceBundleProvider(upstream);
    await provider.start();
    const server = await listen(createBundleHandler(provider));
    cleanup.push(() => server.close(), () => provider.stop());
    const early = await fetch(`${server.url}/bundle`);
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('1');
    const held = fetch(`${server.url}/bundle?wait=10`);
    await waitFor(() => server.requests.length === 2, 4_000, 'the held request');
    upstream.setModel(model, 'm1');
    const res = await held;
    expect(res.status).toBe(200);
    expect(decodeBundle(await res.text()).modelId).toBe('m1');
  });

  it('caps wait at maxWait and answers 304 when nothing changed', async () => {
    const { server } = await serve({ handler: { maxWait: 0.2 } });
    const started = Date.now();
    const res = await fetch(`${server.url}/bundle?wait=30`, { headers: { 'if-none-match': 'W/"100"' } });
    expect(res.status).toBe(304);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('offers the same protocol as a Web-standard fetch handler', async () => {
    const upstream = new MemorySource({ model, modelId: 'm1', revision: 7, tuples: [tuple('user:a')] });
    const provider = new SourceBundleProvider(upstream);
    await provider.start();
    cleanup.push(() => provider.stop());
    const handle = createBundleFetchHandler(provider);
    const first = await handle(new Request('http://policy.test/bundle'));
    expect(first.status).toBe(200);
    expect(decodeBundle(await first.text()).revision).toBe('7');
    expect((await handle(new Request('http://policy.test/bundle', { headers: { 'if-none-match': first.headers.get('etag') ?? '' } }))).status).toBe(304);
    const held = handle(new Request('http://policy.test/changes?since=7&wait=10'));
    upstream.write([tuple('user:b')]);
    const changes = decodeChanges(await (await held).text());
    expect(changes).toMatchObject({ from: '7', to: '8', writes: [tuple('user:b')] });
    expect((await handle(new Request('http://policy.test/other'))).status).toBe(404);
    // An HttpBundleSource can use it directly as its fetch.
    const source = new HttpBundleSource({ url: 'http://policy.test/bundle', fetch: (input, init) => handle(new Request(input, init)) });
    const r = recorder();
    source.start(r.sink);
    cleanup.push(() => source.stop());
    await waitFor(() => r.state()?.revision === '8', 4_000, 'snapshot via the fetch handler');
  });

  it('does not leak gzip bodies uncompressed to clients that refuse gzip', async () => {
    const many = Array.from({ length: 500 }, (_, i) => tuple(`user:u${i}`));
    const { server } = await serve({ tuples: many, handler: { compress: 100 } });
    const raw = await new Promise<{ encoding: string | undefined; body: Buffer }>((resolve, reject) => {
      import('node:http')
        .then(({ get }) =>
          get(`${server.url}/bundle`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
          }).on('error', reject),
        )
        .catch(reject);
    });
    expect(raw.encoding).toBe('gzip');
    expect(decodeBundle(gunzipSync(raw.body)).tuples).toHaveLength(500);
    const plain = await fetch(`${server.url}/bundle`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
  });
});
