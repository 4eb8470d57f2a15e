import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let child: ChildProcess;
let url: string;

beforeAll(async () => {
  const fixture = fileURLToPath(new URL('./fixtures/controllerServer.ts', import.meta.url));
  child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@gatehouse/source', fixture], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`controller server exited (${code}): ${stderr}`)));
  });
}, 30_000);

afterAll(() => {
  child.kill();
});

describe('@RequirePermission on a mounted controller', () => {
  it('runs the method (bound to the instance) when allowed', async () => {
    const res = await fetch(`${url}/api/tracks/t1`, { headers: { 'x-user': 'ada' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ kind: 'track', id: 't1' });
  });

  it('answers 403, 401 and 400 before the method runs', async () => {
    const denied = await fetch(`${url}/api/tracks/t1`, { headers: { 'x-user': 'ben' } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${url}/api/tracks/t1`)).status).toBe(401);
    expect((await fetch(`${url}/api/tracks/a%20b`, { headers: { 'x-user': 'ada' } })).status).toBe(400);
  });

  it('leaves undecorated routes alone and fails closed without gatehouse()', async () => {
    expect(await (await fetch(`${url}/api/open`)).json()).toEqual({ open: true });
    const bare = await fetch(`${url}/bare/tracks/t1`, { headers: { 'x-user': 'ada' } });
    expect(bare.status).toBe(503);
    expect(await bare.json()).toMatchObject({ status: 503, code: 'internal' });
  });
});
