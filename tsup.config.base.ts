import { defineConfig, type Options } from 'tsup';

/**
 * The one build recipe every package uses: ESM + CJS + .d.ts for Node 20 and modern runtimes.
 * Packages pass only their entry points (and, rarely, externals).
 */
export function defineLibConfig(overrides: Options & { entry: Record<string, string> }) {
  return defineConfig({
    format: ['esm', 'cjs'],
    // Packages are `composite` for `tsc -b`; tsup's declaration build compiles entries alone.
    dts: { compilerOptions: { composite: false, incremental: false } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    splitting: true,
    treeshake: true,
    outDir: 'dist',
    ...overrides,
  });
}
