import type { TupleKey } from '@gatehouse/core';

/**
 * The creator-platform model: labels own artists, artists own albums, albums hold tracks. Roles
 * (owner > admin > editor > viewer) flow down the tree; teams get roles through `team#member`. A
 * track can be embargoed from listeners until a release time (a CEL condition on request time).
 */
export const MODEL = `model
  schema 1.1

type user

type team
  relations
    define member: [user]

type label
  relations
    define owner: [user, team#member]
    define admin: [user, team#member] or owner
    define editor: [user, team#member] or admin
    define viewer: [user, team#member] or editor

type artist
  relations
    define label: [label]
    define admin: [user, team#member] or admin from label
    define editor: [user, team#member] or admin or editor from label
    define viewer: [user, team#member] or editor or viewer from label

type album
  relations
    define artist: [artist]
    define editor: [user, team#member] or editor from artist
    define viewer: [user, team#member, user:*] or editor or viewer from artist

type track
  relations
    define album: [album]
    define editor: [user, team#member] or editor from album
    define listener: [user:*, user:* with released]
    define viewer: editor or viewer from album or listener

condition released(current_time: timestamp, release_at: timestamp) {
  current_time >= release_at
}
`;

/** Seed data: one label, two artists with their albums and tracks, a team, and a few people. */
export const TUPLES: readonly TupleKey[] = [
  { user: 'label:nightowl', relation: 'label', object: 'artist:luna' },
  { user: 'label:nightowl', relation: 'label', object: 'artist:kite' },
  { user: 'artist:luna', relation: 'artist', object: 'album:moonrise' },
  { user: 'artist:kite', relation: 'artist', object: 'album:paper-skies' },
  { user: 'album:moonrise', relation: 'album', object: 'track:moonrise-01' },
  { user: 'album:moonrise', relation: 'album', object: 'track:moonrise-02' },
  { user: 'album:paper-skies', relation: 'album', object: 'track:paper-skies-01' },
  { user: 'user:ada', relation: 'owner', object: 'label:nightowl' },
  { user: 'user:ben', relation: 'member', object: 'team:luna-crew' },
  { user: 'team:luna-crew#member', relation: 'editor', object: 'artist:luna' },
  { user: 'user:cleo', relation: 'editor', object: 'track:paper-skies-01' },
  { user: 'user:*', relation: 'listener', object: 'track:moonrise-01' },
  { user: 'user:*', relation: 'listener', object: 'track:moonrise-02', condition: { name: 'released', context: { release_at: '2030-01-01T00:00:00Z' } } },
];
