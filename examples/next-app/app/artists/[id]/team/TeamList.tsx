'use client';

import { useActionState } from 'react';
import { setEditorAction } from '../actions';
import type { TeamState } from '../actions';

/** A seeded person and how they hold `editor` on the artist. */
export interface TeamMember {
  readonly id: string;
  readonly name: string;
  /** `granted`: a grant of their own, revocable here; `inherited`: through a team or the label; `no`: not an editor. */
  readonly editor: 'granted' | 'inherited' | 'no';
}

const initial: TeamState = { status: 'idle', message: '' };

const ROLE: Record<TeamMember['editor'], string> = {
  granted: 'editor (granted here)',
  inherited: 'editor through a team or the label',
  no: 'not an editor',
};

/** The team list: a grant or revoke button per person, posting to the guarded server action. */
export function TeamList({ artistId, members }: { readonly artistId: string; readonly members: readonly TeamMember[] }) {
  const [state, action, pending] = useActionState(setEditorAction, initial);
  return (
    <>
      <ul className="members">
        {members.map((m) => (
          <li key={m.id} data-testid={`member-${m.id}`}>
            <div>
              <strong>{m.name}</strong> <span className="muted">user:{m.id}</span>
              <div className="muted" data-testid={`member-${m.id}-role`}>
                {ROLE[m.editor]}
              </div>
            </div>
            {m.editor !== 'inherited' && (
              <form action={action}>
                <input type="hidden" name="id" value={artistId} />
                <input type="hidden" name="user" value={m.id} />
                <input type="hidden" name="op" value={m.editor === 'granted' ? 'revoke' : 'grant'} />
                <button
                  type="submit"
                  className={m.editor === 'granted' ? 'secondary' : undefined}
                  disabled={pending}
                  data-testid={`${m.editor === 'granted' ? 'revoke' : 'grant'}-${m.id}`}
                >
                  {m.editor === 'granted' ? 'Revoke editor' : 'Grant editor'}
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {state.status !== 'idle' && (
        <p role="status" data-testid="team-result" className={`notice ${state.status === 'granted' || state.status === 'revoked' ? 'ok' : 'error'}`}>
          {state.message}
        </p>
      )}
    </>
  );
}
