import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.ts';

export default mergeConfig(
  sharedTestOptions,
  defineProject({ test: { name: 'cli', globalSetup: ['./test/globalSetup.ts'], testTimeout: 60_000, hookTimeout: 300_000 } }),
);
