'use client';

import Link from 'next/link';
import { Can, useGatehouse } from '@gatehouse/react';

/**
 * The artist page's actions, rendered in the browser from the decisions the server sent: the
 * Edit button exists only for editors, the Team button only for managers. Hiding them is a
 * convenience; the middleware, the pages' `assert` and the server actions enforce the rules.
 */
export function ArtistToolbar({ artistId }: { readonly artistId: string }) {
  const { decisions } = useGatehouse();
  return (
    <div className="row">
      <Can
        relation="editor"
        object={`artist:${artistId}`}
        fallback={
          <span className="muted" data-testid="read-only">
            You can view this artist, not edit it.
          </span>
        }
      >
        <Link className="button" href={`/artists/${artistId}/edit`} data-testid="edit-button">
          Edit
        </Link>
      </Can>
      <Can relation="manager" object={`artist:${artistId}`}>
        <Link className="button secondary" href={`/artists/${artistId}/team`} data-testid="team-button">
          Team
        </Link>
      </Can>
      <span className="muted status">decisions at revision {decisions.revision}</span>
    </div>
  );
}
