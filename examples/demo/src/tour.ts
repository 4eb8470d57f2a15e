import {
  createAuthorizer,
  isGatehouseError,
  MemorySource,
  type Authorizer,
  type CheckRequest,
  type TupleKey,
} from '@gatehouse/core';
import { parseDSL, validateDSL } from '@gatehouse/core/dsl';

/**
 * The embedded creator-platform model: labels (orgs) own artists, artists own albums, albums hold
 * tracks. Roles imply the lower ones and flow down the tree; teams get roles through
 * `team#member`. A viewer grant can be time-limited with a CEL condition.
 */
export const MODEL = `model
  schema 1.1

type user

type team
  relations
    define member: [user]

type org
  relations
    define owner: [user, team#member]
    define admin: [user, team#member] or owner
    define editor: [user, team#member] or admin
    define viewer: [user, team#member] or editor

type artist
  relations
    define org: [org]
    define owner: [user, team#member] or owner from org
    define admin: [user, team#member] or owner or admin from org
    define editor: [user, team#member] or admin or editor from org
    define viewer: [user, team#member, user with until] or editor or viewer from org

type album
  relations
    define artist: [artist]
    define editor: [user, team#member] or editor from artist
    define viewer: [user, team#member, user:*] or editor or viewer from artist

type track
  relations
    define album: [album]
    define blocked: [user]
    define editor: [user, team#member] or editor from album
    define viewer: ([user, team#member] or editor or viewer from album) but not blocked

condition until(current_time: timestamp, expires_at: timestamp) {
  current_time < expires_at
}
`;

/** Seed tuples: one label with two artists, their albums and tracks, a team and a few people. */
export const TUPLES: readonly TupleKey[] = [
  { user: 'org:nightowl', relation: 'org', object: 'artist:luna' },
  { user: 'org:nightowl', relation: 'org', object: 'artist:kite' },
  { user: 'artist:luna', relation: 'artist', object: 'album:moonrise' },
  { user: 'artist:kite', relation: 'artist', object: 'album:paper-skies' },
  { user: 'album:moonrise', relation: 'album', object: 'track:moonrise-01' },
  { user: 'album:moonrise', relation: 'album', object: 'track:moonrise-02' },
  { user: 'album:paper-skies', relation: 'album', object: 'track:paper-skies-01' },
  { user: 'user:ada', relation: 'owner', object: 'org:nightowl' },
  { user: 'user:ben', relation: 'member', object: 'team:luna-crew' },
  { user: 'team:luna-crew#member', relation: 'editor', object: 'artist:luna' },
  { user: 'user:cleo', relation: 'editor', object: 'track:paper-skies-01' },
  { user: 'user:dan', relation: 'blocked', object: 'track:moonrise-02' },
  { user: 'user:dan', relation: 'member', object: 'team:luna-crew' },
  { user: 'user:*', relation: 'viewer', object: 'album:paper-skies' },
  {
    user: 'user:eve',
    relation: 'viewer',
    object: 'artist:kite',
    condition: { name: 'until', context: { expires_at: '2030-01-01T00:00:00Z' } },
  },
];

/** Where the tour's output goes: the CLI prints, the test collects. */
export type Print = (line: string) => void;

function decision(authorizer: Authorizer, print: Print, request: CheckRequest, why: string): boolean {
  const { allowed, revision } = authorizer.check(request);
  const verdict = allowed ? 'ALLOW' : 'DENY ';
  print(`  ${verdict}  ${request.user} ${request.relation} ${request.object}  (rev ${revision}; ${why})`);
  return allowed;
}

/**
 * Runs the scripted tour against a fresh authorizer and returns the decisions it made, in order,
 * so the test can assert them.
 */
export async function runTour(print: Print): Promise<boolean[]> {
  const results: boolean[] = [];
  const model = parseDSL(MODEL);
  const source = new MemorySource({ model, tuples: TUPLES, revision: 1 });
  const authorizer = createAuthorizer({ source, cache: { max: 1_000 } });
  await authorizer.ready();

  const snapshot = authorizer.getSnapshot();
  print(`Gatehouse demo: creator platform (${snapshot?.store.size ?? 0} tuples, revision ${snapshot?.revision ?? '?'})`);
  print('');
  print('1. Checks, answered locally from the snapshot');
  const check = (request: CheckRequest, why: string) => results.push(decision(authorizer, print, request, why));
  check({ user: 'user:ada', relation: 'editor', object: 'track:moonrise-01' }, 'owner of the label: owner > admin > editor, down label > artist > album > track');
  check({ user: 'user:ben', relation: 'editor', object: 'track:moonrise-02' }, 'team luna-crew edits artist luna');
  check({ user: 'user:ben', relation: 'editor', object: 'track:paper-skies-01' }, "luna-crew has no role on kite's tracks");
  check({ user: 'user:dan', relation: 'viewer', object: 'track:moonrise-02' }, 'editor through the team, but blocked on this track');
  check({ user: 'user:zoe', relation: 'viewer', object: 'track:paper-skies-01' }, 'anyone may view album paper-skies (user:*)');
  check({ user: 'user:zoe', relation: 'viewer', object: 'track:moonrise-01' }, 'no grant on moonrise');
  check(
    { user: 'user:eve', relation: 'viewer', object: 'artist:kite', context: { current_time: '2026-06-01T00:00:00Z' } },
    'time-limited grant, still valid',
  );
  check(
    { user: 'user:eve', relation: 'viewer', object: 'artist:kite', context: { current_time: '2031-06-01T00:00:00Z' } },
    'time-limited grant, expired',
  );

  print('');
  print('2. Why? explain() shows the path');
  const explanation = authorizer.explain({ user: 'user:ben', relation: 'editor', object: 'track:moonrise-02' });
  for (const line of explanation.text.split('\n')) print(`  ${line}`);

  print('');
  print('3. List queries');
  const objects = authorizer.listObjects({ user: 'user:ben', relation: 'editor', type: 'track' });
  print(`  tracks ben can edit: ${[...objects.objects].sort().join(', ')}`);
  const users = authorizer.listUsers({ object: 'artist:luna', relation: 'editor', userFilters: [{ type: 'user' }] });
  print(`  users who can edit artist luna: ${[...users.users].sort().join(', ')}`);

  print('');
  print('4. A write produces a new revision; readers switch atomically');
  const revision = source.write([{ user: 'user:zoe', relation: 'viewer', object: 'album:moonrise' }]);
  const after = await authorizer.checkAsync({ user: 'user:zoe', relation: 'viewer', object: 'track:moonrise-01' }, { atLeast: revision });
  results.push(after.allowed);
  print(`  ${after.allowed ? 'ALLOW' : 'DENY '}  user:zoe viewer track:moonrise-01  (rev ${after.revision}; granted on the album at rev ${revision})`);

  print('');
  print('5. Contextual tuples: a grant that exists only for this request');
  check(
    {
      user: 'user:finn',
      relation: 'viewer',
      object: 'track:paper-skies-01',
      contextualTuples: [{ user: 'user:finn', relation: 'blocked', object: 'track:paper-skies-01' }],
    },
    'public album, but blocked by a contextual tuple',
  );

  print('');
  print('6. Bad input fails closed with a typed error, never an answer');
  for (const request of [
    { user: 'user:ada', relation: 'publish', object: 'track:moonrise-01' },
    { user: 'user ada', relation: 'viewer', object: 'track:moonrise-01' },
    { user: 'user:eve', relation: 'viewer', object: 'artist:kite' },
  ]) {
    try {
      authorizer.check(request);
      print(`  unexpected answer for ${request.user} ${request.relation} ${request.object}`);
    } catch (error) {
      if (!isGatehouseError(error)) throw error;
      print(`  ${error.code}: ${error.message.split('\n')[0]}`);
    }
  }

  print('');
  print('7. Model problems are reported all at once, with positions');
  const broken = MODEL.replace('or viewer from album', 'or viewr from album').replace('define owner: [user, team#member]\n', 'define owner: [usr, team#member]\n');
  for (const d of validateDSL(broken)) {
    print(`  ${(d.line?.start ?? 0) + 1}:${(d.column?.start ?? 0) + 1} ${d.code} ${d.message}`);
  }

  const stats = authorizer.cacheStats();
  print('');
  print(`Decision cache: ${stats.hits} hits, ${stats.misses} misses.`);
  await authorizer.stop();
  return results;
}
