import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getArtist } from '../../../../lib/artists';
import { gatehouse } from '../../../../lib/gatehouse';
import { USERS } from '../../../../lib/model';
import { EDGE_POLL_INTERVAL_MS } from '../../../../lib/sync';
import { directUsers, serverAuthorizer } from '../../../../lib/policy';
import { TeamList } from './TeamList';
import type { TeamMember } from './TeamList';

/**
 * An artist's team: who may edit it. Only its managers (the label's owner) see the page (assert:
 * 401/403 page otherwise), and the grant / revoke action checks again. A change is a write to the
 * policy source: this page and the artist page see it at once, the Edge middleware guarding the
 * edit page within its poll interval.
 */
export default async function TeamPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const artist = getArtist(id);
  if (artist === undefined) notFound();
  const object = `artist:${artist.id}` as const;
  await gatehouse.assert('manager', object);

  // The page is for a manager, so it may say who edits; it says so in words, never as tuples.
  // One batch: every answer from the same snapshot. A failed check counts as "not an editor".
  const authorizer = await serverAuthorizer();
  const direct = directUsers('editor', object);
  const { results, revision } = authorizer.batchCheck(USERS.map((u) => ({ user: `user:${u.id}`, relation: 'editor', object })));
  const members: TeamMember[] = USERS.map((u, i) => ({
    id: u.id,
    name: u.name,
    editor: direct.has(`user:${u.id}`) ? 'granted' : results[i]?.allowed === true ? 'inherited' : 'no',
  }));
  return (
    <div className="card">
      <h1>Team of {artist.name}</h1>
      <p className="muted">
        Grant or revoke <code>editor</code> on <code>{object}</code>. Pages rendered on the server see a change at once; the
        Edge middleware guarding the edit page picks it up at its next poll of the policy bundle (every {EDGE_POLL_INTERVAL_MS / 1000} s).
      </p>
      <TeamList artistId={artist.id} members={members} />
      <p className="muted status">policy at revision {revision}</p>
      <p>
        <Link href={`/artists/${artist.id}`}>Back to {artist.name}</Link>
      </p>
    </div>
  );
}
