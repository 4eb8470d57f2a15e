/**
 * The LISTEN/NOTIFY channel of a store. One channel per store, so a commit wakes only the
 * followers of its store (every listening session of the database still reads the notification
 * queue; only matching ones are sent to their clients). Store ids are ULIDs, unique across
 * schemas, and 10 + 26 characters fit PostgreSQL's 63-byte identifier limit.
 */
export function notifyChannel(storeId: string): string {
  return `gatehouse_${storeId}`;
}
