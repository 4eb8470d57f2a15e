import { defineLibConfig } from '../../tsup.config.base';

export default defineLibConfig({ entry: { index: 'src/index.ts', dsl: 'src/dsl/index.ts', http: 'src/http/index.ts' } });
