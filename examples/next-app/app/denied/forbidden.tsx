import Link from 'next/link';

/** What the Edge middleware shows, with status 403, when the signed-in user may not open a page. */
export default function Denied() {
  return (
    <div className="card">
      <h1>403: not allowed</h1>
      <p data-testid="middleware-denied">The Gatehouse middleware stopped this request: you may not edit this artist.</p>
      <Link href="/sign-in">Sign in as someone else</Link>
    </div>
  );
}
