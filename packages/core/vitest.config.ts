import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.ts';

export default mergeConfig(
  sharedTestOptions,
  defineProject({
    test: {
      name: 'core',
      // Source errors are `tsc -b`'s to report (CI runs it); here only the type assertions count.
      typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], ignoreSourceErrors: true },
    },
  }),
);
