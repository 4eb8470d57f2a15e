// @vitest-environment node
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import type { Options } from 'tsup';
import { afterAll, describe, expect, it } from 'vitest';

// Next.js treats the package as client components only if every built file opens with the
// 'use client' directive; a tsup option (tree-shaking, split CJS) can silently bury it.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = mkdtempSync(join(tmpdir(), 'gatehouse-react-build-'));

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the built package', () => {
  it('opens every ESM and CJS file with the use client directive and imports only its peers', async () => {
    // The package's own tsup config, loaded at run time (it lives outside this tsconfig project).
    const { default: options } = (await import(resolve(root, 'tsup.config.ts'))) as { default: Options };
    await build({
      ...options,
      entry: { index: resolve(root, 'src/index.ts') },
      outDir,
      dts: false,
      sourcemap: false,
      silent: true,
      config: false,
      tsconfig: resolve(root, 'tsconfig.json'),
    });
    for (const file of ['index.js', 'index.cjs']) {
      const code = readFileSync(join(outDir, file), 'utf8');
      expect(code.startsWith("'use client';\n"), file).toBe(true);
      const imports = [...code.matchAll(/(?:from |require\()["']([^"']+)["']/g)].map((m) => m[1]);
      // Only the http entry of core at run time: its key helpers cost bytes, the main entry ~100 KB.
      expect([...new Set(imports)].sort(), file).toEqual(['@gatehouse/core/http', 'react', 'react/jsx-runtime']);
    }
  });
});
