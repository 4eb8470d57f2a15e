import express from 'express';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAuthorizer, MemorySource } from '@gatehouse/core';
import type { Authorizer, TupleKey } from '@gatehouse/core';
import { parseDSL } from '@gatehouse/core/dsl';
import type { GatehouseExpressOptions } from '../src/index';

export const MODEL = `model
  schema 1.1
type user
type album
  relations
    define viewer: [user]
type track
  relations
    define album: [album]
    define editor: [user]
    define viewer: [user, user with office_hours] or editor or viewer from album
condition office_hours(current_hour: int) {
  current_hour >= 9 && current_hour < 17
}
`;

export const TUPLES: readonly TupleKey[] = [
  { user: 'user:ada', relation: 'editor', object: 'track:t1' },
  { user: 'album:a1', relation: 'album', object: 'track:t2' },
  { user: 'user:ben', relation: 'viewer', object: 'album:a1' },
  { user: 'user:cleo', relation: 'viewer', object: 'track:t3', condition: { name: 'office_hours' } },
];

/** A ready authorizer over the test model. */
export async function testAuthorizer(): Promise<Authorizer> {
  const authorizer = createAuthorizer({ source: new MemorySource({ model: parseDSL(MODEL), tuples: TUPLES, revision: 1 }) });
  await authorizer.ready();
  return authorizer;
}

/** Options picking the user from `x-user`. */
export function optionsFor(authorizer: Authorizer, extra: Partial<GatehouseExpressOptions> = {}): GatehouseExpressOptions {
  return {
    authorizer,
    getUser: (req) => {
      const id = req.get('x-user');
      return id === undefined ? undefined : `user:${id}`;
    },
    ...extra,
  };
}

/** Listens on an ephemeral port; returns the base URL and a close function. */
export async function listen(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

export { express };
