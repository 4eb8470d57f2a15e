// Test fixture (not exported): a creator platform's model and a realistic, seeded tuple set. Used
// by the sync tests and for the bytes-per-tuple figure in docs/reference/bundle-format.md.
import type { AuthorizationModel, Userset } from '../model/types';
import type { TupleKey } from '../store/types';

const direct = { this: {} } as const;
const computed = (relation: string): Userset => ({ computedUserset: { relation } });
const from = (tupleset: string, relation: string): Userset => ({
  tupleToUserset: { tupleset: { relation: tupleset }, computedUserset: { relation } },
});
const union = (...child: Userset[]): Userset => ({ union: { child } });
const user = { type: 'user' };
const teamMember = { type: 'team', relation: 'member' };

/** org / artist / album / track / team / user, with a release-window condition on public track access. */
export const creatorModel: AuthorizationModel = {
  schema_version: '1.1',
  type_definitions: [
    { type: 'user' },
    {
      type: 'team',
      relations: { member: direct },
      metadata: { relations: { member: { directly_related_user_types: [user] } } },
    },
    {
      type: 'org',
      relations: { owner: direct, admin: union(direct, computed('owner')), member: union(direct, computed('admin')) },
      metadata: {
        relations: {
          owner: { directly_related_user_types: [user] },
          admin: { directly_related_user_types: [user, teamMember] },
          member: { directly_related_user_types: [user, teamMember] },
        },
      },
    },
    {
      type: 'artist',
      relations: {
        org: direct,
        manager: union(direct, from('org', 'admin')),
        viewer: union(direct, computed('manager'), from('org', 'member')),
      },
      metadata: {
        relations: {
          org: { directly_related_user_types: [{ type: 'org' }] },
          manager: { directly_related_user_types: [user, teamMember] },
          viewer: { directly_related_user_types: [user, { type: 'user', wildcard: {} }] },
        },
      },
    },
    {
      type: 'album',
      relations: {
        artist: direct,
        editor: union(direct, from('artist', 'manager')),
        viewer: union(direct, computed('editor'), from('artist', 'viewer')),
      },
      metadata: {
        relations: {
          artist: { directly_related_user_types: [{ type: 'artist' }] },
          editor: { directly_related_user_types: [user] },
          viewer: { directly_related_user_types: [user, { type: 'user', wildcard: {} }] },
        },
      },
    },
    {
      type: 'track',
      relations: {
        album: direct,
        editor: union(direct, from('album', 'editor')),
        viewer: union(direct, computed('editor'), from('album', 'viewer')),
      },
      metadata: {
        relations: {
          album: { directly_related_user_types: [{ type: 'album' }] },
          editor: { directly_related_user_types: [user] },
          viewer: {
            directly_related_user_types: [user, { type: 'user', wildcard: {}, condition: 'release_window' }],
          },
        },
      },
    },
  ],
  conditions: {
    release_window: {
      name: 'release_window',
      expression: 'current_time >= release_at',
      parameters: {
        current_time: { type_name: 'TYPE_NAME_TIMESTAMP' },
        release_at: { type_name: 'TYPE_NAME_TIMESTAMP' },
      },
    },
  },
};

/** A small seeded PRNG (mulberry32), so fixtures are identical on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * About `total` tuples shaped like a creator platform: tracks in albums by artists in orgs, teams,
 * memberships, editors, direct shares and conditional public access. Ids look like production
 * ids: a type prefix and 12 random base36 characters (`trk_k3j2h5g6f7d8`).
 */
export function creatorTuples(total = 100_000, seed = 42): TupleKey[] {
  const random = seededRandom(seed);
  const id = (prefix: string) => {
    let s = `${prefix}_`;
    for (let i = 0; i < 12; i++) s += ALPHABET[Math.floor(random() * 36)];
    return s;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const scale = total / 100_000;
  const n = (count: number) => Math.max(1, Math.round(count * scale));

  const users = Array.from({ length: n(15_000) }, () => id('usr'));
  const teams = Array.from({ length: n(300) }, () => id('team'));
  const orgs = Array.from({ length: n(40) }, () => id('org'));
  const tuples: TupleKey[] = [];
  const add = (userRef: string, relation: string, object: string, tuple?: Partial<TupleKey>) =>
    tuples.push({ user: userRef, relation, object, ...tuple });

  for (const team of teams) for (let i = 0; i < 8; i++) add(`user:${pick(users)}`, 'member', `team:${team}`);
  for (const org of orgs) {
    add(`user:${pick(users)}`, 'owner', `org:${org}`);
    for (let i = 0; i < 3; i++) add(i === 0 ? `team:${pick(teams)}#member` : `user:${pick(users)}`, 'admin', `org:${org}`);
  }
  for (let i = 0; i < n(6_000); i++) add(random() < 0.05 ? `team:${pick(teams)}#member` : `user:${pick(users)}`, 'member', `org:${pick(orgs)}`);

  const artists: string[] = [];
  for (let i = 0; i < n(1_500); i++) {
    const artist = id('art');
    artists.push(artist);
    add(`org:${pick(orgs)}`, 'org', `artist:${artist}`);
    add(`user:${pick(users)}`, 'manager', `artist:${artist}`);
    add(random() < 0.3 ? `team:${pick(teams)}#member` : `user:${pick(users)}`, 'manager', `artist:${artist}`);
  }
  const albums: string[] = [];
  for (let i = 0; i < n(6_000); i++) {
    const album = id('alb');
    albums.push(album);
    add(`artist:${pick(artists)}`, 'artist', `album:${album}`);
    add(`user:${pick(users)}`, 'editor', `album:${album}`);
  }
  const tracks: string[] = [];
  for (let i = 0; i < n(60_000); i++) {
    const track = id('trk');
    tracks.push(track);
    add(`album:${pick(albums)}`, 'album', `track:${track}`);
  }
  const released = new Date(Date.UTC(2025, 0, 1)).getTime();
  for (let i = 0; i < n(5_000); i++) {
    const releaseAt = new Date(released + Math.floor(random() * 365) * 86_400_000).toISOString();
    add('user:*', 'viewer', `track:${tracks[i % tracks.length] as string}`, {
      condition: { name: 'release_window', context: { release_at: releaseAt } },
    });
  }
  while (tuples.length < total) add(`user:${pick(users)}`, 'viewer', `track:${pick(tracks)}`);
  return tuples.slice(0, total);
}
