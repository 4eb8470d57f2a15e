// A separate process that follows a store as a service would: a PostgresSource feeding an
// authorizer. Used by process.test.ts and bench/run.ts.
//
//   node --import tsx --conditions=@gatehouse/source test/follower.ts '{"storeId":"…","schema":"…","listen":true,"pollInterval":1000}'
//
// It prints one JSON line per event on stdout: {"type":"ready","revision"}, then
// {"type":"snapshot","revision","at","allowed"} for every snapshot the authorizer swaps in (`at` is
// performance.timeOrigin + performance.now(), comparable across processes on one machine;
// `allowed` is the check of `probe`, when given), and {"type":"error","code"} for sync errors.
// It stops cleanly when stdin closes.
import { createAuthorizer, type TupleKey } from '@gatehouse/core';
import { createPostgresSource } from '../src/index';

interface FollowerConfig {
  readonly storeId: string;
  readonly schema: string;
  readonly listen: boolean;
  readonly pollInterval: number;
  readonly probe?: TupleKey;
}

const config = JSON.parse(process.argv[2] ?? '{}') as FollowerConfig;
const url = process.env.DATABASE_URL ?? (process.env.PGHOST ? undefined : 'postgres://postgres@127.0.0.1:5432/test');
const source = createPostgresSource({
  storeId: config.storeId,
  schema: config.schema,
  ...(url === undefined ? {} : { connectionString: url }),
  listen: config.listen,
  pollInterval: config.pollInterval,
  applicationName: 'gatehouse-follower',
});
const authorizer = createAuthorizer({ source, autoStart: false });
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
const now = () => performance.timeOrigin + performance.now();

authorizer.on('snapshot', (event) => {
  const at = now();
  const allowed = config.probe === undefined ? undefined : authorizer.check(config.probe).allowed;
  say({ type: 'snapshot', revision: event.revision, at, allowed });
});
authorizer.on('syncError', (error) => say({ type: 'error', code: error.code, message: error.message }));

await authorizer.start();
await authorizer.ready();
// With LISTEN, report ready only once the wake-up path is up, so the first write is not a poll.
const deadline = Date.now() + 10_000;
while (config.listen && !source.listening && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
say({ type: 'ready', revision: authorizer.getSnapshot()?.revision, listening: source.listening });

process.stdin.resume();
process.stdin.on('end', () => {
  void authorizer.stop().then(() => process.exit(0));
});
