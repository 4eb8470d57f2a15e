import { defineLibConfig } from '../../tsup.config.base';

// Client-only: Next.js (and other RSC frameworks) load the package as client components only when
// its files start with the 'use client' directive. Two tsup passes would bury it: rollup's
// tree-shaking drops module-level directives, and the CJS conversion of split builds puts helpers
// before it (a directive must come first). One entry needs neither (esbuild still drops dead code).
export default defineLibConfig({
  entry: { index: 'src/index.ts' },
  external: ['@gatehouse/core', 'react'],
  banner: { js: "'use client';" },
  treeshake: false,
  splitting: false,
});
