import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBundle } from '@gatehouse/core';
import { createPostgresStore } from '@gatehouse/postgres';
import { afterAll, describe, expect, it } from 'vitest';

const cliDir = fileURLToPath(new URL('..', import.meta.url));
const bin = join(cliDir, 'bin', 'gatehouse.mjs');
const fx = (name: string) => join('test', 'fixtures', name);
const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function gatehouse(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: cliDir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gatehouse validate', () => {
  it('accepts a valid DSL model', () => {
    const r = gatehouse('validate', fx('model.fga'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid');
  });

  it('reports problems as file:line:col code message (1-based) and exits 1', () => {
    const r = gatehouse('validate', fx('bad.fga'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('test/fixtures/bad.fga:8:30 missing-definition the relation `editor` does not exist.');
  });

  it('validates JSON models and prints --json', () => {
    const json = join(tmp, 'model.json');
    expect(gatehouse('transform', fx('model.fga'), '--out', json).code).toBe(0);
    const r = gatehouse('validate', json, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, diagnostics: [] });
  });
});

describe('gatehouse test', () => {
  it('runs a passing store file', () => {
    const r = gatehouse('test', fx('store.fga.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('8 passed, 0 failed');
  });

  it('prints each failing assertion with expected and actual, and exits 1', () => {
    const r = gatehouse('test', fx('store.fga.yaml'), fx('failing.fga.yaml'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL test/fixtures/failing.fga.yaml > wrong expectations > check user:sam owner channel:cooking');
    expect(r.stdout).toContain('expected: ["video:pasta","video:soup"]\n  actual:   ["video:pasta"]');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('9 passed, 2 failed');
  });

  it('gives machine-readable results with --json', () => {
    const r = gatehouse('test', fx('failing.fga.yaml'), '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { passed: number; failed: number; results: { passed: boolean; kind: string }[] };
    expect(out.passed).toBe(1);
    expect(out.failed).toBe(2);
    expect(out.results.filter((x) => !x.passed).map((x) => x.kind)).toEqual(['check', 'list_objects']);
  });

  it('names the file and line of bad YAML', () => {
    const r = gatehouse('test', fx('bad-yaml.fga.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-yaml\.fga\.yaml:6:1 .*YAML/);
  });

  it('reports a missing file clearly', () => {
    const r = gatehouse('test', fx('missing.fga.yaml'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('missing.fga.yaml');
    expect(r.stderr).not.toContain('internal error');
  });
});

describe('queries', () => {
  const store = ['--store', fx('store.fga.yaml')];
  const files = ['--model', fx('model.fga'), '--tuples', fx('tuples.yaml')];

  it('check honours --context and conditions', () => {
    expect(gatehouse('check', 'user:fan', 'viewer', 'video:pasta', ...store, '--context', '{"current_time":"2026-01-01T00:00:00Z"}').stdout).toBe('allowed\n');
    expect(gatehouse('check', 'user:fan', 'viewer', 'video:pasta', ...store, '--context', '{"current_time":"2031-01-01T00:00:00Z"}').stdout).toBe('denied\n');
    expect(JSON.parse(gatehouse('check', 'user:sam', 'editor', 'video:pasta', ...files, '--json').stdout)).toEqual({ allowed: true });
  });

  it('check accepts contextual tuples', () => {
    expect(gatehouse('check', 'user:zoe', 'editor', 'video:pasta', ...store).stdout).toBe('denied\n');
    const r = gatehouse('check', 'user:zoe', 'editor', 'video:pasta', ...store, '--contextual-tuple', 'team:crew#member@user:zoe');
    expect(r.stdout).toBe('allowed\n');
  });

  it('list-objects and list-users', () => {
    expect(gatehouse('list-objects', 'user:sam', 'editor', 'video', ...files).stdout).toBe('video:pasta\n');
    expect(gatehouse('list-users', 'channel:cooking', 'editor', 'user', 'team#member', ...store).stdout).toBe('team:crew#member\nuser:maya\nuser:sam\n');
  });

  it('explain prints the evaluation path', () => {
    const r = gatehouse('explain', 'user:sam', 'editor', 'video:pasta', ...store);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('allowed');
    expect(r.stdout).toContain('tuple team:crew#member@user:sam');
  });

  it('needs a source', () => {
    const r = gatehouse('check', 'user:sam', 'editor', 'video:pasta');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--store');
  });
});

describe('bundle and transform', () => {
  it('builds a bundle that decodes to the store', () => {
    const out = join(tmp, 'policy.bundle.json');
    expect(gatehouse('bundle', '--store', fx('store.fga.yaml'), '--revision', '7', '--out', out).code).toBe(0);
    const data = decodeBundle(readFileSync(out, 'utf8'));
    expect(data.revision).toBe('7');
    expect(data.tuples).toHaveLength(5);
    expect(data.model.type_definitions.map((t) => t.type)).toEqual(['user', 'team', 'channel', 'video']);
  });

  it('converts DSL to JSON and back', () => {
    const json = gatehouse('transform', fx('model.fga'));
    expect(json.code).toBe(0);
    const model = JSON.parse(json.stdout) as { schema_version: string };
    expect(model.schema_version).toBe('1.1');
    const file = join(tmp, 'roundtrip.json');
    writeFileSync(file, json.stdout);
    const dsl = gatehouse('transform', file);
    expect(dsl.code).toBe(0);
    expect(dsl.stdout).toContain('define editor: editor from channel');
    expect(dsl.stdout).toContain('condition active_subscription(');
    const dslFile = join(tmp, 'roundtrip.fga');
    writeFileSync(dslFile, dsl.stdout);
    expect(JSON.parse(gatehouse('transform', dslFile, '--to', 'json').stdout)).toEqual(model);
  });
});

describe('gatehouse types', () => {
  it('generates a module that type-checks and rejects wrong relations', () => {
    const r = gatehouse('types', fx('model.fga'));
    expect(r.code).toBe(0);
    writeFileSync(join(tmp, 'authz.ts'), r.stdout);
    writeFileSync(
      join(tmp, 'use.ts'),
      `import { relations, type CheckRequest, type ConditionContexts, type GatehouseSchema } from './authz';
const ok: CheckRequest = { user: 'team:crew#member', relation: 'editor', object: 'video:pasta' };
// @ts-expect-error owner is a relation of channel, not of video
const bad: CheckRequest = { user: 'user:anne', relation: 'owner', object: 'video:pasta' };
const ctx: ConditionContexts['active_subscription'] = { current_time: '2026-01-01T00:00:00Z' };
const rel: GatehouseSchema['channel'] = 'subscriber';
export const all = [ok, bad, ctx, rel, relations.video];
`,
    );
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const check = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', join(tmp, 'use.ts')], { encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('help and usage', () => {
  it.each(['validate', 'test', 'check', 'list-objects', 'list-users', 'explain', 'bundle', 'transform', 'types'])('%s --help shows an example', (cmd) => {
    const r = gatehouse(cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: gatehouse ${cmd}`);
    expect(r.stdout).toContain('Example: gatehouse');
  });

  it('top-level help and unknown commands', () => {
    expect(gatehouse('--help').stdout).toContain('Commands:');
    const r = gatehouse('frobnicate');
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('uses no colour when output is not a terminal', () => {
    expect(gatehouse('test', fx('failing.fga.yaml')).stdout).not.toContain('\u001b[');
  });
});

describe('gatehouse migrate', () => {
  it('migrates a schema from the built binary (the PostgreSQL driver is loaded for this command only)', async () => {
    const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `gh_cli_bin_${process.pid}`;
    try {
      const r = gatehouse('migrate', '--database-url', url, '--schema', schema, '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ schema, from: 0, to: 1 });
      expect(gatehouse('migrate', '--help').stdout).toContain('Usage: gatehouse migrate');
    } finally {
      const store = createPostgresStore({ connectionString: url, schema });
      await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await store.close();
    }
  });
});
