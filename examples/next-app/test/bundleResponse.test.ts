import { describe, expect, it } from 'vitest';
import { decodeBundle, MemorySource } from '@gatehouse/core';
import { bundleResponse } from '../lib/bundleResponse';
import { TUPLES, model } from '../lib/model';

const URL_ = 'http://policy.test/api/policy/bundle';

describe('the policy bundle route', () => {
  it('serves the bundle with a weak ETag of its revision, and 304 when the caller has it', async () => {
    const source = new MemorySource({ model: model.json, tuples: TUPLES, revision: 7 });
    const first = bundleResponse(new Request(URL_), source);
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('W/"7"');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const data = decodeBundle(await first.text());
    expect(data.revision).toBe('7');
    expect(data.tuples).toHaveLength(TUPLES.length);

    const again = bundleResponse(new Request(URL_, { headers: { 'if-none-match': 'W/"7"' } }), source);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // HttpBundleSource's long poll names the revision in ?since= as well.
    expect(bundleResponse(new Request(`${URL_}?since=7&wait=30`), source).status).toBe(304);
    expect(bundleResponse(new Request(URL_, { headers: { 'if-none-match': '"6", W/"7"' } }), source).status).toBe(304);
  });

  it('answers 200 with the new revision after a write', async () => {
    const source = new MemorySource({ model: model.json, tuples: TUPLES, revision: 7 });
    const revision = source.write([{ user: 'user:ben', relation: 'editor', object: 'artist:kite' }]);
    const res = bundleResponse(new Request(URL_, { headers: { 'if-none-match': 'W/"7"' } }), source);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`W/"${revision}"`);
    expect(decodeBundle(await res.text()).tuples).toContainEqual({ user: 'user:ben', relation: 'editor', object: 'artist:kite' });
  });

  it('answers 503 before a model is loaded', () => {
    const res = bundleResponse(new Request(URL_), new MemorySource());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
  });
});

describe('GET /api/policy/bundle', () => {
  it('answers only callers with the policy token, and fails closed when none is configured', async () => {
    const { GET } = await import('../app/api/policy/bundle/route');
    const saved = process.env.GATEHOUSE_POLICY_TOKEN;
    try {
      delete process.env.GATEHOUSE_POLICY_TOKEN;
      expect(GET(new Request(URL_, { headers: { authorization: 'Bearer ' } })).status).toBe(401);
      process.env.GATEHOUSE_POLICY_TOKEN = 's3cret-token';
      expect(GET(new Request(URL_)).status).toBe(401);
      expect(GET(new Request(URL_, { headers: { authorization: 'Bearer s3cret-tokem' } })).status).toBe(401);
      expect(GET(new Request(URL_, { headers: { authorization: 'Bearer s3cret-token-and-more' } })).status).toBe(401);
      const ok = GET(new Request(URL_, { headers: { authorization: 'Bearer s3cret-token' } }));
      expect(ok.status).toBe(200);
      expect(decodeBundle(await ok.text()).tuples).toHaveLength(TUPLES.length);
    } finally {
      if (saved === undefined) delete process.env.GATEHOUSE_POLICY_TOKEN;
      else process.env.GATEHOUSE_POLICY_TOKEN = saved;
    }
  });
});
