import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresStore } from '@gatehouse/postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { run, type CliIO } from './run';

const fixture = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));

async function capture(argv: string[], tty: boolean, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: tty, env };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

describe('run', () => {
  it('colours output on a terminal only, and never with NO_COLOR', async () => {
    const args = ['test', fixture('failing.fga.yaml')];
    expect((await capture(args, true)).stdout).toContain('\u001b[31m');
    expect((await capture(args, true, { NO_COLOR: '1' })).stdout).not.toContain('\u001b[');
    expect((await capture(args, false)).stdout).not.toContain('\u001b[');
  });

  it('runs store files with an inline model and list_users assertions', async () => {
    const r = await capture(['test', fixture('inline.fga.yaml')], false);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2 passed, 0 failed\n');
  });

  it('validates and transforms modular models (fga.mod)', async () => {
    expect((await capture(['validate', fixture('modular/fga.mod')], false)).code).toBe(0);
    const r = await capture(['transform', fixture('modular/fga.mod')], false);
    const model = JSON.parse(r.stdout) as { schema_version: string; type_definitions: { type: string }[] };
    expect(model.schema_version).toBe('1.2');
    expect(model.type_definitions.map((t) => t.type)).toEqual(['user', 'channel']);
  });

  it('reports a bad --context as an input error (exit 1), a bad flag as usage (exit 64)', async () => {
    const store = ['--store', fixture('store.fga.yaml')];
    const bad = await capture(['check', 'user:maya', 'owner', 'channel:cooking', ...store, '--context', '{nope'], false);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--context is not valid JSON');
    expect((await capture(['check', '--bogus'], false)).code).toBe(64);
  });
});

describe('tuple files', () => {
  it('reads test-level tuple files in every format the OpenFGA CLI reads, CSV included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
    try {
      writeFileSync(
        join(dir, 'subscribers.csv'),
        'user_type,user_id,user_relation,relation,object_type,object_id,condition_name,condition_context\n' +
          'user,fan,,subscriber,channel,cooking,active_subscription,"{""expires_at"":""2030-01-01T00:00:00Z""}"\n',
      );
      writeFileSync(join(dir, 'owners.jsonl'), '{"user":"user:maya","relation":"owner","object":"channel:cooking"}\n');
      writeFileSync(
        join(dir, 'store.fga.yaml'),
        [
          `model_file: ${JSON.stringify(fixture('model.fga'))}`,
          'tests:',
          '  - name: csv and jsonl',
          '    tuple_files: [./subscribers.csv, ./owners.jsonl]',
          '    check:',
          '      - user: user:fan',
          '        object: channel:cooking',
          '        context: { current_time: "2026-01-01T00:00:00Z" }',
          '        assertions: { subscriber: true, editor: false }',
          '      - user: user:fan',
          '        object: channel:cooking',
          '        context: { current_time: "2031-01-01T00:00:00Z" }',
          '        assertions: { subscriber: false }',
          '      - user: user:maya',
          '        object: channel:cooking',
          '        assertions: { editor: true }',
          '',
        ].join('\n'),
      );
      const r = await capture(['test', join(dir, 'store.fga.yaml')], false);
      expect(r).toEqual({ code: 0, stdout: '4 passed, 0 failed\n', stderr: '' });
      writeFileSync(join(dir, 'owners.jsonl'), '{"user":"user:maya","relation":"owner"}\n');
      const bad = await capture(['test', join(dir, 'store.fga.yaml')], false);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('owners.jsonl:1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('contextual tuples', () => {
  it('carry a condition and its context: object#relation@user with NAME {json}', async () => {
    const store = ['--store', fixture('store.fga.yaml')];
    const args = (tuple: string, now: string) => ['check', 'user:newfan', 'viewer', 'video:pasta', ...store, '--context', JSON.stringify({ current_time: now }), '--contextual-tuple', tuple];
    const tuple = 'channel:cooking#subscriber@user:newfan with active_subscription {"expires_at":"2030-01-01T00:00:00Z"}';
    expect(await capture(args(tuple, '2026-01-01T00:00:00Z'), false)).toEqual({ code: 0, stdout: 'allowed\n', stderr: '' });
    expect((await capture(args(tuple.replace(/ with .*/, ''), '2026-01-01T00:00:00Z'), false)).stdout).toBe('allowed\n');
    const expired = await capture(args(tuple, '2031-01-01T00:00:00Z'), false);
    expect(expired.stdout).toBe('denied\n');
    const bad = await capture(args('channel:cooking#subscriber@user:newfan with active_subscription {nope', '2026-01-01T00:00:00Z'), false);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('the condition context is not valid JSON');
  });
});

describe('internal errors', () => {
  it('reports a failure that is not a Gatehouse error as a bug: exit 2', async () => {
    let stderr = '';
    const io: CliIO = {
      stdout: () => {
        throw new TypeError('stdout is gone');
      },
      stderr: (t) => (stderr += t),
      isTTY: false,
      env: {},
    };
    expect(await run(['validate', fixture('model.fga')], io)).toBe(2);
    expect(stderr).toMatch(/^internal error, please report: TypeError: stdout is gone/);
  });
});

describe('migrate', () => {
  // The PostgreSQL server of the test environment; each run migrates a fresh schema, dropped after.
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `gh_cli_${randomBytes(5).toString('hex')}`;
  afterAll(async () => {
    const store = createPostgresStore({ connectionString: url, schema });
    await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await store.close();
  });

  it('creates the schema, then reports it up to date', async () => {
    const first = await capture(['migrate', '--database-url', url, '--schema', schema], false);
    expect(first).toEqual({ code: 0, stdout: `migrated schema ${schema} from version 0 to 1:\n  1 stores, models, tuples and changelog\n`, stderr: '' });
    const second = await capture(['migrate', '--schema', schema, '--json'], false, { DATABASE_URL: url });
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({ schema, from: 1, to: 1, applied: [] });
    expect((await capture(['migrate', '--schema', schema], false, { DATABASE_URL: url })).stdout).toBe(`schema ${schema} is up to date (version 1)\n`);
  });

  it('needs a database URL (usage, exit 64), and reports bad input or an unreachable server (exit 1)', async () => {
    const missing = await capture(['migrate'], false);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('--database-url');
    const badSchema = await capture(['migrate', '--database-url', url, '--schema', 'no such schema'], false);
    expect(badSchema.code).toBe(1);
    expect(badSchema.stderr).toContain('(validation_error)');
    const down = await capture(['migrate', '--database-url', 'postgres://postgres@127.0.0.1:1/test'], false);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('(source_unavailable)');
  });
});
