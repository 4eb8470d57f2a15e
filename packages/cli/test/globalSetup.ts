import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The tests run the built binary, which loads the built core, node and postgres packages: build whatever
// is missing or older than its sources, once per run (CI builds first, so this is then a no-op).
const root = fileURLToPath(new URL('../../..', import.meta.url));

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function stale(pkg: string): boolean {
  const dist = join(root, 'packages', pkg, 'dist', 'index.js');
  return !existsSync(dist) || statSync(dist).mtimeMs < newest(join(root, 'packages', pkg, 'src'));
}

/** Builds core, node, postgres and cli when their dist is missing or stale. */
export default function setup(): void {
  const packages = ['core', 'node', 'postgres', 'cli'].filter(stale);
  if (packages.length === 0) return;
  const filters = packages.flatMap((p) => ['--filter', `@gatehouse/${p}`]);
  execFileSync('pnpm', [...filters, 'build'], { cwd: root, stdio: 'pipe' });
}
