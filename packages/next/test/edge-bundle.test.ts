import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

// The middleware guard must run in the Edge runtime: bundle it as Next.js does for Edge
// middleware (edge-light/worker/browser conditions, no Node fallbacks), with everything of ours
// and path-to-regexp inside and only next/server left to the runtime, and fail on any Node
// built-in or WASM module in the graph.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

async function bundle(entry: string): Promise<{ metafile: Metafile; bytes: number }> {
  const result = await build({
    entryPoints: [resolve(root, entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['@gatehouse/source', 'edge-light', 'worker', 'browser', 'import'],
    external: ['next/server'],
    target: 'es2022',
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  return { metafile: result.metafile, bytes: result.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0) };
}

/** The Node built-ins, WASM modules and externals other than next/server in a bundle. */
function offenders(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.path.startsWith('node:') || NODE_BUILTINS.has(imp.path) || (imp.external && imp.path !== 'next/server')) found.add(imp.path);
    }
  }
  for (const path of Object.keys(metafile.inputs)) if (path.endsWith('.wasm')) found.add(path);
  return [...found];
}

describe('@gatehouse/next/middleware for the Edge runtime', () => {
  it('bundles with no Node built-in, no WASM, and only next/server left external', async ({ annotate }) => {
    const { metafile, bytes } = await bundle('src/middleware.ts');
    expect(offenders(metafile)).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    // Ours and path-to-regexp are inside the bundle; nothing of next/navigation or React is.
    expect(inputs.some((p) => p.includes('path-to-regexp'))).toBe(true);
    expect(inputs.some((p) => p.includes('packages/core/src/http/decide.ts'))).toBe(true);
    expect(inputs.filter((p) => p.includes('createGatehouse') || p.includes('next/dist') || p.includes('/react/'))).toEqual([]);
    await annotate(`@gatehouse/next/middleware alone: ${(bytes / 1024).toFixed(1)} KB minified`);
    // The guard itself is small (the decision code, path-to-regexp); the engine comes with the authorizer.
    expect(bytes).toBeLessThan(40 * 1024);
  });

  it('bundles a whole Edge middleware (authorizer over HttpBundleSource + guard) the same way', async ({ annotate }) => {
    const { metafile, bytes } = await bundle('test/fixtures/edgeMiddleware.ts');
    expect(offenders(metafile)).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((p) => p.includes('packages/core/src/sync/HttpBundleSource.ts'))).toBe(true);
    expect(inputs.filter((p) => p.includes('antlr4') || p.includes('syntax-transformer'))).toEqual([]);
    await annotate(`Edge middleware with authorizer: ${(bytes / 1024).toFixed(1)} KB minified`);
    // Edge platforms cap the size of a function; most of this is the
    // engine (zod, CEL). A regression such as a dragged-in DSL parser fails here.
    expect(bytes).toBeLessThan(640 * 1024);
  });
});
