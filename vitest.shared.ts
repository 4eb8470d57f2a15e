import { fileURLToPath } from 'node:url';

// Workspace packages resolve to their TypeScript sources through this export condition, so tests
// never need (or silently use a stale) build. Vitest runs tests in Vite's SSR environment, whose
// resolver has its own condition lists: set both.
const conditions = ['@gatehouse/source', 'module', 'node', 'development|production'];

/** Options every package's vitest project shares: source-first resolution and a console guard. */
export const sharedTestOptions = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@gatehouse/source'] } },
  test: {
    setupFiles: [fileURLToPath(new URL('./scripts/fail-on-console.ts', import.meta.url))],
  },
};
