import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared';

export default mergeConfig(sharedTestOptions, defineProject({ test: { name: 'next', environment: 'node' } }));
