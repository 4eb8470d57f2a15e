import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getArtist } from '../../../../lib/artists';
import { RenameForm } from './RenameForm';

/**
 * The edit page. The Edge middleware guards it (`editor` on `artist:{id}`): signed-out visitors
 * are redirected to /sign-in and others get a 403 before this component runs. The rename itself
 * is checked again in the server action.
 */
export default async function EditArtistPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const artist = getArtist(id);
  if (artist === undefined) notFound();
  return (
    <div className="card">
      <h1>Edit {artist.name}</h1>
      <RenameForm artistId={artist.id} name={artist.name} />
      <p>
        <Link href={`/artists/${artist.id}`}>Back to {artist.name}</Link>
      </p>
    </div>
  );
}
