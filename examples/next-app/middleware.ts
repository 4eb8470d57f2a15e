import { createAuthorizer, GatehouseError, HttpBundleSource } from '@gatehouse/core';
import type { Authorizer } from '@gatehouse/core';
import { gatehouseMiddleware } from '@gatehouse/next/middleware';
import { policyToken } from './lib/policyAuth';
import { SESSION_COOKIE, userFromSession } from './lib/session';
import { EDGE_POLL_INTERVAL_MS } from './lib/sync';

// middleware.ts, not proxy.ts: Next.js 16 deprecates the `middleware` file in favour of `proxy`,
// but `proxy` always runs on Node.js, and this guard is meant to run in the Edge runtime (no
// Node built-ins, one lightweight isolate). `middleware.ts` still runs on Edge in Next.js 16.

// One authorizer per isolate, created on the first guarded request. The Edge runtime shares no
// memory with the Node.js server, so it syncs the policy over HTTP from the bundle route: a full
// bundle once, then a conditional GET (ETag / 304) every few seconds.
let pending: Promise<Authorizer> | undefined;

/** Where the policy bundle lives: GATEHOUSE_POLICY_URL, else this server on the loopback interface. */
function policyUrl(): string {
  const configured = process.env.GATEHOUSE_POLICY_URL;
  if (configured !== undefined && configured !== '') return configured;
  // Not request.nextUrl.origin: that comes from the client's Host header, and a forged Host on
  // the first request would make this isolate load (and trust) someone else's policy.
  const port = process.env.PORT;
  if (port === undefined || port === '') {
    throw new GatehouseError('source_unavailable', 'set GATEHOUSE_POLICY_URL: the middleware cannot tell where the policy service is');
  }
  return `http://127.0.0.1:${port}/api/policy/bundle`;
}

async function createEdgeAuthorizer(): Promise<Authorizer> {
  const source = new HttpBundleSource({
    url: policyUrl(),
    mode: 'poll',
    interval: EDGE_POLL_INTERVAL_MS,
    changesUrl: false,
    headers: (): HeadersInit => ({ authorization: `Bearer ${policyToken() ?? ''}` }),
  });
  const authorizer = createAuthorizer({ source });
  try {
    await authorizer.ready({ timeoutMs: 5_000 });
  } catch (error) {
    await authorizer.stop();
    throw error;
  }
  return authorizer;
}

function edgeAuthorizer(): Promise<Authorizer> {
  // A failure is not kept for the isolate's life: the next guarded request tries again (and
  // gets a 503 from the guard meanwhile).
  pending ??= createEdgeAuthorizer().catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

/** Guards the edit pages: signed-out users go to /sign-in, users who may not edit get a 403 page. */
export default gatehouseMiddleware({
  authorizer: edgeAuthorizer,
  rules: [
    {
      path: '/artists/:id/edit',
      relation: 'editor',
      object: 'artist:{id}',
      // Page loads only. Server actions are POSTs, and Next.js accepts an action at any URL (the
      // action id travels in a header), so a path rule cannot guard them: each action checks
      // for itself (app/artists/[id]/actions.ts), and answers a refusal the form can show.
      methods: ['GET', 'HEAD'],
    },
  ],
  getUser: (request) => userFromSession(request.cookies.get(SESSION_COOKIE)?.value),
  // Signed out: the default, a redirect to /sign-in?next=<path>.
  // Denied: the /denied page, under the original URL. `next start` ignores the status of a
  // middleware rewrite, so that page calls forbidden() to answer 403 itself.
  onDenied: { rewrite: '/denied' },
});

export const config = {
  // Only the guarded pages: the policy bundle route (/api/policy/bundle) must never run through
  // the guard, or the first guarded request would wait on itself.
  matcher: ['/artists/:id/edit'],
};
