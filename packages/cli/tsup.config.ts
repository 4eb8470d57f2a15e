import { defineLibConfig } from '../../tsup.config.base';

export default defineLibConfig({
  entry: { index: 'src/index.ts', bin: 'src/bin.ts' },
  platform: 'node',
  external: ['@gatehouse/core', '@gatehouse/node', '@gatehouse/postgres'],
});
