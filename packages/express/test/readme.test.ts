import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The README opens with an example that must run as written: extract it, point its imports at the
// sources, listen on a free port instead of 3000, and make the requests its comment promises.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const core = resolve(root, '../core/src');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const dir = mkdtempSync(join(root, 'test', '.readme-'));
let server: Server | undefined;

afterAll(async () => {
  await new Promise<void>((done) => (server === undefined ? done() : server.close(() => done())));
  rmSync(dir, { recursive: true, force: true });
});

describe('README example', () => {
  it('is at most a dozen lines of code', () => {
    expect(example.split('\n').filter((line) => line.trim() !== '').length).toBeLessThanOrEqual(14);
  });

  it('answers 200 for ada and a 403 problem for ben', async () => {
    const code = example
      .replace("from '@gatehouse/core/dsl'", `from '${pathToFileURL(join(core, 'dsl/index.ts')).href}'`)
      .replace("from '@gatehouse/core'", `from '${pathToFileURL(join(core, 'index.ts')).href}'`)
      .replace("from '@gatehouse/express'", `from '${pathToFileURL(join(root, 'src/index.ts')).href}'`)
      .replace('app.listen(3000);', 'export const server = app.listen(0);');
    expect(code).toContain('export const server');
    const file = join(dir, 'example.ts');
    writeFileSync(file, code);
    server = ((await import(pathToFileURL(file).href)) as { server: Server }).server;
    if (!server.listening) await new Promise((done) => server?.once('listening', done));
    const { port } = server.address() as AddressInfo;
    const get = (user: string) => fetch(`http://127.0.0.1:${port}/tracks/t1`, { headers: { 'x-user': user } });

    const ada = await get('ada');
    expect(ada.status).toBe(200);
    expect(await ada.json()).toEqual({ id: 't1' });
    const ben = await get('ben');
    expect(ben.status).toBe(403);
    expect(ben.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await ben.json()).toMatchObject({ status: 403, title: 'Forbidden' });
  });
});
