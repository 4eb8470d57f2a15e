import { existsSync } from 'node:fs';

/** The Chromium the e2e tests drive: Debian's, never a downloaded one. Override with GATEHOUSE_CHROMIUM. */
export const CHROMIUM = process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the browser tests run. Without Chromium they are skipped with a message, except in CI
 * (`CI` set), where a missing browser is a failure rather than a silently green run.
 */
export function browserAvailable(): boolean {
  return existsSync(CHROMIUM) || process.env.CI !== undefined;
}
