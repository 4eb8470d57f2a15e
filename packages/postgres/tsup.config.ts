import { defineLibConfig } from '../../tsup.config.base';

export default defineLibConfig({ entry: { index: 'src/index.ts' }, platform: 'node', external: ['@gatehouse/core', 'pg'] });
