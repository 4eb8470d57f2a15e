'use server';

import { revalidatePath } from 'next/cache';
import { cookies } from 'next/headers';
import { unstable_rethrow } from 'next/navigation';
import { isGatehouseError } from '@gatehouse/core';
import { getArtist, invalidName, renameArtist } from '../../../lib/artists';
import { gatehouse } from '../../../lib/gatehouse';
import { USERS } from '../../../lib/model';
import { policySource, serverAuthorizer } from '../../../lib/policy';
import { SESSION_COOKIE, userFromSession } from '../../../lib/session';

/** What the rename form shows after a submit. */
export interface RenameState {
  readonly status: 'idle' | 'renamed' | 'refused' | 'invalid';
  readonly message: string;
}

/** What the team page shows after a grant or a revoke. */
export interface TeamState {
  readonly status: 'idle' | 'granted' | 'revoked' | 'refused' | 'invalid';
  readonly message: string;
}

/**
 * Checks `relation` on `artist:{id}` for the current user; returns the refusal to show, or
 * `undefined` when allowed. Next.js's own interrupts (redirect, unauthorized, ...) go through.
 */
async function refusal(relation: 'editor' | 'manager', id: string, verb: string): Promise<string | undefined> {
  try {
    await gatehouse.assert(relation, `artist:${id}`, { onDenied: 'throw', onUnauthenticated: 'throw' });
    return undefined;
  } catch (error) {
    unstable_rethrow(error);
    if (isGatehouseError(error)) {
      const user = userFromSession((await cookies()).get(SESSION_COOKIE)?.value);
      return `Refused: ${user === undefined ? 'sign in first.' : `${user} may not ${verb} artist:${id}.`}`;
    }
    throw error;
  }
}

/**
 * Renames an artist. A server action is a public endpoint: anyone can post to it, whatever the
 * UI showed them, so it checks `editor` itself rather than trusting the page or the middleware.
 */
export async function renameArtistAction(_previous: RenameState, formData: FormData): Promise<RenameState> {
  const id = formData.get('id');
  const name = formData.get('name');
  if (typeof id !== 'string' || typeof name !== 'string') return { status: 'invalid', message: 'The form is incomplete.' };
  const refused = await refusal('editor', id, 'edit');
  if (refused !== undefined) return { status: 'refused', message: refused };
  const problem = invalidName(name);
  if (problem !== undefined) return { status: 'invalid', message: problem };
  const renamed = renameArtist(id, name.trim());
  if (renamed === undefined) return { status: 'invalid', message: `There is no artist ${id}.` };
  revalidatePath(`/artists/${id}`);
  return { status: 'renamed', message: `Renamed to ${renamed.name}.` };
}

/**
 * Grants or revokes `editor` on an artist for a seeded user: a write to the policy source, at a
 * new revision. Only the artist's managers (the label's owner) may; like the rename, the action
 * checks for itself, whatever page it was posted from.
 */
export async function setEditorAction(_previous: TeamState, formData: FormData): Promise<TeamState> {
  const id = formData.get('id');
  const userId = formData.get('user');
  const op = formData.get('op');
  if (typeof id !== 'string' || typeof userId !== 'string' || (op !== 'grant' && op !== 'revoke')) {
    return { status: 'invalid', message: 'The form is incomplete.' };
  }
  const refused = await refusal('manager', id, 'manage');
  if (refused !== undefined) return { status: 'refused', message: refused };
  const artist = getArtist(id);
  if (artist === undefined) return { status: 'invalid', message: `There is no artist ${id}.` };
  const person = USERS.find((u) => u.id === userId);
  if (person === undefined) return { status: 'invalid', message: `There is no seeded user ${userId}.` };

  const tuple = { user: `user:${person.id}`, relation: 'editor', object: `artist:${artist.id}` };
  const revision = op === 'grant' ? policySource().write([tuple]) : policySource().delete([tuple]);
  // Read your writes: the pages this action refreshes must be decided at this revision or later.
  // The server authorizer is fed by the same MemorySource, so it is there already; with a remote
  // source (a policy service, PostgreSQL) this is where the wait would happen.
  await (await serverAuthorizer()).waitForRevision(revision, { timeoutMs: 2_000 });
  // The artist page and its team page (the Edge middleware catches up on its own, by polling).
  revalidatePath(`/artists/${artist.id}`, 'layout');
  return op === 'grant'
    ? { status: 'granted', message: `${person.name} may now edit ${artist.name} (revision ${revision}).` }
    : { status: 'revoked', message: `Revoked ${person.name}'s editor grant on ${artist.name} (revision ${revision}).` };
}
