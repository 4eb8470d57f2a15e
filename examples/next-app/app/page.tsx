import Link from 'next/link';
import { listArtists } from '../lib/artists';

/** The catalog. */
export default function Home() {
  return (
    <>
      <h1>Artists</h1>
      <p className="muted">
        Sign in as one of the seeded people, then open an artist: the Edit button shows only for people who may edit that
        artist, and the edit page itself is guarded by the Edge middleware.
      </p>
      {listArtists().map((artist) => (
        <div className="card" key={artist.id}>
          <h2>
            <Link href={`/artists/${artist.id}`}>{artist.name}</Link>
          </h2>
          <p className="muted">{artist.bio}</p>
        </div>
      ))}
    </>
  );
}
