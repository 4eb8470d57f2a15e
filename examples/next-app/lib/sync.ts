// Edge-safe: the middleware imports it.

/**
 * How often the Edge middleware revalidates its policy snapshot against the bundle route, in ms:
 * the longest a grant or revoke waits before the edit page's guard sees it (plus one request).
 */
export const EDGE_POLL_INTERVAL_MS = 5_000;
