import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { httpStatusOf, isGatehouseError, isRevision, toGatehouseError } from '@gatehouse/core';
import type { Revision } from '@gatehouse/core';
import type { BundleProvider } from './BundleProvider';

const gzip = promisify(gzipCallback);

/** Options of {@link createBundleHandler} and {@link createBundleFetchHandler}. */
export interface BundleHandlerOptions {
  /** The path prefix the endpoints live under (`/authz` serves `/authz/bundle`, `/authz/changes`). Default `''`. */
  readonly basePath?: string;
  /** The longest `wait` honoured, in seconds. Default `60`. */
  readonly maxWait?: number;
  /**
   * Gzip responses larger than this many bytes when the client accepts gzip (node handler only;
   * Web platforms compress on their own). Default `1024`; `false` never compresses.
   */
  readonly compress?: number | false;
  /** Receives provider failures, which are answered with an error status. */
  readonly onError?: (error: unknown) => void;
}

/** A response before it is written: status, headers and optional body. */
interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** What the protocol needs to know about a request. */
interface Asked {
  readonly method: string;
  readonly url: URL;
  readonly header: (name: string) => string | undefined;
}

const etagOf = (revision: Revision) => `W/"${revision}"`;

const COMMON = { 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' };

function json(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { ...COMMON, 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

/** Does an `If-None-Match` list name this ETag (weak comparison, as RFC 9110 asks for GET)? */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

/** Waits for a change for up to `seconds`, or until the client goes away. */
async function hold(provider: BundleProvider, revision: Revision | undefined, seconds: number, client: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), seconds * 1000);
  const abort = () => controller.abort();
  client.addEventListener('abort', abort);
  try {
    await provider.waitForChange(revision, controller.signal);
  } finally {
    clearTimeout(timer);
    client.removeEventListener('abort', abort);
  }
}

/**
 * The protocol, independent of the HTTP stack:
 * - `GET {base}/bundle`: the current bundle with a weak `ETag` of its revision; `304` when
 *   `If-None-Match` names it (or `?since=` is it). With `?wait=N` and a current client, the
 *   request is held up to N seconds until the revision changes.
 * - `GET {base}/changes?since=REV[&wait=N]`: the net changes since REV (an empty change set when
 *   REV is current, after holding up to N seconds); `410` when REV is outside the retained window;
 *   `404` when the provider has no change feed.
 * - `503` with `Retry-After` until the provider has loaded something.
 */
async function answer(provider: BundleProvider, asked: Asked, options: BundleHandlerOptions, client: AbortSignal): Promise<Reply | undefined> {
  const base = (options.basePath ?? '').replace(/\/+$/, '');
  const path = asked.url.pathname;
  if (path !== `${base}/bundle` && path !== `${base}/changes`) return undefined;
  if (asked.method !== 'GET') return json(405, { error: 'method_not_allowed', message: 'use GET' }, { allow: 'GET' });

  const maxWait = Math.max(0, options.maxWait ?? 60);
  const waitParam = asked.url.searchParams.get('wait');
  const wait = waitParam === null ? 0 : Math.min(maxWait, Math.max(0, Number.parseInt(waitParam, 10) || 0));
  const since = asked.url.searchParams.get('since') ?? undefined;
  if (since !== undefined && !isRevision(since)) {
    return json(400, { error: 'invalid_revision', message: `since must be a revision (a non-negative integer), got ${JSON.stringify(since)}` });
  }

  let current = provider.revision();
  if (current === undefined && wait > 0) {
    await hold(provider, undefined, wait, client);
    current = provider.revision();
  }
  if (current === undefined) return json(503, { error: 'not_ready', message: 'no policy loaded yet' }, { 'retry-after': '1' });

  if (path === `${base}/changes`) {
    if (!provider.changes) return json(404, { error: 'no_change_feed', message: 'this server offers full bundles only' });
    if (since === undefined) return json(400, { error: 'invalid_revision', message: 'changes needs ?since=REVISION' });
    if (wait > 0 && since === current) await hold(provider, current, wait, client);
    const changes = await provider.changes(since);
    if (changes === 'gone') {
      return json(410, { error: 'revision_too_old', message: `revision ${since} is outside the retained change window; load the full bundle` });
    }
    return {
      status: 200,
      headers: { ...COMMON, 'content-type': 'application/json; charset=utf-8', etag: etagOf(changes.to), 'x-gatehouse-revision': changes.to },
      body: changes.body,
    };
  }

  const ifNoneMatch = asked.header('if-none-match');
  const known = (revision: Revision) => matches(ifNoneMatch, etagOf(revision)) || since === revision;
  if (wait > 0 && known(current)) {
    await hold(provider, current, wait, client);
    current = provider.revision() ?? current;
  }
  if (known(current)) return { status: 304, headers: { ...COMMON, etag: etagOf(current), 'x-gatehouse-revision': current } };
  const bundle = await provider.bundle();
  if (!bundle) return json(503, { error: 'not_ready', message: 'no policy loaded yet' }, { 'retry-after': '1' });
  return {
    status: 200,
    headers: { ...COMMON, 'content-type': 'application/json; charset=utf-8', etag: etagOf(bundle.revision), 'x-gatehouse-revision': bundle.revision },
    body: bundle.body,
  };
}

function failure(error: unknown, options: BundleHandlerOptions): Reply {
  options.onError?.(error);
  const e = toGatehouseError(error);
  // Only Gatehouse errors carry a message meant for clients; anything else stays internal.
  return json(isGatehouseError(error) ? httpStatusOf(e.code) : 500, { error: e.code, message: isGatehouseError(error) ? e.message : 'internal error' });
}

/** A node:http (and Express/Connect) request handler for a bundle server. */
export type NodeBundleHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * Serves a {@link BundleProvider} over node:http: `GET /bundle` (ETag, 304, long poll with
 * `?wait=` and `?since=`) and `GET /changes?since=` (410 outside the retained window). Other paths
 * go to `next` when given (Express/Connect mounting), else get a 404.
 *
 * @example
 * const provider = new SourceBundleProvider(new FileSource('./store.fga.yaml'));
 * await provider.start();
 * http.createServer(createBundleHandler(provider, { basePath: '/authz' })).listen(8080);
 * @see docs/guide/snapshots-and-sync.md
 */
export function createBundleHandler(provider: BundleProvider, options: BundleHandlerOptions = {}): NodeBundleHandler {
  const threshold = options.compress === false ? Infinity : (options.compress ?? 1024);
  return (req, res, next) => {
    const client = new AbortController();
    // `close` before the response finished means the client went away: release a held long poll.
    res.on('close', () => client.abort());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const asked: Asked = {
      method: req.method ?? 'GET',
      url,
      header: (name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
    };
    void (async () => {
      let reply: Reply | undefined;
      try {
        reply = await answer(provider, asked, options, client.signal);
      } catch (error) {
        reply = failure(error, options);
      }
      if (reply === undefined) {
        if (next) return next();
        reply = json(404, { error: 'not_found', message: `no endpoint at ${url.pathname}` });
      }
      if (res.destroyed || res.writableEnded) return;
      const headers: Record<string, string | number> = { ...reply.headers };
      let body: Buffer | undefined = reply.body === undefined ? undefined : Buffer.from(reply.body);
      if (body && body.length > threshold && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        body = await gzip(body);
        headers['content-encoding'] = 'gzip';
        headers.vary = 'accept-encoding';
      }
      if (body) headers['content-length'] = body.length;
      res.writeHead(reply.status, headers);
      res.end(body);
    })().catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

/**
 * The same server as a Web-standard handler, `(Request) => Promise<Response>`, for runtimes and
 * frameworks built on fetch (Deno, Bun, Hono, Next.js route handlers). Unknown paths get a 404.
 *
 * @example
 * Deno.serve(createBundleFetchHandler(provider));
 */
export function createBundleFetchHandler(provider: BundleProvider, options: BundleHandlerOptions = {}): (request: Request) => Promise<Response> {
  return async (request) => {
    const url = new URL(request.url);
    const asked: Asked = { method: request.method, url, header: (name) => request.headers.get(name) ?? undefined };
    let reply: Reply | undefined;
    try {
      reply = (await answer(provider, asked, options, request.signal)) ?? json(404, { error: 'not_found', message: `no endpoint at ${url.pathname}` });
    } catch (error) {
      reply = failure(error, options);
    }
    return new Response(reply.body ?? null, { status: reply.status, headers: reply.headers });
  };
}
