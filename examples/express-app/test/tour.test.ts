import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

// The app uses standard decorators, which Vite 8's transform does not lower: run the real
// `tour` script under tsx, as `pnpm run tour` does.
describe('the express-app tour', () => {
  it('starts the API on an ephemeral port, prints allowed and denied results, and exits', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--conditions=@gatehouse/source', 'src/tour.ts'], { cwd, timeout: 30_000 });
    const lines = stdout.split('\n').filter((l) => /^(ALLOWED|DENIED)/.test(l));
    expect(lines).toHaveLength(14);
    const status = lines.map((l) => l.split(/\s+/).slice(0, 2).join(' '));
    expect(status).toEqual([
      'ALLOWED 200', 'ALLOWED 200', 'DENIED 403', 'ALLOWED 200', 'DENIED 403', 'ALLOWED 200', 'DENIED 403',
      'ALLOWED 200', 'DENIED 403', 'ALLOWED 200', 'ALLOWED 200', 'DENIED 401', 'DENIED 400', 'ALLOWED 200',
    ]);
    expect(stdout).toContain('["track:moonrise-01","track:moonrise-02"]');
    expect(stdout).toMatch(/creator-platform API on http:\/\/127\.0\.0\.1:\d+/);
  }, 40_000);
});
