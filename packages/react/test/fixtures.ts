import { createAuthorizer, MemorySource } from '@gatehouse/core';
import type { Authorizer, TupleKey } from '@gatehouse/core';
import { parseDSL } from '@gatehouse/core/dsl';
import type { DecisionSet } from '@gatehouse/core/http';

export const MODEL = `model
  schema 1.1
type user
type label
  relations
    define member: [user]
type artist
  relations
    define label: [label]
    define editor: [user] or member from label
    define viewer: [user, user:*] or editor
`;

export const TUPLES: readonly TupleKey[] = [
  { user: 'user:ada', relation: 'editor', object: 'artist:a1' },
  { user: 'user:ben', relation: 'editor', object: 'artist:a2' },
  { user: 'user:ben', relation: 'member', object: 'label:secret-label' },
  { user: 'label:secret-label', relation: 'label', object: 'artist:a3' },
  { user: 'user:*', relation: 'viewer', object: 'artist:public' },
];

/** A ready authorizer over the fixture model and tuples, at revision 3. */
export async function fixtureAuthorizer(tuples: readonly TupleKey[] = TUPLES): Promise<Authorizer> {
  const authorizer = createAuthorizer({ source: new MemorySource({ model: parseDSL(MODEL), tuples, revision: 3 }) });
  await authorizer.ready();
  return authorizer;
}

/** A hand-written decision set, as a server would send it. */
export function decisionsFor(user: string | null, checks: Record<string, boolean>, lists: Record<string, readonly string[]> = {}, revision = '1'): DecisionSet {
  return { user, revision, modelId: 'm1', checks, lists };
}
