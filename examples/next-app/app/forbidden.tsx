import Link from 'next/link';

/** Rendered (with status 403) when a server component calls `forbidden()`, e.g. through `gatehouse.assert`. */
export default function Forbidden() {
  return (
    <div className="card">
      <h1>Forbidden</h1>
      <p data-testid="page-forbidden">You may not see this page.</p>
      <Link href="/">Back to the catalog</Link>
    </div>
  );
}
