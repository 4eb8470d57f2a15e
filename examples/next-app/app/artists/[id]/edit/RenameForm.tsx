'use client';

import { useActionState } from 'react';
import { renameArtistAction } from '../actions';
import type { RenameState } from '../actions';

const initial: RenameState = { status: 'idle', message: '' };

/** The rename form: posts to the guarded server action and shows its answer. */
export function RenameForm({ artistId, name }: { readonly artistId: string; readonly name: string }) {
  const [state, action, pending] = useActionState(renameArtistAction, initial);
  return (
    <form action={action}>
      <input type="hidden" name="id" value={artistId} />
      <label htmlFor="name">Name</label>
      <div className="row">
        <input id="name" name="name" type="text" defaultValue={name} />
        <button type="submit" disabled={pending} data-testid="rename-submit">
          {pending ? 'Saving…' : 'Save'}
        </button>
      </div>
      {state.status !== 'idle' && (
        <p role="status" data-testid="rename-result" className={`notice ${state.status === 'renamed' ? 'ok' : 'error'}`}>
          {state.message}
        </p>
      )}
    </form>
  );
}
