import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createElement } from 'react';
import type { ComponentType } from 'react';
import { renderToString } from 'react-dom/server';
import { afterAll, describe, expect, it } from 'vitest';

// The README opens with an example that must run as written: extract it, point its import at the
// sources, render it, and check that the editor sees the Edit link.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const example = /```tsx\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const dir = mkdtempSync(join(root, 'test', '.readme-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README example', () => {
  it('is at most a dozen or so lines of code', () => {
    expect(example.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('//')).length).toBeLessThanOrEqual(14);
  });

  it('renders the Edit link for the editor the decisions allow', async () => {
    const code = example.replace("from '@gatehouse/react'", `from '${pathToFileURL(join(root, 'src/index.ts')).href}'`);
    expect(code).not.toBe(example);
    const file = join(dir, 'example.tsx');
    writeFileSync(file, code);
    const { App } = (await import(pathToFileURL(file).href)) as { App: ComponentType };
    const html = renderToString(createElement(App));
    expect(html).toContain('<a href="/artists/a1/edit">Edit</a>');
    expect(html).not.toContain('read only');
  });
});
