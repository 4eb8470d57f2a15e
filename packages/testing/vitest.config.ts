import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.ts';

export default mergeConfig(sharedTestOptions, defineProject({ test: { name: 'testing' } }));
