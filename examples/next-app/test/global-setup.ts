import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserAvailable } from './browser';

// Next.js resolves the workspace packages to their dist/ builds (it does not know the
// @gatehouse/source condition), so the e2e tests need fresh tsup builds of the packages and a
// fresh `next build` of the app. Each is redone only when its inputs are newer than its output:
// a second run starts at once.

const APP = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(APP, '..', '..');
const RESULTS = join(APP, 'test-results');

/** The workspace packages the app imports, in dependency order. */
const PACKAGES = [
  { name: '@gatehouse/core', dir: join(ROOT, 'packages', 'core') },
  { name: '@gatehouse/react', dir: join(ROOT, 'packages', 'react') },
  { name: '@gatehouse/next', dir: join(ROOT, 'packages', 'next') },
];

/** The app's own inputs to `next build`. */
const APP_INPUTS = ['app', 'lib', 'middleware.ts', 'instrumentation.ts', 'next.config.ts', 'package.json', 'tsconfig.json'];

const SKIP = new Set(['node_modules', '.next', 'dist', '.tsbuild', 'test-results']);

interface Span {
  newest: number;
  oldest: number;
  files: number;
}

/** The newest and oldest modification times of the files under `paths` (recursively). */
function span(paths: readonly string[]): Span {
  const result: Span = { newest: 0, oldest: Number.POSITIVE_INFINITY, files: 0 };
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) if (!SKIP.has(entry)) visit(join(path, entry));
      return;
    }
    result.files++;
    result.newest = Math.max(result.newest, stat.mtimeMs);
    result.oldest = Math.min(result.oldest, stat.mtimeMs);
  };
  for (const path of paths) visit(path);
  return result;
}

/** Runs a command, its output going to a log file; rejects with the log's tail on failure. */
function run(command: string, args: readonly string[], cwd: string, logName: string): Promise<number> {
  mkdirSync(RESULTS, { recursive: true });
  const logPath = join(RESULTS, logName);
  const log = createWriteStream(logPath);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => {
      log.end();
      reject(new Error(`${command} ${args.join(' ')} could not start: ${error.message}`));
    });
    child.on('close', (code) => {
      log.end();
      if (code === 0) resolve(Date.now() - started);
      else reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}); log: ${logPath}\n${tail}`));
    });
  });
}

/** Vitest global setup: brings the packages' dist/ and the app's .next/ up to date. */
export default async function setup(): Promise<void> {
  if (!browserAvailable()) return;
  const stale = PACKAGES.filter((pkg) => {
    const dist = span([join(pkg.dir, 'dist')]);
    const inputs = span([join(pkg.dir, 'src'), join(pkg.dir, 'package.json'), join(pkg.dir, 'tsup.config.ts')]);
    return dist.files === 0 || inputs.newest > dist.oldest;
  });
  if (stale.length > 0) {
    const filters = stale.flatMap((pkg) => ['--filter', pkg.name]);
    const ms = await run('pnpm', [...filters, 'build'], ROOT, 'packages-build.log');
    process.stderr.write(`[next-app e2e] built ${stale.map((p) => p.name).join(', ')} in ${(ms / 1000).toFixed(1)} s\n`);
  }
  const buildId = join(APP, '.next', 'BUILD_ID');
  const built = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const inputs = span([...APP_INPUTS.map((p) => join(APP, p)), ...PACKAGES.map((pkg) => join(pkg.dir, 'dist'))]);
  if (built < inputs.newest) {
    process.stderr.write('[next-app e2e] running next build (up to a minute or two on a small machine)...\n');
    const ms = await run(process.execPath, [join(APP, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], APP, 'next-build.log');
    process.stderr.write(`[next-app e2e] next build took ${(ms / 1000).toFixed(1)} s\n`);
  }
}
