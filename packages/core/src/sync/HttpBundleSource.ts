import { GatehouseError, isGatehouseError, toGatehouseError } from '../errors/index';
import { backoffDelay } from './backoff';
import type { BackoffOptions } from './backoff';
import { decodeBundle, decodeChanges } from './bundle';
import { confirmTo, reportTo } from './report';
import { compareRevisions } from './revision';
import type { Revision } from './revision';
import type { SnapshotSink, SnapshotSource } from './source';

/** Headers sent with every request, or a function returning them (for tokens that rotate). */
export type HeadersProvider = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

/** Options of {@link HttpBundleSource}. */
export interface HttpBundleSourceOptions {
  /** The bundle URL (`GET` returns a bundle). Relative URLs resolve against `location` in browsers. */
  readonly url: string | URL;
  /**
   * The change-set URL (`GET ?since=REV` returns the changes since REV). Default: `changes` next to
   * the bundle URL, with its query (`https://host/authz/bundle?store=a` → `https://host/authz/changes?store=a`).
   * `false` never asks for changes. A 404 turns changes off for the source's lifetime.
   */
  readonly changesUrl?: string | URL | false;
  /**
   * `long-poll` (default): after the first load the server holds each request until the revision
   * changes or `wait` seconds pass, so updates arrive at once. A server that answers at once
   * without holding is polled every `interval` instead. `poll`: one request every `interval`.
   */
  readonly mode?: 'long-poll' | 'poll';
  /** Ms between polls in `poll` mode, and after a long poll the server did not hold. Default `10_000`. */
  readonly interval?: number;
  /** Seconds a long poll asks the server to hold the request. Default `30`. */
  readonly wait?: number;
  /** Ms before a request (including reading its body) is abandoned; long polls get `wait` on top. Default `10_000`. */
  readonly timeout?: number;
  /** Retry spacing after failures. */
  readonly backoff?: BackoffOptions;
  /** Extra request headers (authorization...). */
  readonly headers?: HeadersProvider;
  /** The `fetch` to use. Default: the global `fetch`. */
  readonly fetch?: typeof fetch;
}

interface Fetched {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly url: string;
}

type Outcome = 'updated' | 'unchanged';

/**
 * Keeps a sink in sync with a bundle server (the handler of `@gatehouse/node`, or anything
 * speaking the same protocol, even a static file host). Runs wherever `fetch` does: Node, browsers,
 * the Edge runtime.
 *
 * - **Conditional GET.** Sends `If-None-Match`; a `304` keeps the current snapshot and confirms it
 *   to the sink (`sink.heartbeat`), as does a long poll that ends with nothing new.
 * - **Long poll or interval.** See {@link HttpBundleSourceOptions.mode}.
 * - **Incremental.** Once loaded, asks `changes?since=REV` and applies only the delta; on `404`
 *   (no change feed), `410` (revision too old for the server's window) or a change set the sink
 *   rejects, it falls back to the full bundle.
 * - **Resilient.** Network errors, timeouts, HTTP errors and corrupt payloads go to `sink.error`;
 *   nothing is applied from a bad response, the last good snapshot stays, and the source retries
 *   with exponential backoff and jitter (honouring `Retry-After`) until it recovers.
 *
 * @example
 * const source = new HttpBundleSource({ url: 'https://policy.internal/authz/bundle' });
 * source.start({ snapshot: (s) => use(s), changes: (c) => patch(c), error: (e) => log(e) });
 * @see docs/guide/snapshots-and-sync.md
 */
export class HttpBundleSource implements SnapshotSource {
  private readonly bundleUrl: URL;
  private readonly changesUrl: URL | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly mode: 'long-poll' | 'poll';
  private readonly interval: number;
  private readonly wait: number;
  private readonly timeout: number;
  private readonly backoff: BackoffOptions;
  private readonly headers: HeadersProvider | undefined;

  private sink: SnapshotSink | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private current: Revision | undefined;
  private currentModelId: string | undefined;
  private etag: string | undefined;
  private changesEnabled: boolean;
  private failures = 0;
  // Set when a delta could not be used (410, or the sink rejected it): the full reload that
  // follows must not long-poll, since the server already has newer data.
  private behind = false;
  private wanted: Revision | undefined;
  private inflight: AbortController | undefined;
  private sleeper: { readonly wake: () => void; readonly wakeable: boolean } | undefined;

  /** @throws {GatehouseError} `validation_error` when a URL cannot be parsed. */
  constructor(options: HttpBundleSourceOptions) {
    this.bundleUrl = toURL(options.url, 'url');
    this.changesUrl =
      options.changesUrl === false
        ? undefined
        : options.changesUrl !== undefined
          ? toURL(options.changesUrl, 'changesUrl')
          : siblingURL(this.bundleUrl, 'changes');
    this.changesEnabled = this.changesUrl !== undefined;
    const globalFetch: typeof fetch | undefined = typeof fetch === 'function' ? fetch : undefined;
    const fetchFn = options.fetch ?? globalFetch;
    if (!fetchFn) throw new GatehouseError('validation_error', 'HttpBundleSource needs fetch: pass options.fetch in runtimes without a global fetch');
    // Bound so a global fetch is not called with the source as `this` (browsers reject that).
    this.fetchFn = (input, init) => fetchFn(input, init);
    this.mode = options.mode ?? 'long-poll';
    this.interval = Math.max(0, options.interval ?? 10_000);
    this.wait = Math.max(0, Math.floor(options.wait ?? 30));
    this.timeout = Math.max(1, options.timeout ?? 10_000);
    this.backoff = options.backoff ?? {};
    this.headers = options.headers;
  }

  /** The revision of the last snapshot or change set delivered, or `undefined` before the first. */
  get revision(): Revision | undefined {
    return this.current;
  }

  /**
   * Starts syncing into `sink`: the first request goes out at once.
   *
   * @throws {GatehouseError} `validation_error` when already started.
   */
  start(sink: SnapshotSink): void {
    if (this.sink) throw new GatehouseError('validation_error', 'HttpBundleSource is already started; create one source per sink');
    this.sink = sink;
    this.stopped = false;
    this.running = this.run(sink);
  }

  /** Stops syncing: aborts the request in flight and any wait. Resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.inflight?.abort();
    this.sleeper?.wake();
    await this.running;
    this.running = undefined;
    this.sink = undefined;
  }

  /** Polls now (instead of at the next interval) until revision `atLeast` has arrived. */
  requestRevision(atLeast: Revision): void {
    if (this.current !== undefined && compareRevisions(this.current, atLeast) >= 0) return;
    if (this.wanted === undefined || compareRevisions(atLeast, this.wanted) > 0) this.wanted = atLeast;
    if (this.sleeper?.wakeable) this.sleeper.wake();
  }

  private async run(sink: SnapshotSink): Promise<void> {
    while (!this.stopped) {
      let pause: number;
      let wakeable = true;
      try {
        pause = await this.cycle(sink);
        this.failures = 0;
      } catch (error) {
        if (this.stopped) break;
        this.failures++;
        reportTo(sink, isGatehouseError(error) ? error : toGatehouseError(error));
        pause = backoffDelay(this.failures, this.backoff);
        if (error instanceof RetryAfter) pause = Math.max(pause, error.ms);
        wakeable = false;
      }
      if (this.wanted !== undefined) {
        if (this.current !== undefined && compareRevisions(this.current, this.wanted) >= 0) this.wanted = undefined;
        else if (wakeable) pause = Math.min(pause, WANTED_PAUSE);
      }
      if (pause > 0 && !this.stopped) await this.sleep(pause, wakeable);
    }
  }

  /** One sync step; returns the pause before the next. */
  private async cycle(sink: SnapshotSink): Promise<number> {
    const longPoll = this.mode === 'long-poll' && this.current !== undefined && this.wait > 0;
    const started = Date.now();
    let outcome: Outcome | 'full' = 'full';
    if (this.current !== undefined && this.changesEnabled) outcome = await this.pullChanges(sink, longPoll);
    if (outcome === 'full') outcome = await this.pullBundle(sink, longPoll && this.etag !== undefined && !this.behind);
    this.behind = false;
    // "Nothing new" from the server still tells the sink its snapshot is current.
    if (outcome === 'unchanged' && this.current !== undefined && !this.stopped) confirmTo(sink, this.current);
    if (this.mode === 'poll') return this.interval;
    // A server that ignores `wait` answers "unchanged" at once: poll it on the interval instead of
    // spinning.
    if (longPoll && outcome === 'unchanged' && Date.now() - started < Math.min(1000, (this.wait * 1000) / 2)) return this.interval;
    return 0;
  }

  private async pullChanges(sink: SnapshotSink, longPoll: boolean): Promise<Outcome | 'full'> {
    const url = new URL(this.changesUrl as URL);
    url.searchParams.set('since', this.current as Revision);
    if (longPoll) url.searchParams.set('wait', String(this.wait));
    const res = await this.get(url, longPoll, false);
    if (res.status === 304) return 'unchanged';
    if (res.status === 404) {
      this.changesEnabled = false;
      return 'full';
    }
    if (res.status === 410) {
      this.behind = true;
      return 'full';
    }
    if (res.status !== 200) throw httpError(res);
    const changes = decodeChanges(res.body);
    if (changes.from !== this.current) {
      throw new GatehouseError(
        'invalid_bundle',
        `invalid change set from ${res.url}: it starts at revision ${changes.from}, but ${this.current as Revision} was asked for`,
      );
    }
    this.etag = res.headers.get('etag') ?? undefined;
    // An empty range is "nothing new". An empty change set that advances the revision still goes
    // to the sink, so its revision (and any `atLeast` waiting on it) moves too.
    if (changes.from === changes.to) return 'unchanged';
    try {
      await sink.changes(changes);
    } catch (error) {
      // The sink could not apply the delta (its state differs): report it and reload in full.
      reportTo(sink, toGatehouseError(error));
      this.etag = undefined;
      this.behind = true;
      return 'full';
    }
    this.current = changes.to;
    if (changes.modelId !== undefined) this.currentModelId = changes.modelId;
    return 'updated';
  }

  private async pullBundle(sink: SnapshotSink, longPoll: boolean): Promise<Outcome> {
    const url = new URL(this.bundleUrl);
    if (longPoll) {
      url.searchParams.set('since', this.current as Revision);
      url.searchParams.set('wait', String(this.wait));
    }
    const res = await this.get(url, longPoll, true);
    if (res.status === 304) return 'unchanged';
    if (res.status !== 200) throw httpError(res);
    const data = decodeBundle(res.body);
    const etag = res.headers.get('etag') ?? undefined;
    // A browser cache may turn a 304 into a 200 with the same body: nothing new then.
    if (data.revision === this.current && data.modelId === this.currentModelId) {
      this.etag = etag;
      return 'unchanged';
    }
    await sink.snapshot(data);
    this.current = data.revision;
    this.currentModelId = data.modelId;
    this.etag = etag;
    return 'updated';
  }

  private async get(url: URL, longPoll: boolean, conditional: boolean): Promise<Fetched> {
    const headers = new Headers(await this.resolveHeaders());
    headers.set('accept', 'application/json');
    if (conditional && this.etag !== undefined) headers.set('if-none-match', this.etag);
    const limit = this.timeout + (longPoll ? this.wait * 1000 : 0);
    const controller = new AbortController();
    this.inflight = controller;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limit);
    const shown = url.toString();
    try {
      const res = await this.fetchFn(url, { method: 'GET', headers, signal: controller.signal });
      // Read the body under the same timer: a server that stalls mid-body must not hang the source.
      const body = await res.text();
      return { status: res.status, headers: res.headers, body, url: shown };
    } catch (error) {
      if (this.stopped) throw new GatehouseError('source_unavailable', 'stopped', { cause: error });
      if (timedOut) throw new GatehouseError('source_unavailable', `GET ${shown} timed out after ${limit} ms`, { cause: error });
      const reason = error instanceof Error ? error.message : String(error);
      throw new GatehouseError('source_unavailable', `GET ${shown} failed: ${reason}`, { cause: error });
    } finally {
      clearTimeout(timer);
      if (this.inflight === controller) this.inflight = undefined;
    }
  }

  private async resolveHeaders(): Promise<HeadersInit> {
    const h = this.headers;
    if (h === undefined) return {};
    try {
      return typeof h === 'function' ? await h() : h;
    } catch (error) {
      throw new GatehouseError('source_unavailable', `the headers option failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeper = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeper = { wake, wakeable };
    });
  }
}

// While a caller waits for a revision (requestRevision), polls come this often at most.
const WANTED_PAUSE = 200;

/** An HTTP error that carries the server's `Retry-After`, so the retry waits at least that long. */
class RetryAfter extends GatehouseError {
  constructor(
    message: string,
    readonly ms: number,
  ) {
    super('source_unavailable', message);
  }
}

function httpError(res: Fetched): GatehouseError {
  const snippet = res.body.slice(0, 200).replace(/\s+/g, ' ').trim();
  const message = `GET ${res.url} answered HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`;
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  return retryAfter === undefined ? new GatehouseError('source_unavailable', message) : new RetryAfter(message, retryAfter);
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function toURL(value: string | URL, option: string): URL {
  if (value instanceof URL) return new URL(value);
  try {
    return new URL(value);
  } catch {
    const base = typeof location === 'undefined' ? undefined : location.href;
    try {
      if (base !== undefined) return new URL(value, base);
    } catch {
      // fall through to the error below
    }
    throw new GatehouseError('validation_error', `HttpBundleSource: ${option} ${JSON.stringify(String(value))} is not an absolute URL`);
  }
}

function siblingURL(url: URL, name: string): URL {
  const sibling = new URL(name, url);
  sibling.search = url.search;
  return sibling;
}
