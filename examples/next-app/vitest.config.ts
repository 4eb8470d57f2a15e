import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.ts';

// The browser tests run against the production build (`next build`, then `next start`); the
// global setup rebuilds whatever is stale first, which can take minutes on a small machine.
export default mergeConfig(
  sharedTestOptions,
  defineProject({
    test: {
      name: 'examples-next-app',
      globalSetup: ['./test/global-setup.ts'],
      hookTimeout: 120_000,
      testTimeout: 60_000,
    },
  }),
);
