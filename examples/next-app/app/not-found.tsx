import Link from 'next/link';

/** Unknown pages and artists. */
export default function NotFound() {
  return (
    <div className="card">
      <h1>Not found</h1>
      <Link href="/">Back to the catalog</Link>
    </div>
  );
}
