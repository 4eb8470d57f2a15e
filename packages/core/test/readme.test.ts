import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

// The README opens with an example that must run as written: extract it, point its imports at
// the sources, run it, and check what it prints.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const dir = mkdtempSync(join(root, 'test', '.readme-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README example', () => {
  it('is at most a dozen lines of code', () => {
    expect(example.split('\n').filter((line) => line.trim() !== '').length).toBeLessThanOrEqual(16);
  });

  it('runs and prints an allowed decision stamped with its revision', async () => {
    const code = example
      .replace("from '@gatehouse/core/dsl'", `from '${pathToFileURL(join(root, 'src/dsl/index.ts')).href}'`)
      .replace("from '@gatehouse/core'", `from '${pathToFileURL(join(root, 'src/index.ts')).href}'`);
    const file = join(dir, 'example.ts');
    writeFileSync(file, code);
    const printed: unknown[] = [];
    vi.spyOn(console, 'log').mockImplementation((value: unknown) => {
      printed.push(value);
    });
    await import(pathToFileURL(file).href);
    expect(printed).toEqual([{ allowed: true, revision: expect.stringMatching(/^\d+$/), modelId: expect.any(String) }]);
  });
});
