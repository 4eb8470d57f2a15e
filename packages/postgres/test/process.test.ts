import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFollower, type Follower } from './lines';
import { MODEL, testDatabase, viewer, type TestDatabase } from './helpers';

let db: TestDatabase;
const followers: Follower[] = [];

beforeAll(async () => {
  db = await testDatabase('process');
});

afterAll(async () => {
  await Promise.all(followers.map((f) => f.stop()));
  await db?.drop();
});

describe('a second process', () => {
  it.each([
    // LISTEN with a 30 s poll interval: only the notification can make it this fast.
    ['with LISTEN', { listen: true, pollInterval: 30_000 }, 1_000],
    ['polling only', { listen: false, pollInterval: 100 }, 1_500],
  ])('sees a write within bounded time (%s)', async (_mode, options, boundMs) => {
    const { id } = await db.store.createStore('process');
    await db.store.writeModel(id, MODEL);
    const probe = viewer('probe', 'other-process');
    const follower = startFollower({ storeId: id, schema: db.schema, probe, ...options });
    followers.push(follower);
    const ready = await follower.next((l) => l.type === 'ready', 30_000);
    expect(ready).toMatchObject({ type: 'ready', revision: '1', listening: options.listen });

    for (let i = 0; i < 3; i++) {
      const tuple = i === 2 ? probe : viewer(i, 'other-process');
      const written = performance.timeOrigin + performance.now();
      const revision = await db.store.write(id, { writes: [tuple] });
      const seen = await follower.next((l) => l.type === 'snapshot' && BigInt(l.revision) >= BigInt(revision), 10_000);
      if (seen.type !== 'snapshot') throw new Error('unreachable');
      expect(seen.at - written).toBeLessThan(boundMs);
      if (i === 2) expect(seen.allowed).toBe(true);
    }
    expect(follower.lines.filter((l) => l.type === 'error')).toEqual([]);
    await follower.stop();
    expect(follower.child.exitCode).toBe(0);
  });
});
