import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createApp, createSeededAuthorizer } from './app';

/** One scripted request of the tour. */
export interface TourStep {
  readonly user?: string;
  readonly method: 'GET' | 'PUT';
  readonly path: string;
  readonly why: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The scripted tour: who asks for what, and why the answer is what it is. */
export const STEPS: readonly TourStep[] = [
  { user: 'ada', method: 'PUT', path: '/tracks/moonrise-01', why: 'label owner edits any track' },
  { user: 'ben', method: 'PUT', path: '/tracks/moonrise-02', why: 'luna-crew team edits Luna tracks' },
  { user: 'ben', method: 'PUT', path: '/tracks/paper-skies-01', why: 'but not Kite tracks' },
  { user: 'cleo', method: 'PUT', path: '/tracks/paper-skies-01', why: 'direct editor of one track' },
  { user: 'cleo', method: 'GET', path: '/albums/paper-skies', why: 'a track editor cannot see the whole album' },
  { user: 'dan', method: 'GET', path: '/tracks/moonrise-01', why: 'everyone may listen to a released track' },
  { user: 'dan', method: 'GET', path: '/tracks/moonrise-02', why: 'embargoed until 2030', headers: { 'x-now': '2026-06-01T00:00:00Z' } },
  { user: 'dan', method: 'GET', path: '/tracks/moonrise-02', why: 'released after 2030-01-01', headers: { 'x-now': '2030-06-01T00:00:00Z' } },
  { user: 'ben', method: 'GET', path: '/artists/luna/settings', why: 'editors are not artist admins' },
  { user: 'ada', method: 'GET', path: '/artists/luna/settings', why: 'label owner administers artists' },
  { user: 'ben', method: 'PUT', path: '/albums/moonrise', why: 'decorated controller: editor of the album' },
  { method: 'GET', path: '/tracks/moonrise-01', why: 'no x-user header: unauthenticated' },
  { user: 'ada', method: 'GET', path: '/tracks/bad%20id', why: 'malformed id' },
  { user: 'ben', method: 'GET', path: '/tracks', why: 'req.authz.listObjects: the tracks ben can see' },
];

/** Runs the tour against `baseUrl`; returns one printed line per step. */
export async function runTour(baseUrl: string): Promise<string[]> {
  const lines: string[] = [];
  for (const step of STEPS) {
    const headers: Record<string, string> = { ...step.headers };
    if (step.user !== undefined) headers['x-user'] = step.user;
    const res = await fetch(baseUrl + step.path, { method: step.method, headers });
    const body = (await res.json()) as Record<string, unknown>;
    const verdict = res.ok ? 'ALLOWED' : 'DENIED ';
    const extra = res.ok ? (step.path === '/tracks' ? ` ${JSON.stringify(body.tracks)}` : '') : ` (${String(body.title)}: ${String(body.detail)})`;
    lines.push(`${verdict} ${res.status} ${(step.user ?? '-').padEnd(4)} ${step.method.padEnd(3)} ${step.path.padEnd(24)} ${step.why}${extra}`);
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const authorizer = await createSeededAuthorizer();
  const server = createApp(authorizer).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`creator-platform API on http://127.0.0.1:${port}\n\n`);
  for (const line of await runTour(`http://127.0.0.1:${port}`)) process.stdout.write(`${line}\n`);
  server.close();
  await authorizer.stop();
}
