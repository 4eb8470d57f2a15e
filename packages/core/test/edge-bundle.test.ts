import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

// Core must run in browsers and the Edge runtime: bundle each entry for a browser target with no
// Node fallbacks and fail on any Node built-in or WASM module that ends up in the graph.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

async function bundle(entry: string): Promise<{ metafile: Metafile; bytes: number }> {
  const result = await build({
    entryPoints: [resolve(root, entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['@gatehouse/source', 'worker', 'browser'],
    target: 'es2022',
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
  return { metafile: result.metafile, bytes };
}

function nodeImports(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.path.startsWith('node:') || imp.external) found.add(imp.path);
    }
  }
  for (const path of Object.keys(metafile.inputs)) if (path.endsWith('.wasm')) found.add(path);
  return [...found];
}

describe('edge/browser bundle', () => {
  it('@gatehouse/core bundles for the browser with no Node built-ins or WASM', async () => {
    const { metafile, bytes } = await bundle('src/index.ts');
    expect(nodeImports(metafile)).toEqual([]);
    // Size budget for services and Edge functions that load JSON bundles (measured 555 KB minified,
    // most of it zod and CEL); a regression such as a non-tree-shaken import fails here.
    expect(bytes).toBeLessThan(620 * 1024);
  });

  it('@gatehouse/core/dsl bundles for the browser with no Node built-ins or WASM', async () => {
    const { metafile } = await bundle('src/dsl/index.ts');
    expect(nodeImports(metafile)).toEqual([]);
  });

  it('@gatehouse/core/http bundles for the browser with no Node built-ins or WASM', async () => {
    const { metafile } = await bundle('src/http/index.ts');
    expect(nodeImports(metafile)).toEqual([]);
  });

  it('the main entry does not pull the DSL parser into the bundle', async () => {
    const { metafile } = await bundle('src/index.ts');
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((p) => p.includes('antlr4') || p.includes('syntax-transformer'))).toEqual([]);
  });
});
