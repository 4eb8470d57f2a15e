import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One line a follower process printed. */
export type FollowerLine =
  | { readonly type: 'ready'; readonly revision: string; readonly listening: boolean }
  | { readonly type: 'snapshot'; readonly revision: string; readonly at: number; readonly allowed?: boolean }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

/** A running follower process (test/follower.ts) and its output. */
export interface Follower {
  readonly child: ChildProcess;
  readonly lines: FollowerLine[];
  /** Resolves with the first line (already printed or to come) that matches. */
  next(match: (line: FollowerLine) => boolean, timeoutMs: number): Promise<FollowerLine>;
  /** Closes its stdin (it stops cleanly) and waits for it to exit. */
  stop(): Promise<void>;
}

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Starts `node --import tsx --conditions=@gatehouse/source test/follower.ts CONFIG`. */
export function startFollower(config: object): Follower {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@gatehouse/source', 'test/follower.ts', JSON.stringify(config)], {
    cwd: packageDir,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: process.env,
  });
  const lines: FollowerLine[] = [];
  const waiters: { match: (line: FollowerLine) => boolean; resolve: (line: FollowerLine) => void }[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as FollowerLine;
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.match(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    lines,
    next(match, timeoutMs) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`follower: no matching line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)), timeoutMs);
        waiters.push({
          match,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    async stop() {
      if (child.exitCode === null) {
        child.stdin!.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
