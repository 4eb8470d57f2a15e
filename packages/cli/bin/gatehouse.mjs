#!/usr/bin/env node
// Launcher: the published package ships dist/, a source checkout may not have built it yet.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
if (existsSync(built)) {
  await import(built);
} else {
  process.stderr.write('gatehouse: the CLI is not built yet (packages/cli/dist is missing). Run `pnpm build` at the repository root.\n');
  process.exitCode = 2;
}
