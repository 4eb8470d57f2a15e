import { forbidden } from 'next/navigation';

/**
 * Where the Edge middleware rewrites a denied request. Next.js answers a middleware rewrite with
 * the target page's status (it ignores the status the middleware gave the rewrite), so this page
 * stops at once with forbidden(): status 403, rendered by ./forbidden.tsx.
 */
export default function Denied(): never {
  forbidden();
}
