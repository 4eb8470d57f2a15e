import { NextRequest } from 'next/server';
import { createAuthorizer, encodeBundle, MemorySource } from '@gatehouse/core';
import type { Authorizer, SnapshotData, TupleKey } from '@gatehouse/core';
import { parseDSL } from '@gatehouse/core/dsl';

export const MODEL = parseDSL(`model
  schema 1.1
type user
type label
  relations
    define member: [user]
type artist
  relations
    define label: [label]
    define editor: [user, user with office_hours] or member from label
    define viewer: [user, user:*] or editor
condition office_hours(current_hour: int) {
  current_hour >= 9 && current_hour < 17
}
`);

/** The schema of {@link MODEL}, as `InferSchema` would give it for a typed model. */
export type FixtureSchema = { user: never; label: 'member'; artist: 'label' | 'editor' | 'viewer' };

export const TUPLES: readonly TupleKey[] = [
  { user: 'user:ada', relation: 'editor', object: 'artist:a1' },
  { user: 'user:ben', relation: 'member', object: 'label:l1' },
  { user: 'label:l1', relation: 'label', object: 'artist:a2' },
  // Conditional: checking it without `current_hour` is an evaluation error.
  { user: 'user:cleo', relation: 'editor', object: 'artist:a3', condition: { name: 'office_hours' } },
];

/** A ready authorizer over the fixture model. */
export async function fixtureAuthorizer(tuples: readonly TupleKey[] = TUPLES): Promise<Authorizer> {
  const authorizer = createAuthorizer({ source: new MemorySource({ model: MODEL, tuples, revision: 1 }) });
  await authorizer.ready();
  return authorizer;
}

/** A request as Next.js hands it to middleware; `user` becomes the `user` cookie. */
export function nextRequest(path: string, user?: string, init: { method?: string } = {}): NextRequest {
  return new NextRequest(`http://localhost:3000${path}`, {
    method: init.method ?? 'GET',
    headers: user === undefined ? {} : { cookie: `user=${user}` },
  });
}

/** The `user` cookie as a user string. */
export function userOf(request: NextRequest): string | undefined {
  const id = request.cookies.get('user')?.value;
  return id === undefined ? undefined : `user:${id}`;
}

/**
 * An in-process policy server speaking the bundle protocol with ETags: `fetch` answers 200 with the
 * bundle, or 304 when `If-None-Match` names the current revision. `publish` moves to new tuples.
 */
export function bundleServer(initial: readonly TupleKey[] = TUPLES) {
  let data: SnapshotData = { model: MODEL, modelId: 'm1', revision: '1', tuples: initial };
  const log: { status: number; ifNoneMatch: string | null }[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const ifNoneMatch = new Headers(init.headers).get('if-none-match');
    const etag = `"${data.revision}"`;
    const status = url.pathname !== '/api/policy/bundle' ? 404 : ifNoneMatch === etag ? 304 : 200;
    log.push({ status, ifNoneMatch });
    if (status === 404) return new Response('no such endpoint', { status });
    if (status === 304) return new Response(null, { status, headers: { etag } });
    return new Response(encodeBundle(data), { status, headers: { etag, 'content-type': 'application/json' } });
  };
  return {
    fetch,
    log,
    publish(tuples: readonly TupleKey[]) {
      data = { ...data, revision: String(Number(data.revision) + 1), tuples };
    },
  };
}

/** Waits until `predicate` holds (polling every 5 ms), or fails after `ms`. */
export async function until(predicate: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
