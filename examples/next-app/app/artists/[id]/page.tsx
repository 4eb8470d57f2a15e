import { notFound } from 'next/navigation';
import { GatehouseProvider } from '@gatehouse/react';
import { getArtist } from '../../../lib/artists';
import { gatehouse } from '../../../lib/gatehouse';
import { ArtistToolbar } from './ArtistToolbar';

/**
 * An artist's page. The server checks `viewer` (assert: 401/403 page otherwise), then computes
 * this user's decisions for the relations the client asks about. Only those booleans travel to
 * the browser, never tuples: `<Can>` in the toolbar reads them.
 */
export default async function ArtistPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const artist = getArtist(id);
  if (artist === undefined) notFound();
  const object = `artist:${artist.id}` as const;
  await gatehouse.assert('viewer', object);
  const decisions = await gatehouse.decisions({
    checks: [
      { relation: 'viewer', object },
      { relation: 'editor', object },
      { relation: 'manager', object },
    ],
  });
  return (
    <GatehouseProvider decisions={decisions}>
      <div className="card">
        <h1 data-testid="artist-name">{artist.name}</h1>
        <p className="muted">{artist.bio}</p>
        <h2>Releases</h2>
        <ul>
          {artist.releases.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
        <ArtistToolbar artistId={artist.id} />
      </div>
    </GatehouseProvider>
  );
}
