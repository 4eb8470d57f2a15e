import { defineLibConfig } from '../../tsup.config.base';

// `middleware` is its own entry so the Edge bundle never sees next/navigation; path-to-regexp is
// a dependency (left external, as tsup does for dependencies) and is bundled by the app.
export default defineLibConfig({
  entry: { index: 'src/index.ts', middleware: 'src/middleware.ts' },
  external: ['@gatehouse/core', 'next', 'path-to-regexp'],
});
