import { fileURLToPath } from 'node:url';

/** Options every package's vitest project shares: source-first resolution and a console guard. */
export const sharedTestOptions = {
  resolve: {
    // Resolve workspace packages to their TypeScript sources, so tests never need a build.
    conditions: ['@gatehouse/source'],
  },
  test: {
    setupFiles: [fileURLToPath(new URL('./scripts/fail-on-console.ts', import.meta.url))],
  },
};
