import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
