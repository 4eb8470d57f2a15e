/**
 * The "creator-platform" benchmark workload (issue #3, Performance): orgs (labels) own artists,
 * artists own albums, albums own tracks; users sit in teams within an org; roles
 * owner > admin > editor > viewer are granted to users and to `team#member` on every level, and
 * `track#viewer` holds with a role on the track or on any ancestor, directly or through a team.
 *
 * Everything is generated from a seed with a small deterministic PRNG, held in typed arrays (a
 * 20M-tuple workload must fit, and V8 caps a single Map or Set at 2^24 entries), and streamed out
 * one `{ object, relation, user }` tuple key at a time, so no consumer ever holds 20M tuples at once.
 * The generator keeps its own ground truth: every check and the listObjects answer are computed
 * here, independently of both the engine and the naive baseline, and the bench asserts both agree.
 */
import type { AuthorizationModel, RelationReference, TypeDefinition, Userset } from '../src/model/types';

/** The four roles, lowest first: a role's index is its rank, and each role implies all lower ones. */
export const ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;

/** The model in OpenFGA DSL. {@link MODEL_JSON} is the same model in JSON; the bench asserts they agree. */
export const MODEL_DSL = `model
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
    define viewer: [user, team#member] or editor or viewer from org

type album
  relations
    define artist: [artist]
    define owner: [user, team#member] or owner from artist
    define admin: [user, team#member] or owner or admin from artist
    define editor: [user, team#member] or admin or editor from artist
    define viewer: [user, team#member] or editor or viewer from artist

type track
  relations
    define album: [album]
    define owner: [user, team#member] or owner from album
    define admin: [user, team#member] or owner or admin from album
    define editor: [user, team#member] or admin or editor from album
    define viewer: [user, team#member] or editor or viewer from album
`;

const GRANTEES: readonly RelationReference[] = [{ type: 'user' }, { type: 'team', relation: 'member' }];

// The JSON is built rather than pasted: four near-identical 60-line blocks would hide a typo,
// and the bench checks this against the DSL parser's output anyway.
function roleType(type: string, parentRelation: string | undefined, parentType: string | undefined): TypeDefinition {
  const relations: Record<string, Userset> = {};
  const meta: Record<string, { directly_related_user_types: readonly RelationReference[] }> = {};
  if (parentRelation !== undefined && parentType !== undefined) {
    relations[parentRelation] = { this: {} };
    meta[parentRelation] = { directly_related_user_types: [{ type: parentType }] };
  }
  ROLES.forEach((role, rank) => {
    const child: Userset[] = [{ this: {} }];
    const higher = ROLES[rank + 1];
    if (higher !== undefined) child.push({ computedUserset: { relation: higher } });
    if (parentRelation !== undefined) {
      child.push({ tupleToUserset: { tupleset: { relation: parentRelation }, computedUserset: { relation: role } } });
    }
    relations[role] = child.length === 1 ? { this: {} } : { union: { child } };
    meta[role] = { directly_related_user_types: GRANTEES };
  });
  // The DSL lists relations in the order written: owner first, then admin, editor, viewer.
  const ordered: Record<string, Userset> = {};
  for (const name of [...(parentRelation ? [parentRelation] : []), ...[...ROLES].reverse()]) ordered[name] = relations[name]!;
  return { type, relations: ordered, metadata: { relations: meta } };
}

/** The same model as {@link MODEL_DSL}, in OpenFGA JSON (the form services load). */
export const MODEL_JSON: AuthorizationModel = {
  schema_version: '1.1',
  type_definitions: [
    { type: 'user', relations: {}, metadata: null },
    { type: 'team', relations: { member: { this: {} } }, metadata: { relations: { member: { directly_related_user_types: [{ type: 'user' }] } } } },
    roleType('org', undefined, undefined),
    roleType('artist', 'org', 'org'),
    roleType('album', 'artist', 'artist'),
    roleType('track', 'album', 'album'),
  ],
};

/** The benchmark sizes. */
export type SizeName = 'small' | 'medium' | 'large' | 'xl';

/** The shape of one size. Tuples ≈ 1.11 × tracks + 3.9 × users. */
export interface WorkloadSize {
  /** The size's name. */
  readonly name: SizeName;
  /** Users (plus one extra, the listObjects user). */
  readonly users: number;
  /** Tracks. */
  readonly tracks: number;
  /** Orgs (labels). */
  readonly orgs: number;
  /** Mean tracks per album (albums = tracks / this). */
  readonly tracksPerAlbum: number;
  /** Mean albums per artist. */
  readonly albumsPerArtist: number;
  /** Mean users per team. */
  readonly usersPerTeam: number;
  /** Random role grants per user (to users and teams together), on average. */
  readonly grantsPerUser: number;
}

/** The sizes of issue #3; `xl` (~20M tuples) is a load-and-check run. */
export const SIZES: Readonly<Record<SizeName, WorkloadSize>> = {
  small: { name: 'small', users: 1_000, tracks: 10_000, orgs: 5, tracksPerAlbum: 10, albumsPerArtist: 10, usersPerTeam: 10, grantsPerUser: 2.7 },
  medium: { name: 'medium', users: 10_000, tracks: 200_000, orgs: 40, tracksPerAlbum: 10, albumsPerArtist: 10, usersPerTeam: 10, grantsPerUser: 2.7 },
  large: { name: 'large', users: 100_000, tracks: 1_000_000, orgs: 200, tracksPerAlbum: 10, albumsPerArtist: 10, usersPerTeam: 10, grantsPerUser: 2.7 },
  xl: { name: 'xl', users: 1_000_000, tracks: 14_500_000, orgs: 2_900, tracksPerAlbum: 10, albumsPerArtist: 10, usersPerTeam: 10, grantsPerUser: 2.7 },
};

/** sfc32 seeded through splitmix32: fast, small state, and the same sequence on every platform. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Picks an index by weight. */
  pick(weights: readonly number[]): number {
    let x = this.float() * weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }
}

/** Object levels, nearest the track first (a ground-truth answer names the level that granted access). */
export const Level = { Track: 0, Album: 1, Artist: 2, Org: 3 } as const;
/** One of {@link Level}'s values. */
export type Level = (typeof Level)[keyof typeof Level];

/** Why a check's expected answer is what it is (the check list is spread evenly over these). */
export const CHECK_KINDS = ['denied-random', 'denied-near-miss', 'direct-track', 'via-album', 'team-artist', 'org-role'] as const;
/** One of {@link CHECK_KINDS}. */
export type CheckKind = (typeof CHECK_KINDS)[number];

/** The fixed check list, as parallel arrays (the timed loop indexes them). */
export interface CheckList {
  /** `user:uN` per check. */
  readonly users: readonly string[];
  /** The relation of every check (`viewer`). */
  readonly relation: string;
  /** `track:tN` per check. */
  readonly objects: readonly string[];
  /** 1 when the check is allowed, per the generator's ground truth. */
  readonly expected: Uint8Array;
  /** Index into {@link CHECK_KINDS} per check. */
  readonly kinds: Uint8Array;
  /** How many checks are allowed. */
  readonly allowedCount: number;
}

/** The listObjects probe: one user who can see exactly {@link ListProbe.expected} tracks. */
export interface ListProbe {
  /** The user (`user:uN`). */
  readonly user: string;
  /** `viewer`. */
  readonly relation: string;
  /** `track`. */
  readonly type: string;
  /** Every track the user can view, sorted. */
  readonly expected: readonly string[];
}

/** Tuple counts by kind. */
export interface WorkloadCounts {
  readonly orgs: number;
  readonly artists: number;
  readonly albums: number;
  readonly tracks: number;
  /** Users including the listObjects user. */
  readonly users: number;
  /** Teams including the listObjects user's team. */
  readonly teams: number;
  readonly parentTuples: number;
  readonly memberTuples: number;
  readonly grantTuples: number;
  readonly tuples: number;
}

/** One tuple of the stream, in OpenFGA's `TupleKey` shape. */
export interface BenchTuple {
  readonly object: string;
  readonly relation: string;
  readonly user: string;
}

/** A generated workload: topology in typed arrays, a tuple stream, checks and ground truth. */
export interface Workload {
  readonly size: WorkloadSize;
  readonly seed: number;
  readonly counts: WorkloadCounts;
  readonly checks: CheckList;
  readonly list: ListProbe;
  /** The tuple stream: strings built on the fly, one tuple key at a time, nothing retained. */
  tuples(): Generator<BenchTuple>;
  /** Ground truth: the level granting `user:u{user}` viewer on `track:t{track}`, or -1. */
  truth(user: number, track: number): number;
}

const ORG = (i: number): string => `org:o${i}`;
const ARTIST = (i: number): string => `artist:ar${i}`;
const ALBUM = (i: number): string => `album:al${i}`;
const TRACK = (i: number): string => `track:t${i}`;
const USER = (i: number): string => `user:u${i}`;
const TEAM = (i: number): string => `team:tm${i}`;
const TEAM_MEMBERS = (i: number): string => `team:tm${i}#member`;

/** Children of each parent in CSR form: `items[offsets[p] .. offsets[p + 1])`. */
interface Csr {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
}

function csr(parentOf: Int32Array, parents: number): Csr {
  const offsets = new Int32Array(parents + 1);
  for (let i = 0; i < parentOf.length; i++) if (parentOf[i]! >= 0) offsets[parentOf[i]! + 1]!++;
  for (let p = 0; p < parents; p++) offsets[p + 1]! += offsets[p]!;
  const fill = offsets.slice(0, parents);
  const items = new Int32Array(offsets[parents]!);
  for (let i = 0; i < parentOf.length; i++) if (parentOf[i]! >= 0) items[fill[parentOf[i]!]!++] = i;
  return { offsets, items };
}

function randomParents(rng: Rng, children: number, parents: number): Int32Array {
  const out = new Int32Array(children);
  for (let i = 0; i < children; i++) out[i] = rng.int(parents);
  return out;
}

/** Generates the workload for `size` from `seed` (same seed, same tuples, same checks). */
export function generateWorkload(size: WorkloadSize, seed = 20240601, checkCount = 10_000): Workload {
  const rng = new Rng(seed);
  const O = size.orgs;
  const T = size.tracks;
  const AL = Math.max(1, Math.round(T / size.tracksPerAlbum));
  const AR = Math.max(O, Math.round(AL / size.albumsPerArtist));
  const U0 = size.users; // regular users; user U0 is the listObjects user
  const teamsPerOrg = Math.max(1, Math.round(U0 / size.usersPerTeam / O));
  const TM0 = teamsPerOrg * O; // regular teams; team TM0 holds only the listObjects user
  const U = U0 + 1;
  const TM = TM0 + 1;

  // Global object ids (orgs, artists, albums, tracks back to back) and subject ids (users, then teams).
  const ARTIST_BASE = O;
  const ALBUM_BASE = O + AR;
  const TRACK_BASE = O + AR + AL;
  const OBJECTS = TRACK_BASE + T;
  const TEAM_BASE = U;

  // Topology. Every org gets at least one artist (artist i < O belongs to org i).
  const artistOrg = randomParents(rng, AR, O);
  for (let o = 0; o < O; o++) artistOrg[o] = o;
  const albumArtist = randomParents(rng, AL, AR);
  const trackAlbum = randomParents(rng, T, AL);
  const orgArtists = csr(artistOrg, O);
  const artistAlbums = csr(albumArtist, AR);
  const albumTracks = csr(trackAlbum, AL);

  // Users: a home org, one team of that org, and a second team of it for one user in five.
  const userOrg = new Int32Array(U);
  const userTeamA = new Int32Array(U).fill(-1);
  const userTeamB = new Int32Array(U).fill(-1);
  const teamOf = (org: number, k: number): number => org * teamsPerOrg + k;
  for (let u = 0; u < U0; u++) {
    const org = rng.int(O);
    userOrg[u] = org;
    const a = rng.int(teamsPerOrg);
    userTeamA[u] = teamOf(org, a);
    if (teamsPerOrg > 1 && rng.float() < 0.2) userTeamB[u] = teamOf(org, (a + 1 + rng.int(teamsPerOrg - 1)) % teamsPerOrg);
  }
  userTeamA[U0] = TM0;
  const teamMembersOf = ((): Csr => {
    const count = new Int32Array(TM + 1);
    for (let u = 0; u < U; u++) {
      if (userTeamA[u]! >= 0) count[userTeamA[u]! + 1]!++;
      if (userTeamB[u]! >= 0) count[userTeamB[u]! + 1]!++;
    }
    for (let t = 0; t < TM; t++) count[t + 1]! += count[t]!;
    const fill = count.slice(0, TM);
    const items = new Int32Array(count[TM]!);
    for (let u = 0; u < U; u++) {
      if (userTeamA[u]! >= 0) items[fill[userTeamA[u]!]!++] = u;
      if (userTeamB[u]! >= 0) items[fill[userTeamB[u]!]!++] = u;
    }
    return { offsets: count, items };
  })();
  const memberTuples = teamMembersOf.items.length;

  // Random objects in an org, walking down the tree (a child of an empty parent retries).
  const artistIn = (org: number): number => {
    const { offsets, items } = orgArtists;
    return items[offsets[org]! + rng.int(offsets[org + 1]! - offsets[org]!)]!;
  };
  const albumIn = (artist: number): number => {
    const { offsets, items } = artistAlbums;
    const n = offsets[artist + 1]! - offsets[artist]!;
    return n === 0 ? -1 : items[offsets[artist]! + rng.int(n)]!;
  };
  const trackIn = (album: number): number => {
    const { offsets, items } = albumTracks;
    const n = offsets[album + 1]! - offsets[album]!;
    return n === 0 ? -1 : items[offsets[album]! + rng.int(n)]!;
  };
  const objectAt = (level: Level, org: number): number => {
    for (;;) {
      const artist = artistIn(org);
      if (level === Level.Artist) return ARTIST_BASE + artist;
      const album = albumIn(artist);
      if (album < 0) continue;
      if (level === Level.Album) return ALBUM_BASE + album;
      const track = trackIn(album);
      if (track >= 0) return TRACK_BASE + track;
    }
  };

  // Grants, deduplicated on (object, subject, role). A key fits in a double: objects < 2^25,
  // subjects < 2^22, 4 roles.
  const gObj: number[] = [];
  const gSubj: number[] = [];
  const gRole: number[] = [];
  const seen = new Set<number>();
  const SUBJECT_SPACE = U + TM;
  const grant = (obj: number, subj: number, role: number): boolean => {
    const key = (obj * SUBJECT_SPACE + subj) * 4 + role;
    if (seen.has(key)) return false;
    seen.add(key);
    gObj.push(obj);
    gSubj.push(subj);
    gRole.push(role);
    return true;
  };
  const ROLE_WEIGHTS = [50, 30, 15, 5]; // viewer, editor, admin, owner

  // Each org (label) has a few org-wide roles: an owner and an admin user, two teams.
  for (let o = 0; o < O; o++) {
    const usersOfOrg = (): number => {
      for (let tries = 0; ; tries++) {
        const u = rng.int(U0);
        if (userOrg[u] === o || tries > 10_000) return u;
      }
    };
    grant(o, usersOfOrg(), 3);
    grant(o, usersOfOrg(), 2);
    grant(o, TEAM_BASE + teamOf(o, rng.int(teamsPerOrg)), 1);
    grant(o, TEAM_BASE + teamOf(o, rng.int(teamsPerOrg)), 0);
  }
  // Random grants: 85% to users, 15% to teams; users mostly on tracks and albums, teams mostly on
  // artists; four in five inside the subject's own org (collaborators reach across labels).
  const randomGrants = Math.round(U0 * size.grantsPerUser);
  while (gObj.length < randomGrants + 4 * O) {
    const toTeam = rng.float() < 0.15;
    const subj = toTeam ? TEAM_BASE + rng.int(TM0) : rng.int(U0);
    const homeOrg = toTeam ? Math.floor((subj - TEAM_BASE) / teamsPerOrg) : userOrg[subj]!;
    const org = rng.float() < 0.8 ? homeOrg : rng.int(O);
    const level: Level = toTeam ? [Level.Track, Level.Album, Level.Artist][rng.pick([10, 20, 70])]! : [Level.Track, Level.Album, Level.Artist][rng.pick([55, 28, 17])]!;
    grant(objectAt(level, org), subj, rng.pick(ROLE_WEIGHTS));
  }

  // The listObjects user sees exactly 1,000 tracks: two artists through its team, whole albums
  // directly, then single tracks, plus grants that overlap what it already sees (the result must
  // still list each track once).
  const LIST_TARGET = Math.min(1_000, T);
  const lister = U0;
  const listerTeam = TEAM_BASE + TM0;
  const covered = new Uint8Array(T);
  let coveredCount = 0;
  const cover = (track: number): void => {
    if (!covered[track]) {
      covered[track] = 1;
      coveredCount++;
    }
  };
  const tracksOfAlbum = (album: number): Int32Array => albumTracks.items.subarray(albumTracks.offsets[album]!, albumTracks.offsets[album + 1]!);
  const tracksOfArtist = (artist: number): number[] => {
    const out: number[] = [];
    for (let i = artistAlbums.offsets[artist]!; i < artistAlbums.offsets[artist + 1]!; i++) out.push(...tracksOfAlbum(artistAlbums.items[i]!));
    return out;
  };
  for (let n = 0, tries = 0; n < 2 && tries < 1000; tries++) {
    const artist = rng.int(AR);
    const tracks = tracksOfArtist(artist);
    if (coveredCount + tracks.length > LIST_TARGET * 0.4) continue;
    grant(ARTIST_BASE + artist, listerTeam, rng.pick(ROLE_WEIGHTS));
    tracks.forEach(cover);
    n++;
  }
  for (let tries = 0; coveredCount < LIST_TARGET * 0.7 && tries < 100_000; tries++) {
    const album = rng.int(AL);
    const tracks = tracksOfAlbum(album);
    let fresh = 0;
    for (const t of tracks) fresh += covered[t] ? 0 : 1;
    if (fresh === 0 || coveredCount + fresh > LIST_TARGET) continue;
    grant(ALBUM_BASE + album, lister, rng.pick(ROLE_WEIGHTS));
    tracks.forEach(cover);
  }
  while (coveredCount < LIST_TARGET) {
    const track = rng.int(T);
    if (covered[track]) continue;
    grant(TRACK_BASE + track, lister, rng.pick(ROLE_WEIGHTS));
    cover(track);
  }
  for (let n = 0; n < 20; ) {
    const track = rng.int(T);
    if (covered[track] && grant(TRACK_BASE + track, rng.float() < 0.5 ? lister : listerTeam, rng.pick(ROLE_WEIGHTS))) n++;
  }
  seen.clear();

  const G = gObj.length;
  const grantObj = Int32Array.from(gObj);
  const grantSubj = Int32Array.from(gSubj);
  const grantRole = Uint8Array.from(gRole);
  gObj.length = gSubj.length = gRole.length = 0;
  // Grants by object (CSR) for the ground truth.
  const grantsByObj = csr(grantObj, OBJECTS);

  /** The nearest level at which `user` (or one of its teams) holds any role over `track`, else -1. */
  const truth = (user: number, track: number): number => {
    const s0 = user;
    const s1 = userTeamA[user]! >= 0 ? TEAM_BASE + userTeamA[user]! : -2;
    const s2 = userTeamB[user]! >= 0 ? TEAM_BASE + userTeamB[user]! : -2;
    const album = trackAlbum[track]!;
    const artist = albumArtist[album]!;
    for (let level = 0; level < 4; level++) {
      const obj = level === 0 ? TRACK_BASE + track : level === 1 ? ALBUM_BASE + album : level === 2 ? ARTIST_BASE + artist : artistOrg[artist]!;
      for (let i = grantsByObj.offsets[obj]!; i < grantsByObj.offsets[obj + 1]!; i++) {
        const s = grantSubj[grantsByObj.items[i]!]!;
        if (s === s0 || s === s1 || s === s2) return level;
      }
    }
    return -1;
  };
  /** As {@link truth}, but whether the grant at that level is only through a team. */
  const onlyViaTeam = (user: number, track: number, level: number): boolean => {
    const album = trackAlbum[track]!;
    const artist = albumArtist[album]!;
    const obj = [TRACK_BASE + track, ALBUM_BASE + album, ARTIST_BASE + artist, artistOrg[artist]!][level]!;
    for (let i = grantsByObj.offsets[obj]!; i < grantsByObj.offsets[obj + 1]!; i++) if (grantSubj[grantsByObj.items[i]!] === user) return false;
    return true;
  };

  // Grants by category, for picking allowed checks along each path.
  const byCategory = { trackUser: [] as number[], albumUser: [] as number[], artistTeam: [] as number[], org: [] as number[], anyUser: [] as number[] };
  for (let g = 0; g < G; g++) {
    const obj = grantObj[g]!;
    const subj = grantSubj[g]!;
    if (subj === lister || subj === listerTeam) continue;
    const isTeam = subj >= TEAM_BASE;
    if (obj < ARTIST_BASE) byCategory.org.push(g);
    else if (obj < ALBUM_BASE) {
      if (isTeam) byCategory.artistTeam.push(g);
    } else if (obj < TRACK_BASE) {
      if (!isTeam) byCategory.albumUser.push(g);
    } else if (!isTeam) byCategory.trackUser.push(g);
    if (!isTeam) byCategory.anyUser.push(g);
  }
  const memberOf = (team: number): number => {
    const { offsets, items } = teamMembersOf;
    const n = offsets[team + 1]! - offsets[team]!;
    return n === 0 ? -1 : items[offsets[team]! + rng.int(n)]!;
  };
  const userFor = (subj: number): number => (subj >= TEAM_BASE ? memberOf(subj - TEAM_BASE) : subj);
  const trackUnder = (obj: number): number => {
    if (obj >= TRACK_BASE) return obj - TRACK_BASE;
    if (obj >= ALBUM_BASE) return trackIn(obj - ALBUM_BASE);
    if (obj >= ARTIST_BASE) {
      const album = albumIn(obj - ARTIST_BASE);
      return album < 0 ? -1 : trackIn(album);
    }
    return objectAt(Level.Track, obj) - TRACK_BASE;
  };

  // The check list: half allowed, split evenly over the four paths (and each check's nearest
  // granting level is that path's level, so no path is shortcut by a nearer grant); half denied,
  // half of those random pairs and half near misses (a user with a grant on a sibling object).
  const users: string[] = [];
  const objects: string[] = [];
  const expected: number[] = [];
  const kinds: number[] = [];
  const add = (user: number, track: number, kind: CheckKind, allowed: boolean): void => {
    users.push(USER(user));
    objects.push(TRACK(track));
    expected.push(allowed ? 1 : 0);
    kinds.push(CHECK_KINDS.indexOf(kind));
  };
  const allowedPerPath = Math.floor(checkCount / 8);
  const paths: { kind: CheckKind; pool: number[]; level: Level; viaTeam: boolean }[] = [
    { kind: 'direct-track', pool: byCategory.trackUser, level: Level.Track, viaTeam: false },
    { kind: 'via-album', pool: byCategory.albumUser, level: Level.Album, viaTeam: false },
    { kind: 'team-artist', pool: byCategory.artistTeam, level: Level.Artist, viaTeam: true },
    { kind: 'org-role', pool: byCategory.org, level: Level.Org, viaTeam: false },
  ];
  for (const { kind, pool, level, viaTeam } of paths) {
    if (pool.length === 0) throw new Error(`workload: no grants for the ${kind} path`);
    for (let n = 0, tries = 0; n < allowedPerPath; tries++) {
      if (tries > allowedPerPath * 1000) throw new Error(`workload: cannot find ${kind} checks`);
      const g = pool[rng.int(pool.length)]!;
      const user = userFor(grantSubj[g]!);
      const track = trackUnder(grantObj[g]!);
      if (user < 0 || user === lister || track < 0) continue;
      if (truth(user, track) !== level) continue;
      if (viaTeam && !onlyViaTeam(user, track, level)) continue;
      add(user, track, kind, true);
      n++;
    }
  }
  const deniedTotal = checkCount - users.length;
  const nearMisses = Math.floor(deniedTotal / 2);
  for (let n = 0, tries = 0; n < nearMisses; tries++) {
    if (tries > nearMisses * 1000) throw new Error('workload: cannot find near-miss denied checks');
    // A sibling of a granted object: another track of the album, another album of the artist,
    // another artist of the org.
    const g = byCategory.anyUser[rng.int(byCategory.anyUser.length)]!;
    const user = grantSubj[g]!;
    const obj = grantObj[g]!;
    let track: number;
    if (obj >= TRACK_BASE) {
      const album = trackAlbum[obj - TRACK_BASE]!;
      track = albumIn(albumArtist[album]!);
      track = track < 0 ? -1 : trackIn(track);
    } else if (obj >= ALBUM_BASE) track = trackUnder(ARTIST_BASE + albumArtist[obj - ALBUM_BASE]!);
    else if (obj >= ARTIST_BASE) track = trackUnder(artistOrg[obj - ARTIST_BASE]!);
    else continue;
    if (track < 0 || truth(user, track) !== -1) continue;
    add(user, track, 'denied-near-miss', false);
    n++;
  }
  for (let n = nearMisses; n < deniedTotal; ) {
    const user = rng.int(U0);
    const track = rng.int(T);
    if (truth(user, track) !== -1) continue;
    add(user, track, 'denied-random', false);
    n++;
  }
  // Interleave the paths (a fixed shuffle), so no stretch of the timed loop is all one path.
  const order = Array.from({ length: users.length }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const checks: CheckList = {
    users: order.map((i) => users[i]!),
    relation: 'viewer',
    objects: order.map((i) => objects[i]!),
    expected: Uint8Array.from(order.map((i) => expected[i]!)),
    kinds: Uint8Array.from(order.map((i) => kinds[i]!)),
    allowedCount: expected.reduce((s, e) => s + e, 0),
  };

  // The listObjects answer, from the ground truth over every track (not from the planting above):
  // mark the objects the user or its teams hold a role on, then keep the tracks with a marked
  // ancestor (one pass; calling truth() per track costs four random reads each at 14.5M tracks).
  const marked = new Uint8Array(OBJECTS);
  for (let g = 0; g < G; g++) {
    const s = grantSubj[g]!;
    if (s === lister || s === TEAM_BASE + userTeamA[lister]! || (userTeamB[lister]! >= 0 && s === TEAM_BASE + userTeamB[lister]!)) marked[grantObj[g]!] = 1;
  }
  const visible: string[] = [];
  for (let t = 0; t < T; t++) {
    const album = trackAlbum[t]!;
    const artist = albumArtist[album]!;
    if (marked[TRACK_BASE + t] || marked[ALBUM_BASE + album] || marked[ARTIST_BASE + artist] || marked[artistOrg[artist]!]) visible.push(TRACK(t));
  }
  if (visible.length !== LIST_TARGET) throw new Error(`workload: the listObjects user sees ${visible.length} tracks, expected ${LIST_TARGET}`);
  visible.sort();

  const parentTuples = AR + AL + T;
  const counts: WorkloadCounts = {
    orgs: O,
    artists: AR,
    albums: AL,
    tracks: T,
    users: U,
    teams: TM,
    parentTuples,
    memberTuples,
    grantTuples: G,
    tuples: parentTuples + memberTuples + G,
  };

  const objectName = (obj: number): string =>
    obj >= TRACK_BASE ? TRACK(obj - TRACK_BASE) : obj >= ALBUM_BASE ? ALBUM(obj - ALBUM_BASE) : obj >= ARTIST_BASE ? ARTIST(obj - ARTIST_BASE) : ORG(obj);
  const subjectName = (subj: number): string => (subj >= TEAM_BASE ? TEAM_MEMBERS(subj - TEAM_BASE) : USER(subj));

  function* tuples(): Generator<BenchTuple> {
    for (let i = 0; i < AR; i++) yield { object: ARTIST(i), relation: 'org', user: ORG(artistOrg[i]!) };
    for (let i = 0; i < AL; i++) yield { object: ALBUM(i), relation: 'artist', user: ARTIST(albumArtist[i]!) };
    for (let i = 0; i < T; i++) yield { object: TRACK(i), relation: 'album', user: ALBUM(trackAlbum[i]!) };
    for (let t = 0; t < TM; t++) {
      for (let i = teamMembersOf.offsets[t]!; i < teamMembersOf.offsets[t + 1]!; i++) yield { object: TEAM(t), relation: 'member', user: USER(teamMembersOf.items[i]!) };
    }
    for (let g = 0; g < G; g++) yield { object: objectName(grantObj[g]!), relation: ROLES[grantRole[g]!]!, user: subjectName(grantSubj[g]!) };
  }

  return { size, seed, counts, checks, list: { user: USER(lister), relation: 'viewer', type: 'track', expected: visible }, tuples, truth };
}
