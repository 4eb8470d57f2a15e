import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../lib/session';
import { CHROMIUM, browserAvailable } from './browser';

// End to end against the production build (made by test/global-setup.ts): `next start` on a
// free port, driven by Debian's Chromium through playwright-core. Screenshots of each state go
// to test-results/.

const APP = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(APP, 'test-results');
const NEXT_BIN = join(APP, 'node_modules', 'next', 'dist', 'bin', 'next');
// The policy bundle's shared secret for this server (instead of the one instrumentation.ts would
// make up), so the test can ask the bundle route itself.
const POLICY_TOKEN = `e2e-${crypto.randomUUID()}`;

interface Server {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly exited: Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startServer(): Promise<Server> {
  mkdirSync(RESULTS, { recursive: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = createWriteStream(join(RESULTS, 'next-start.log'));
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: APP,
    // Its own process group, so stopping it also stops any worker it forks.
    detached: true,
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', GATEHOUSE_POLICY_TOKEN: POLICY_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  let running = true;
  void exited.then(() => {
    running = false;
    log.end();
  });
  while (Date.now() < deadline) {
    if (!running) throw new Error(`next start exited early:\n${output}`);
    try {
      const res = await fetch(`${baseUrl}/sign-in`);
      if (res.ok) return { child, baseUrl, exited };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`next start did not answer within 60 s:\n${output}`);
}

async function stopServer(server: Server | undefined): Promise<void> {
  if (server?.child.pid === undefined || server.child.exitCode !== null) return;
  const group = -server.child.pid;
  process.kill(group, 'SIGTERM');
  const killed = await Promise.race([server.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
  if (!killed) process.kill(group, 'SIGKILL');
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });

/** Signs in through the sign-in page, as a person would. */
async function signIn(page: Page, baseUrl: string, name: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await page.waitForURL(`${baseUrl}/`);
  await expect.poll(() => page.getByTestId('current-user').textContent()).toBe(`Signed in as ${name}`);
}

/** A fetch as a seeded user (or anonymous), the session cookie in the header. */
function api(baseUrl: string, path: string, user?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (user !== undefined) headers.set('cookie', `${SESSION_COOKIE}=${user}`);
  return fetch(`${baseUrl}${path}`, { ...init, headers, redirect: 'manual' });
}

const available = browserAvailable();
if (!available) process.stderr.write(`[next-app e2e] skipped: no Chromium at ${CHROMIUM} (set GATEHOUSE_CHROMIUM)\n`);

describe.skipIf(!available)('examples/next-app in Chromium', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const base = () => (server as Server).baseUrl;

  async function newPage(): Promise<Page> {
    const context = await (browser as Browser).newContext({ viewport: { width: 1000, height: 720 } });
    // Fail in seconds, not at the test timeout, when an element never shows up.
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    return context.newPage();
  }

  beforeAll(async () => {
    server = await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await stopServer(server);
  }, 30_000);

  it('builds the guard as Edge middleware (middleware.ts, not a Node.js proxy)', () => {
    // Edge middleware is listed here with its files under server/edge/; a Node.js proxy is not.
    const manifest = JSON.parse(readFileSync(join(APP, '.next', 'server', 'middleware-manifest.json'), 'utf8')) as {
      middleware: Record<string, { files: string[]; matchers?: { originalSource?: string }[] }>;
    };
    const entries = Object.values(manifest.middleware);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.files.length).toBeGreaterThan(0);
    expect(entries[0]?.files.every((file) => file.startsWith('server/edge/'))).toBe(true);
    expect(entries[0]?.matchers?.map((m) => m.originalSource)).toEqual(['/artists/:id/edit']);
  });

  it('an editor sees the Edit button, opens the edit page and renames the artist', async () => {
    const page = await newPage();
    await signIn(page, base(), 'Ada');
    const res = await page.goto(`${base()}/artists/nova`);
    expect(res?.status()).toBe(200);
    await expect.poll(() => page.getByTestId('edit-button').isVisible()).toBe(true);
    expect(await page.getByTestId('read-only').count()).toBe(0);
    // The browser gets this user's decisions, never the tuples behind them.
    const html = await page.content();
    for (const tupleText of ['team:nova-crew', 'label:nightowl', 'user:cleo', 'user:*']) expect(html).not.toContain(tupleText);
    await shot(page, '01-editor-artist-page');

    await page.getByTestId('edit-button').click();
    await page.waitForURL(`${base()}/artists/nova/edit`);
    await page.getByLabel('Name').fill('Nova Prime');
    await page.getByTestId('rename-submit').click();
    await expect.poll(() => page.getByTestId('rename-result').textContent()).toBe('Renamed to Nova Prime.');
    await shot(page, '02-editor-renamed');

    await page.goto(`${base()}/artists/nova`);
    expect(await page.getByTestId('artist-name').textContent()).toBe('Nova Prime');
    // Put the name back for the other tests.
    await page.goto(`${base()}/artists/nova/edit`);
    await page.getByLabel('Name').fill('Nova');
    await page.getByTestId('rename-submit').click();
    await expect.poll(() => page.getByTestId('rename-result').textContent()).toBe('Renamed to Nova.');
  });

  it('a viewer does not see Edit, and the middleware answers the edit page with 403', async () => {
    const page = await newPage();
    await signIn(page, base(), 'Ben');
    await page.goto(`${base()}/artists/nova`);
    await expect.poll(() => page.getByTestId('read-only').isVisible()).toBe(true);
    expect(await page.getByTestId('edit-button').count()).toBe(0);
    await shot(page, '03-viewer-artist-page');

    const res = await page.goto(`${base()}/artists/nova/edit`);
    expect(res?.status()).toBe(403);
    // The middleware's rewrite target, not the page: the edit page never ran.
    expect(await page.getByTestId('middleware-denied').isVisible()).toBe(true);
    expect(await page.getByLabel('Name').count()).toBe(0);
    expect(page.url()).toBe(`${base()}/artists/nova/edit`);
    await shot(page, '04-viewer-edit-page-403');
  });

  it('an anonymous visitor is redirected to sign in, and comes back after signing in', async () => {
    const page = await newPage();
    const res = await page.goto(`${base()}/artists/nova/edit`);
    const redirect = res?.request().redirectedFrom();
    expect(redirect?.url()).toBe(`${base()}/artists/nova/edit`);
    expect([302, 303, 307, 308]).toContain((await redirect?.response())?.status());
    const landed = new URL(page.url());
    expect(landed.pathname).toBe('/sign-in');
    expect(landed.searchParams.get('next')).toBe('/artists/nova/edit');
    await shot(page, '05-anonymous-redirected-to-sign-in');

    await page.getByRole('button', { name: 'Sign in as Ada' }).click();
    await page.waitForURL(`${base()}/artists/nova/edit`);
    expect(await page.getByRole('heading', { name: 'Edit Nova' }).isVisible()).toBe(true);
  });

  it('the artist page asserts viewer in the server component: 401 signed out, 403 without the relation', async () => {
    const page = await newPage();
    const anonymous = await page.goto(`${base()}/artists/nova`);
    expect(anonymous?.status()).toBe(401);
    expect(await page.getByTestId('page-unauthorized').isVisible()).toBe(true);
    await signIn(page, base(), 'Dan');
    const denied = await page.goto(`${base()}/artists/kite`);
    expect(denied?.status()).toBe(403);
    expect(await page.getByTestId('page-forbidden').isVisible()).toBe(true);
    const allowed = await page.goto(`${base()}/artists/nova`);
    expect(allowed?.status()).toBe(200);
    expect(await page.getByTestId('read-only').isVisible()).toBe(true);
  });

  it('the rename server action refuses a viewer, with a visible message', async () => {
    const page = await newPage();
    await signIn(page, base(), 'Ada');
    await page.goto(`${base()}/artists/nova/edit`);
    await page.getByLabel('Name').fill('Hijacked');
    // Another tab signs in as Ben, so this tab's open form now posts as Ben: the action checks
    // on the server instead of trusting the page it was posted from (whose header still says Ada).
    const otherTab = await page.context().newPage();
    await signIn(otherTab, base(), 'Ben');
    await otherTab.close();
    await page.getByTestId('rename-submit').click();
    await expect.poll(() => page.getByTestId('rename-result').textContent()).toBe('Refused: user:ben may not edit artist:nova.');
    await shot(page, '06-viewer-server-action-refused');
    // Signed out altogether: refused as well, and told to sign in.
    await page.context().clearCookies();
    await page.getByTestId('rename-submit').click();
    await expect.poll(() => page.getByTestId('rename-result').textContent()).toBe('Refused: sign in first.');
    const artist = (await (await api(base(), '/api/artists/nova', 'ben')).json()) as { name: string };
    expect(artist.name).toBe('Nova');
  });

  it('guards the API route: 401, 403 and 400 as problem+json, 200 when allowed', async () => {
    const expectProblem = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(((await res.json()) as { status: number }).status).toBe(status);
    };
    await expectProblem(await api(base(), '/api/artists/nova'), 401);
    await expectProblem(await api(base(), '/api/artists/kite', 'dan'), 403);
    await expectProblem(await api(base(), '/api/artists/bad%20id', 'ada'), 400);
    const patch = (user: string, name: string, id = 'nova') =>
      api(base(), `/api/artists/${id}`, user, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    await expectProblem(await patch('ben', 'Nope'), 403);

    const publicArtist = await api(base(), '/api/artists/nova', 'dan');
    expect(publicArtist.status).toBe(200);
    expect(((await publicArtist.json()) as { name: string }).name).toBe('Nova');
    expect((await api(base(), '/api/artists/kite', 'ben')).status).toBe(200);
    // cleo owns the label, so she edits Kite through `editor from label`.
    const renamed = await patch('cleo', 'Kite');
    expect(renamed.status).toBe(200);
    expect((await patch('ada', '  ')).status).toBe(400);
  });

  it('serves the policy bundle only with the policy token, revalidating with ETag / 304', async () => {
    expect((await api(base(), '/api/policy/bundle')).status).toBe(401);
    expect((await api(base(), '/api/policy/bundle', 'ada')).status).toBe(401);
    const auth = { authorization: `Bearer ${POLICY_TOKEN}` };
    const full = await api(base(), '/api/policy/bundle', undefined, { headers: auth });
    expect(full.status).toBe(200);
    const etag = full.headers.get('etag');
    expect(etag).toMatch(/^W\/"\d+"$/);
    expect(((await full.json()) as { format: string }).format).toBe('gatehouse.bundle');
    const again = await api(base(), '/api/policy/bundle', undefined, { headers: { ...auth, 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
  });
});
