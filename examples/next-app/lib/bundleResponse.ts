import { encodeBundle } from '@gatehouse/core';
import type { MemorySource, Revision } from '@gatehouse/core';

// Encoding is the expensive part; the encoded body only changes with the revision.
const encoded = new WeakMap<MemorySource, { readonly revision: Revision; readonly modelId: string; readonly body: string }>();

const etagOf = (revision: Revision): string => `W/"${revision}"`;

/** Does an `If-None-Match` list name this ETag (weak comparison, as RFC 9110 asks for GET)? */
function matches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null || ifNoneMatch === '') return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/**
 * Answers `GET` for a policy bundle the way `HttpBundleSource` expects: the current bundle with a
 * weak ETag of its revision, or `304 Not Modified` when `If-None-Match` (or `?since=`) already
 * names that revision. Long polls (`?wait=`) are answered at once; the source then polls on its
 * interval. `@gatehouse/node`'s bundle handler adds long polling and a change feed on top.
 */
export function bundleResponse(request: Request, source: MemorySource): Response {
  const data = source.snapshot();
  const common = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };
  if (data === undefined) {
    return Response.json({ error: 'not_ready', message: 'no policy loaded yet' }, { status: 503, headers: { ...common, 'retry-after': '1' } });
  }
  const etag = etagOf(data.revision);
  const headers = { ...common, etag, 'x-gatehouse-revision': data.revision };
  const since = new URL(request.url).searchParams.get('since');
  if (matches(request.headers.get('if-none-match'), etag) || since === data.revision) {
    return new Response(null, { status: 304, headers });
  }
  let cached = encoded.get(source);
  if (cached === undefined || cached.revision !== data.revision || cached.modelId !== data.modelId) {
    cached = { revision: data.revision, modelId: data.modelId, body: encodeBundle(data) };
    encoded.set(source, cached);
  }
  return new Response(cached.body, { status: 200, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } });
}
