import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.ts';

// The tests use the PostgreSQL server (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test),
// each file in its own schema. Files run one at a time: several measure latency, which contention
// from a parallel file would only make noisy.
export default mergeConfig(
  sharedTestOptions,
  defineProject({ test: { name: 'postgres', testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false } }),
);
