import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpBundleSource, MemorySource, encodeChanges } from '@gatehouse/core';
import type { HttpBundleSourceOptions } from '@gatehouse/core';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceBundleProvider, createBundleHandler } from '../src/index';
import { listen, model, recorder, tuple, waitFor } from './helpers';

type Fault = '500' | 'hang' | 'stall-body' | 'truncated-json' | 'bad-row';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/**
 * The real bundle server behind a switch: queued faults answer the next matching requests instead
 * of the handler, the way a broken proxy, an overloaded server or a bad deploy would.
 */
async function faultyServer() {
  const upstream = new MemorySource({ model, modelId: 'm1', revision: 1, tuples: [tuple('user:a')] });
  const provider = new SourceBundleProvider(upstream);
  await provider.start();
  const handler = createBundleHandler(provider);
  const faults: { fault: Fault; path: string }[] = [];
  const times: { path: string; at: number }[] = [];
  const hanging: ServerResponse[] = [];
  const server = await listen((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    times.push({ path, at: Date.now() });
    const index = faults.findIndex((f) => f.path === path || f.path === '*');
    if (index < 0) return handler(req, res);
    const { fault } = faults.splice(index, 1)[0] as { fault: Fault };
    switch (fault) {
      case '500':
        return res.writeHead(500, { 'content-type': 'text/plain' }).end('database is on fire');
      case 'hang':
        hanging.push(res);
        return;
      case 'stall-body':
        hanging.push(res);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"format":"gatehouse.changes","version":1,');
        return;
      case 'truncated-json':
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{"format":"gatehouse.changes","version":1,"from":"1"');
      case 'bad-row': {
        const doc = JSON.parse(encodeChanges({ from: upstream.revision, to: '999', writes: [tuple('user:evil')], deletes: [] }));
        doc.writes.rows[4] = 10_000;
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      }
    }
  });
  cleanup.push(
    async () => {
      for (const res of hanging) res.destroy();
      await server.close();
    },
    () => provider.stop(),
  );
  return { upstream, server, times, inject: (fault: Fault, path = '*', count = 1) => faults.push(...Array.from({ length: count }, () => ({ fault, path }))) };
}

function client(url: string, options: Partial<HttpBundleSourceOptions> = {}) {
  const source = new HttpBundleSource({
    url: `${url}/bundle`,
    mode: 'poll',
    interval: 20,
    timeout: 300,
    backoff: { initial: 25, max: 200, random: () => 0 },
    ...options,
  });
  const r = recorder();
  source.start(r.sink);
  cleanup.push(() => source.stop());
  return { source, r };
}

describe('HttpBundleSource under faults (real HTTP)', () => {
  it('reports 500s, backs off exponentially, and loads once the server recovers', async () => {
    const { server, times, inject } = await faultyServer();
    inject('500', '/bundle', 3);
    const { r } = client(server.url);
    await waitFor(() => r.state(), 4_000, 'the first snapshot');
    expect(r.errors().map((e) => e.message)).toEqual(Array.from({ length: 3 }, () => `GET ${server.url}/bundle answered HTTP 500: database is on fire`));
    expect(r.errors().every((e) => e.code === 'source_unavailable')).toBe(true);
    const gaps = times.slice(1, 4).map((t, i) => t.at - (times[i] as { at: number }).at);
    // 25, 50, 100 ms (no jitter here): each retry waits longer.
    expect(gaps[0]).toBeGreaterThanOrEqual(24);
    expect(gaps[1]).toBeGreaterThanOrEqual(49);
    expect(gaps[2]).toBeGreaterThanOrEqual(99);
  });

  it('abandons a hung request, keeps the last good data, and recovers', async () => {
    const { upstream, server, inject } = await faultyServer();
    const { r } = client(server.url);
    await waitFor(() => r.state(), 4_000, 'the first snapshot');
    inject('hang', '/changes');
    await waitFor(() => r.errors().length === 1, 4_000, 'the timeout');
    expect(r.errors()[0]?.message).toMatch(/^GET http:\/\/127\.0\.0\.1:\d+\/changes\?since=1 timed out after 300 ms$/);
    expect(r.state()).toMatchObject({ revision: '1', tuples: [tuple('user:a')] });
    upstream.write([tuple('user:b')]);
    await waitFor(() => r.state()?.revision === '2', 4_000, 'recovery');
    expect(r.users()).toEqual(['user:a', 'user:b']);
  });

  it('abandons a response whose body stalls halfway', async () => {
    const { upstream, server, inject } = await faultyServer();
    const { r } = client(server.url);
    await waitFor(() => r.state(), 4_000, 'the first snapshot');
    inject('stall-body', '/changes');
    await waitFor(() => r.errors().length === 1, 4_000, 'the timeout');
    expect(r.errors()[0]?.message).toMatch(/timed out after 300 ms/);
    upstream.write([tuple('user:b')]);
    await waitFor(() => r.state()?.revision === '2', 4_000, 'recovery');
  });

  it('rejects corrupt payloads whole: nothing from them is applied', async () => {
    const { upstream, server, inject } = await faultyServer();
    const { r } = client(server.url);
    await waitFor(() => r.state(), 4_000, 'the first snapshot');
    inject('truncated-json', '/changes');
    inject('bad-row', '/changes');
    await waitFor(() => r.errors().length === 2, 4_000, 'two rejections');
    expect(r.errors().map((e) => e.code)).toEqual(['invalid_bundle', 'invalid_bundle']);
    expect(r.errors()[0]?.message).toMatch(/invalid change set: change set is not valid JSON/);
    expect(r.errors()[1]?.message).toMatch(/invalid change set: writes row 0: user id index 10000 is not a valid index into the string table/);
    expect(r.kinds()).toEqual(['snapshot', 'error', 'error']);
    expect(r.users()).toEqual(['user:a']);
    upstream.write([tuple('user:b')]);
    await waitFor(() => r.state()?.revision === '2', 4_000, 'recovery');
    expect(r.users()).toEqual(['user:a', 'user:b']);
  });

  it('survives the server going away and coming back on the same port', async () => {
    const upstream = new MemorySource({ model, modelId: 'm1', revision: 1, tuples: [tuple('user:a')] });
    const provider = new SourceBundleProvider(upstream);
    await provider.start();
    cleanup.push(() => provider.stop());
    const server = await listen(createBundleHandler(provider));
    const port = new URL(server.url).port;
    const { r } = client(server.url);
    await waitFor(() => r.state(), 4_000, 'the first snapshot');
    await server.close();
    await waitFor(() => r.errors().length >= 2, 4_000, 'connection errors');
    expect(r.errors()[0]?.code).toBe('source_unavailable');
    expect(r.errors()[0]?.message).toMatch(/failed: fetch failed/);
    upstream.write([tuple('user:b')]);
    const { createServer } = await import('node:http');
    const handler = createBundleHandler(provider);
    const revived = createServer(handler);
    await new Promise<void>((resolve) => revived.listen(Number(port), '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => {
      revived.closeAllConnections();
      revived.close(() => resolve());
    }));
    await waitFor(() => r.state()?.revision === '2', 4_000, 'recovery after restart');
    expect(r.users()).toEqual(['user:a', 'user:b']);
  });
});
