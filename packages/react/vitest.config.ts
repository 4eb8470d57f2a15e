import { defineProject, mergeConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared';

export default mergeConfig(sharedTestOptions, defineProject({ test: { name: 'react', environment: 'happy-dom' } }));
