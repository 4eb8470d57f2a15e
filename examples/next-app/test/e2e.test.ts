import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBundle } from '@gatehouse/core';
import { SESSION_COOKIE } from '../lib/session';
import { EDGE_POLL_INTERVAL_MS } from '../lib/sync';
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

/**
 * Polls a page as a seeded user until it answers `status`; resolves with the ms elapsed since
 * `since`. Fails after `timeoutMs`, naming the last status seen.
 */
async function waitForStatus(baseUrl: string, path: string, user: string, status: number, since: number, timeoutMs: number): Promise<number> {
  let last = 0;
  for (;;) {
    const res = await api(baseUrl, path, user);
    last = res.status;
    await res.body?.cancel();
    if (last === status) return Date.now() - since;
    if (Date.now() - since > timeoutMs) throw new Error(`${path} as ${user} still answered ${last}, not ${status}, after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The revision a team action reported in its message (`... (revision 123).`). */
function revisionIn(message: string | null): bigint {
  const match = /\(revision (\d+)\)\.$/.exec(message ?? '');
  if (match?.[1] === undefined) throw new Error(`no revision in ${JSON.stringify(message)}`);
  return BigInt(match[1]);
}

// The middleware revalidates its snapshot every EDGE_POLL_INTERVAL_MS, so a change reaches it
// within one interval plus a request; three intervals leave room for a slow, shared machine.
const PROPAGATION_TIMEOUT_MS = 3 * EDGE_POLL_INTERVAL_MS;

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

  /** The revision the bundle route serves now (its ETag), and whether it holds a tuple. */
  async function bundleState(tuple?: { user: string; relation: string; object: string }): Promise<{ revision: bigint; holds: boolean }> {
    const res = await api(base(), '/api/policy/bundle', undefined, { headers: { authorization: `Bearer ${POLICY_TOKEN}` } });
    expect(res.status).toBe(200);
    const revision = BigInt(/^W\/"(\d+)"$/.exec(res.headers.get('etag') ?? '')?.[1] ?? '-1');
    const { tuples } = decodeBundle(await res.text());
    const holds = tuple !== undefined && tuples.some((t) => t.user === tuple.user && t.relation === tuple.relation && t.object === tuple.object);
    return { revision, holds };
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
    const renamed = await patch('cleo', 'Kite', 'kite');
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { id: string }).id).toBe('kite');
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

  it('the team page is for managers: 401 signed out, 403 for viewers and editors, the Team button only for managers', async () => {
    const page = await newPage();
    expect((await page.goto(`${base()}/artists/kite/team`))?.status()).toBe(401);
    // Ada edits Nova (through her team) but does not manage it.
    await signIn(page, base(), 'Ada');
    await page.goto(`${base()}/artists/nova`);
    await expect.poll(() => page.getByTestId('edit-button').isVisible()).toBe(true);
    expect(await page.getByTestId('team-button').count()).toBe(0);
    expect((await page.goto(`${base()}/artists/nova/team`))?.status()).toBe(403);
    expect(await page.getByTestId('page-forbidden').isVisible()).toBe(true);
    await signIn(page, base(), 'Ben');
    expect((await page.goto(`${base()}/artists/kite/team`))?.status()).toBe(403);

    // Cleo owns the label, so she manages every artist on it.
    await signIn(page, base(), 'Cleo');
    await page.goto(`${base()}/artists/kite`);
    await page.getByTestId('team-button').click();
    await page.waitForURL(`${base()}/artists/kite/team`);
    expect(await page.getByRole('heading', { name: 'Team of Kite' }).isVisible()).toBe(true);
    expect(await page.getByTestId('member-ben-role').textContent()).toBe('not an editor');
    expect(await page.getByTestId('member-cleo-role').textContent()).toBe('editor through a team or the label');
    // An inherited role is not this page's to revoke.
    expect(await page.getByTestId('member-cleo').getByRole('button').count()).toBe(0);
    expect(await page.getByTestId('grant-ben').isVisible()).toBe(true);
    await shot(page, '07-manager-team-page');
  });

  it('a grant reaches the server at once and the Edge middleware within its poll interval; so does a revoke', async () => {
    const manager = await newPage();
    const ben = await newPage();
    await signIn(manager, base(), 'Cleo');
    await signIn(ben, base(), 'Ben');
    const editorTuple = { user: 'user:ben', relation: 'editor', object: 'artist:kite' };
    expect((await bundleState(editorTuple)).holds).toBe(false);
    // Before: the middleware (already holding a snapshot after this request) refuses the edit page.
    expect((await ben.goto(`${base()}/artists/kite/edit`))?.status()).toBe(403);
    await manager.goto(`${base()}/artists/kite/team`);
    let granted = false;
    try {
      // Grant.
      const grantedAt = Date.now();
      await manager.getByTestId('grant-ben').click();
      granted = true;
      await expect.poll(() => manager.getByTestId('team-result').textContent()).toMatch(/^Ben may now edit Kite \(revision \d+\)\.$/);
      const grantRevision = revisionIn(await manager.getByTestId('team-result').textContent());
      await expect.poll(() => manager.getByTestId('member-ben-role').textContent()).toBe('editor (granted here)');
      await shot(manager, '08-manager-granted-editor');
      // The bundle route serves the new revision, with the grant.
      expect(await bundleState(editorTuple)).toEqual({ revision: grantRevision, holds: true });

      // Server-side checks read the write at once: Ben sees Edit on his very next page load.
      const artistRes = await ben.goto(`${base()}/artists/kite`);
      expect(artistRes?.status()).toBe(200);
      await expect.poll(() => ben.getByTestId('edit-button').isVisible()).toBe(true);
      const shown = /decisions at revision (\d+)/.exec((await ben.getByText(/decisions at revision/).textContent()) ?? '');
      expect(BigInt(shown?.[1] ?? '0')).toBeGreaterThanOrEqual(grantRevision);
      const editRightAfterGrant = (await api(base(), '/artists/kite/edit', 'ben')).status;
      await shot(ben, '09-granted-editor-artist-page');

      // The Edge middleware catches up at its next poll of the bundle.
      const grantLatency = await waitForStatus(base(), '/artists/kite/edit', 'ben', 200, grantedAt, PROPAGATION_TIMEOUT_MS);
      expect((await ben.goto(`${base()}/artists/kite/edit`))?.status()).toBe(200);
      expect(await ben.getByRole('heading', { name: 'Edit Kite' }).isVisible()).toBe(true);
      await shot(ben, '10-granted-editor-edit-page');

      // Revoke, while Ben still has the edit page open.
      const revokedAt = Date.now();
      await manager.getByTestId('revoke-ben').click();
      await expect.poll(() => manager.getByTestId('team-result').textContent()).toMatch(/^Revoked Ben's editor grant on Kite \(revision \d+\)\.$/);
      granted = false;
      const revokeRevision = revisionIn(await manager.getByTestId('team-result').textContent());
      expect(revokeRevision).toBeGreaterThan(grantRevision);
      await expect.poll(() => manager.getByTestId('member-ben-role').textContent()).toBe('not an editor');
      expect(await bundleState(editorTuple)).toEqual({ revision: revokeRevision, holds: false });
      // Whatever the middleware still believes, the rename action checks on the server: refused at once.
      await ben.getByLabel('Name').fill('Kite (by Ben)');
      await ben.getByTestId('rename-submit').click();
      await expect.poll(() => ben.getByTestId('rename-result').textContent()).toBe('Refused: user:ben may not edit artist:kite.');
      await shot(ben, '11-revoked-editor-rename-refused');
      const editRightAfterRevoke = (await api(base(), '/artists/kite/edit', 'ben')).status;

      const revokeLatency = await waitForStatus(base(), '/artists/kite/edit', 'ben', 403, revokedAt, PROPAGATION_TIMEOUT_MS);
      expect((await ben.goto(`${base()}/artists/kite/edit`))?.status()).toBe(403);
      expect(await ben.getByTestId('middleware-denied').isVisible()).toBe(true);
      await shot(ben, '12-revoked-editor-edit-page-403');
      await ben.goto(`${base()}/artists/kite`);
      await expect.poll(() => ben.getByTestId('read-only').isVisible()).toBe(true);
      expect(((await (await api(base(), '/api/artists/kite', 'cleo')).json()) as { name: string }).name).toBe('Kite');

      process.stderr.write(
        `[next-app e2e] Edge middleware propagation (poll interval ${EDGE_POLL_INTERVAL_MS} ms): grant ${grantLatency} ms ` +
          `(edit page right after the write: ${editRightAfterGrant}), revoke ${revokeLatency} ms (right after: ${editRightAfterRevoke})\n`,
      );
    } finally {
      // Leave the seed state for the other tests, even after a failure halfway.
      if (granted) {
        await manager.goto(`${base()}/artists/kite/team`);
        if ((await manager.getByTestId('revoke-ben').count()) > 0) await manager.getByTestId('revoke-ben').click();
        await expect.poll(() => manager.getByTestId('member-ben-role').textContent()).toBe('not an editor');
      }
    }
  }, 90_000);

  it('the team action refuses a non-manager, with a visible message, and writes nothing', async () => {
    const page = await newPage();
    await signIn(page, base(), 'Cleo');
    await page.goto(`${base()}/artists/nova/team`);
    const before = await bundleState();
    // Another tab switches the session, so this tab's open form now posts as someone else: the
    // action checks on the server instead of trusting the page that showed the button.
    for (const [name, user] of [
      ['Ada', 'user:ada'], // edits Nova, does not manage it
      ['Ben', 'user:ben'], // views Nova
    ] as const) {
      const otherTab = await page.context().newPage();
      await signIn(otherTab, base(), name);
      await otherTab.close();
      await page.getByTestId('grant-ben').click();
      await expect.poll(() => page.getByTestId('team-result').textContent()).toBe(`Refused: ${user} may not manage artist:nova.`);
      if (name === 'Ben') await shot(page, '13-non-manager-team-action-refused');
    }
    await page.context().clearCookies();
    await page.getByTestId('grant-ben').click();
    await expect.poll(() => page.getByTestId('team-result').textContent()).toBe('Refused: sign in first.');
    // Nothing was written: same revision, no grant.
    expect(await bundleState({ user: 'user:ben', relation: 'editor', object: 'artist:nova' })).toEqual({ revision: before.revision, holds: false });
  });
});
