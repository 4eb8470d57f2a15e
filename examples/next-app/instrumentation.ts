import { POLICY_TOKEN_ENV } from './lib/policyAuth';

/**
 * Runs once when the server starts, before it serves requests. Without a configured
 * GATEHOUSE_POLICY_TOKEN it makes up one for this process, so the policy bundle route is never
 * open; the Edge middleware reads the same process environment.
 */
export function register(): void {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if ((process.env[POLICY_TOKEN_ENV] ?? '') === '') process.env[POLICY_TOKEN_ENV] = crypto.randomUUID();
}
