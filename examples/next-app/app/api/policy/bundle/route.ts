import { bundleResponse } from '../../../../lib/bundleResponse';
import { hasPolicyToken } from '../../../../lib/policyAuth';
import { policySource } from '../../../../lib/policy';

// The policy service's endpoint: the Edge middleware's HttpBundleSource syncs from here. The
// bundle holds every tuple, so it answers only callers with the policy token (never a browser),
// and the middleware matcher leaves it alone.
export const runtime = 'nodejs';

/** The current bundle, 304 when the caller already has it, 401 without the policy token. */
export function GET(request: Request): Response {
  if (!hasPolicyToken(request)) {
    return Response.json(
      { error: 'unauthenticated', message: 'the policy bundle needs the policy token' },
      { status: 401, headers: { 'www-authenticate': 'Bearer', 'cache-control': 'no-store' } },
    );
  }
  return bundleResponse(request, policySource());
}
