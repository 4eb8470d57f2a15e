import Link from 'next/link';

/** Rendered (with status 401) when a server component calls `unauthorized()`: nobody is signed in. */
export default function Unauthorized() {
  return (
    <div className="card">
      <h1>Sign in first</h1>
      <p data-testid="page-unauthorized">This page needs a signed-in user.</p>
      <Link href="/sign-in">Sign in</Link>
    </div>
  );
}
