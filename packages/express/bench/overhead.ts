// Requests per second of a guarded route against the same route unguarded. The server runs here;
// the load comes from autocannon's CLI in a second process, so the load generator does not share
// this event loop. Rounds alternate between the routes to even out noise on a shared machine.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import express from 'express';
import { createAuthorizer, MemorySource } from '@gatehouse/core';
import type { TupleKey } from '@gatehouse/core';
import { parseDSL } from '@gatehouse/core/dsl';
import { decidePermission } from '@gatehouse/core/http';
import { param, requirePermission } from '../src/index';

const run = promisify(execFile);
// With BENCH_PIN=1 (Linux, util-linux's taskset) the load generator runs on CPU 1; start this
// process under `taskset -c 0` so server and client never compete for a core.
const pin = process.env.BENCH_PIN === '1';
const autocannon = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);

const model = parseDSL(`model
  schema 1.1
type user
type team
  relations
    define member: [user]
type album
  relations
    define editor: [user, team#member]
    define viewer: [user] or editor
type track
  relations
    define album: [album]
    define viewer: [user] or viewer from album
`);
const tuples: TupleKey[] = [
  { user: 'user:ada', relation: 'member', object: 'team:crew' },
  { user: 'team:crew#member', relation: 'editor', object: 'album:a1' },
  { user: 'album:a1', relation: 'album', object: 'track:t1' },
];
for (let i = 0; i < 1_000; i++) tuples.push({ user: `user:u${i}`, relation: 'viewer', object: `track:x${i}` });

const authorizer = createAuthorizer({ source: new MemorySource({ model, tuples, revision: 1 }) });
await authorizer.ready();
const options = { authorizer, getUser: (req: express.Request) => `user:${req.get('x-user') ?? ''}` };

const app = express();
const handler = (req: express.Request, res: express.Response): void => {
  res.json({ track: req.params.id });
};
app.get('/open/tracks/:id', handler);
// An empty middleware: what any extra Express layer costs, for comparison.
app.get('/noop/tracks/:id', (_req, _res, next) => next(), handler);
app.get('/guarded/tracks/:id', requirePermission('viewer', param('id', 'track'), options), handler);
const server = app.listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const { port } = server.address() as AddressInfo;

async function load(path: string): Promise<number> {
  const args = [autocannon, '-c', '50', '-d', String(seconds), '-j', '-H', 'x-user=ada', `http://127.0.0.1:${port}${path}`];
  const { stdout } = pin
    ? await run('taskset', ['-c', '1', process.execPath, ...args], { maxBuffer: 16 * 1024 * 1024 })
    : await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { requests: { average: number }; non2xx: number; errors: number };
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

await load('/open/tracks/t1'); // warm-up
await load('/guarded/tracks/t1');
const open: number[] = [];
const guarded: number[] = [];
const noop: number[] = [];
for (let i = 0; i < rounds; i++) {
  // Alternate which route goes first, so drift in the machine's load hits both alike.
  if (i % 2 === 0) {
    open.push(await load('/open/tracks/t1'));
    guarded.push(await load('/guarded/tracks/t1'));
  } else {
    guarded.push(await load('/guarded/tracks/t1'));
    open.push(await load('/open/tracks/t1'));
  }
  noop.push(await load('/noop/tracks/t1'));
}
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const overhead = ((mean(open) - mean(guarded)) / mean(open)) * 100;
const pairwise = median(open.map((o, i) => ((o - (guarded[i] ?? 0)) / o) * 100));

// The decision itself, in process, for scale: µs per guarded request.
const n = 200_000;
const started = performance.now();
for (let i = 0; i < n; i++) decidePermission(authorizer, { user: 'user:ada', relation: 'viewer', object: 'track:t1' });
const decisionUs = ((performance.now() - started) * 1000) / n;

process.stdout.write(
  `unguarded: ${mean(open).toFixed(0)} req/s  [${open.map((x) => x.toFixed(0)).join(', ')}]\n` +
    `guarded:   ${mean(guarded).toFixed(0)} req/s  [${guarded.map((x) => x.toFixed(0)).join(', ')}]\n` +
    `noop mw:   ${mean(noop).toFixed(0)} req/s  (an empty middleware: ${(((mean(open) - mean(noop)) / mean(open)) * 100).toFixed(1)}% below unguarded)\n` +
    `overhead:  ${overhead.toFixed(1)}% of mean req/s, median of paired rounds ${pairwise.toFixed(1)}% (target <= 10%)\n` +
    `decision:  ${decisionUs.toFixed(2)} µs per check in process; cache ${JSON.stringify(authorizer.cacheStats())}\n`,
);
server.close();
await authorizer.stop();
