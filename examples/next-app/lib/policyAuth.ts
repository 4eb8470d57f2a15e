// The policy bundle carries every tuple, so only the middleware may read it: requests must carry
// `authorization: Bearer <GATEHOUSE_POLICY_TOKEN>`. instrumentation.ts makes up a token at boot
// when none is configured, so the endpoint is never open. Edge-safe: the middleware imports it.

/** The environment variable holding the shared secret. */
export const POLICY_TOKEN_ENV = 'GATEHOUSE_POLICY_TOKEN';

/** The configured policy token, or `undefined` when none is set. */
export function policyToken(): string | undefined {
  const token = process.env[POLICY_TOKEN_ENV];
  return token === undefined || token === '' ? undefined : token;
}

/** Does the request carry the policy token? Fails closed when no token is configured. */
export function hasPolicyToken(request: Request): boolean {
  const token = policyToken();
  if (token === undefined) return false;
  const header = request.headers.get('authorization') ?? '';
  return constantTimeEqual(header, `Bearer ${token}`);
}

// Compares every character whatever the first difference, so response timing does not reveal how
// much of a guess was right.
function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0);
  return diff === 0;
}
