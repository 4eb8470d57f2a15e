'use server';

import { revalidatePath } from 'next/cache';
import { cookies } from 'next/headers';
import { unstable_rethrow } from 'next/navigation';
import { isGatehouseError } from '@gatehouse/core';
import { invalidName, renameArtist } from '../../../lib/artists';
import { gatehouse } from '../../../lib/gatehouse';
import { SESSION_COOKIE, userFromSession } from '../../../lib/session';

/** What the rename form shows after a submit. */
export interface RenameState {
  readonly status: 'idle' | 'renamed' | 'refused' | 'invalid';
  readonly message: string;
}

/**
 * Renames an artist. A server action is a public endpoint: anyone can post to it, whatever the
 * UI showed them, so it checks `editor` itself rather than trusting the page or the middleware.
 */
export async function renameArtistAction(_previous: RenameState, formData: FormData): Promise<RenameState> {
  const id = formData.get('id');
  const name = formData.get('name');
  if (typeof id !== 'string' || typeof name !== 'string') return { status: 'invalid', message: 'The form is incomplete.' };
  try {
    await gatehouse.assert('editor', `artist:${id}`, { onDenied: 'throw', onUnauthenticated: 'throw' });
  } catch (error) {
    // Let Next.js's own interrupts (redirect, unauthorized, ...) through; report refusals.
    unstable_rethrow(error);
    if (isGatehouseError(error)) {
      const user = userFromSession((await cookies()).get(SESSION_COOKIE)?.value);
      const why = user === undefined ? 'sign in first.' : `${user} may not edit artist:${id}.`;
      return { status: 'refused', message: `Refused: ${why}` };
    }
    throw error;
  }
  const problem = invalidName(name);
  if (problem !== undefined) return { status: 'invalid', message: problem };
  const renamed = renameArtist(id, name.trim());
  if (renamed === undefined) return { status: 'invalid', message: `There is no artist ${id}.` };
  revalidatePath(`/artists/${id}`);
  return { status: 'renamed', message: `Renamed to ${renamed.name}.` };
}
