import { cookies } from 'next/headers';
import { createGatehouse } from '@gatehouse/next';
import type {} from './register';
import { serverAuthorizer } from './policy';
import { SESSION_COOKIE, userFromSession } from './session';

/**
 * The server-side guards: server components (`can`, `assert`, `decisions`), route handlers
 * (`withPermission`) and server actions (`assert`). The user comes from the session cookie.
 */
export const gatehouse = createGatehouse({
  authorizer: serverAuthorizer,
  getUser: async () => userFromSession((await cookies()).get(SESSION_COOKIE)?.value),
});
