import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyChangeSet } from '@gatehouse/core';
import type { AuthorizationModel, ChangeSet, GatehouseError, SnapshotData, SnapshotSink } from '@gatehouse/core';

export const model: AuthorizationModel = {
  schema_version: '1.1',
  type_definitions: [
    { type: 'user' },
    {
      type: 'track',
      relations: { viewer: { this: {} } },
      metadata: { relations: { viewer: { directly_related_user_types: [{ type: 'user' }] } } },
    },
  ],
};

export const tuple = (user: string, object = 'track:1', relation = 'viewer') => ({ user, relation, object });

export type SinkEvent =
  | { readonly kind: 'snapshot'; readonly data: SnapshotData }
  | { readonly kind: 'changes'; readonly changes: ChangeSet }
  | { readonly kind: 'error'; readonly error: GatehouseError };

/** A sink that records every call and keeps the state an authorizer would hold. */
export function recorder() {
  const events: SinkEvent[] = [];
  let state: SnapshotData | undefined;
  const sink: SnapshotSink = {
    snapshot(data) {
      events.push({ kind: 'snapshot', data });
      state = data;
    },
    changes(changes) {
      events.push({ kind: 'changes', changes });
      state = applyChangeSet(state as SnapshotData, changes);
    },
    error(error) {
      events.push({ kind: 'error', error });
    },
  };
  return {
    sink,
    events,
    state: () => state,
    kinds: () => events.map((e) => e.kind),
    errors: () => events.flatMap((e) => (e.kind === 'error' ? [e.error] : [])),
    users: () => state?.tuples.map((t) => t.user).sort(),
  };
}

/** Polls `condition` every few ms until it holds; fails after `timeout` ms. No fixed sleeps. */
export async function waitFor<T>(condition: () => T, timeout = 4_000, what = 'condition'): Promise<NonNullable<T>> {
  const started = Date.now();
  for (;;) {
    const value = condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() - started > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves after `ms`: only for letting file-system events arrive before asserting that nothing happened. */
export const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TestServer {
  readonly server: Server;
  readonly url: string;
  /** Every response status, in order. */
  readonly statuses: number[];
  /** Every request path with its query, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts a node:http server on an ephemeral port, recording requests and statuses. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const statuses: number[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.on('finish', () => statuses.push(res.statusCode));
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    statuses,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; path: (name: string) => string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-node-'));
  return { dir, path: (name) => join(dir, name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
