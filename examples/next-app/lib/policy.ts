import { createAuthorizer, MemorySource } from '@gatehouse/core';
import type { Authorizer } from '@gatehouse/core';
import { TUPLES, model } from './model';

// The "policy service": the source of truth for the model and tuples. In a real deployment this
// is a separate service (or PostgreSQL behind @gatehouse/postgres); here it lives in the Next.js
// server process. Next.js may load this module once per route bundle, so the one instance lives
// on globalThis: the bundle route, server components, route handlers and server actions must all
// see the same revision.
interface Policy {
  readonly source: MemorySource;
  authorizer?: Promise<Authorizer>;
}

const KEY = Symbol.for('gatehouse-example.policy');
type Global = typeof globalThis & { [KEY]?: Policy };

function policy(): Policy {
  const g = globalThis as Global;
  // The revision defaults to the current time in microseconds, so a restarted server never
  // reuses a revision (and ETag) that clients cached for other data.
  g[KEY] ??= { source: new MemorySource({ model: model.json, tuples: TUPLES }) };
  return g[KEY];
}

/** The policy source of truth: the bundle route serves it; write to it to change permissions. */
export function policySource(): MemorySource {
  return policy().source;
}

/**
 * The server-side authorizer (Node runtime): reads the policy source in process, so it sees a
 * write at once. The Edge middleware cannot share memory with it and syncs over HTTP instead.
 */
export function serverAuthorizer(): Promise<Authorizer> {
  const p = policy();
  p.authorizer ??= (async () => {
    const authorizer = createAuthorizer({ source: p.source });
    await authorizer.ready();
    return authorizer;
  })();
  return p.authorizer;
}

/**
 * The users who hold `relation` on `object` through a tuple naming them (`user:ben editor
 * artist:kite`), not through a team or the label: the grants the team page can revoke. Server
 * only: it reads tuples, which never go to the browser.
 */
export function directUsers(relation: string, object: string): ReadonlySet<string> {
  const tuples = policy().source.snapshot()?.tuples ?? [];
  return new Set(tuples.filter((t) => t.relation === relation && t.object === object && !t.user.includes('#')).map((t) => t.user));
}
