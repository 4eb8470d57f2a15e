#!/usr/bin/env node
// Entry point for the README's quick start (`npm run demo`, `npm test`) on a fresh clone: it
// finds pnpm (installing the pinned version through npx when absent), installs the workspace
// from the lockfile when needed, then runs the named workspace script.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager; // pnpm@x.y.z
const version = pinned.split('@')[1];

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function pnpm() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === version) return ['pnpm', []];
  return ['npx', ['-y', pinned]];
}

const [task, ...rest] = process.argv.slice(2);
if (!task) {
  process.stderr.write('usage: node scripts/run.mjs <workspace-script> [args...]\n');
  process.exit(2);
}
const [cmd, pre] = pnpm();
const marker = join(root, 'node_modules', '.modules.yaml');
const lock = join(root, 'pnpm-lock.yaml');
if (!existsSync(marker) || statSync(lock).mtimeMs > statSync(marker).mtimeMs) {
  const status = run(cmd, [...pre, 'install', '--frozen-lockfile']);
  if (status !== 0) process.exit(status);
}
process.exit(run(cmd, [...pre, 'run', task, ...rest]));
