import { computed, defineModel, direct, from, union } from '@gatehouse/core';
import type { InferSchema, TupleKey } from '@gatehouse/core';

/**
 * The creator-platform model: a label signs artists; label roles flow down to its artists, and
 * teams get roles through `team#member`. The label's owner manages each artist's team (grants and
 * revokes `editor`). Written with `defineModel`, so every relation name used by the app
 * (`<Can relation=...>`, guards) is checked by the compiler.
 */
export const model = defineModel({
  types: {
    user: {},
    team: { member: direct('user') },
    label: {
      owner: direct('user', 'team#member'),
      editor: union(direct('user', 'team#member'), computed('owner')),
      viewer: union(direct('user', 'team#member'), computed('editor')),
    },
    artist: {
      label: direct('label'),
      manager: from('owner', 'label'),
      editor: union(direct('user', 'team#member'), from('editor', 'label')),
      viewer: union(direct('user', 'user:*', 'team#member'), computed('editor'), from('viewer', 'label')),
    },
  },
});

/** The model's type and relation names. */
export type AppSchema = InferSchema<typeof model>;

/**
 * Seed tuples. Nova is public (every signed-in user views it), Kite is not. ada edits Nova through
 * the nova-crew team; cleo owns the label, so she edits every artist on it and manages their teams;
 * ben is a label viewer; dan is signed in but has no role at all.
 */
export const TUPLES: readonly TupleKey[] = [
  { user: 'label:nightowl', relation: 'label', object: 'artist:nova' },
  { user: 'label:nightowl', relation: 'label', object: 'artist:kite' },
  { user: 'user:*', relation: 'viewer', object: 'artist:nova' },
  { user: 'user:ada', relation: 'member', object: 'team:nova-crew' },
  { user: 'team:nova-crew#member', relation: 'editor', object: 'artist:nova' },
  { user: 'user:cleo', relation: 'owner', object: 'label:nightowl' },
  { user: 'user:ben', relation: 'viewer', object: 'label:nightowl' },
];

/** A seeded person the sign-in page offers. */
export interface SeedUser {
  /** The id in the session cookie and in tuples (`user:<id>`). */
  readonly id: string;
  /** Display name. */
  readonly name: string;
  /** What the seed data lets them do, shown on the sign-in page. */
  readonly role: string;
}

/** The people the sign-in page offers. */
export const USERS: readonly SeedUser[] = [
  { id: 'ada', name: 'Ada', role: 'editor of Nova (member of team nova-crew)' },
  { id: 'cleo', name: 'Cleo', role: 'owner of the Nightowl label: edits every artist on it, manages their teams' },
  { id: 'ben', name: 'Ben', role: 'viewer of the Nightowl label: sees, cannot edit' },
  { id: 'dan', name: 'Dan', role: 'signed in, no role: sees Nova (public), not Kite' },
];
