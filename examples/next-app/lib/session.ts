// A stand-in for real authentication: the signed-in user's id sits in a plain cookie that the
// sign-in page sets. A real app puts a signed session there (Auth.js, iron-session, ...) and
// verifies it here. Edge-safe: the middleware imports this file.

/** The cookie that names the signed-in user. */
export const SESSION_COOKIE = 'gatehouse-example-user';

const ID = /^[a-z][a-z0-9_-]{0,31}$/;

/** The Gatehouse user string (`user:ada`) for a session cookie value, or `undefined` when absent or malformed. */
export function userFromSession(value: string | undefined): string | undefined {
  return value !== undefined && ID.test(value) ? `user:${value}` : undefined;
}

/** Is `id` acceptable as a session cookie value? */
export function isSessionId(id: string): boolean {
  return ID.test(id);
}
