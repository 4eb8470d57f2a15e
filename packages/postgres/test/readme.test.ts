import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Authorizer } from '@gatehouse/core';
import type { PostgresStore } from '../src/index';
import { adminPool, connectionString, uniqueSchema } from './helpers';

// The README opens with an example that must run as written against a real server: point its
// imports at the sources and its store at a fresh schema, run it, and check the decision it makes.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const core = resolve(root, '../core/src');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const dir = mkdtempSync(join(root, 'test', '.readme-'));
const schema = uniqueSchema('readme');
let opened: { store: PostgresStore; authorizer: Authorizer } | undefined;

afterAll(async () => {
  await opened?.authorizer.stop();
  await opened?.store.close();
  const admin = adminPool(1);
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

describe('README example', () => {
  it('is at most a dozen lines of code', () => {
    expect(example.split('\n').filter((line) => line.trim() !== '').length).toBeLessThanOrEqual(14);
  });

  it('writes a model and a tuple, follows the store, and allows the check at the written revision', async () => {
    const url = connectionString();
    const code =
      example
        .replace("from '@gatehouse/core/dsl'", `from '${pathToFileURL(join(core, 'dsl/index.ts')).href}'`)
        .replace("from '@gatehouse/core'", `from '${pathToFileURL(join(core, 'index.ts')).href}'`)
        .replace("from '@gatehouse/postgres'", `from '${pathToFileURL(join(root, 'src/index.ts')).href}'`)
        .replace('createPostgresStore({ connectionString: process.env.DATABASE_URL })', `createPostgresStore({ connectionString: ${JSON.stringify(url)}, schema: ${JSON.stringify(schema)} })`)
        .replace(/^(authorizer\.check\(.*\));/m, 'console.log($1);') + '\nexport { store, authorizer, revision };\n';
    expect(code).toContain(schema);
    const file = join(dir, 'example.ts');
    writeFileSync(file, code);
    const printed: unknown[] = [];
    vi.spyOn(console, 'log').mockImplementation((value: unknown) => {
      printed.push(value);
    });
    const module = (await import(pathToFileURL(file).href)) as { store: PostgresStore; authorizer: Authorizer; revision: string };
    opened = module;
    expect(printed).toEqual([{ allowed: true, revision: module.revision, modelId: expect.any(String) }]);
  });
});
