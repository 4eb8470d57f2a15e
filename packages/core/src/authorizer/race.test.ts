import { describe, expect, it } from 'vitest';
import type { CheckRequest } from '../engine/types';
import { GatehouseError } from '../errors/index';
import type { TupleKey } from '../store/types';
import { compareRevisions } from '../sync/revision';
import { MemorySource } from '../sync/MemorySource';
import type { SnapshotSink, SnapshotSource } from '../sync/source';
import type { ChangeSet, SnapshotData } from '../sync/types';
import { freshAnswer, freshSnapshots, model, model2, randomCheck, randomTuple, rng } from './authorizer.fixture';
import { createAuthorizer } from './createAuthorizer';
import type { Authorizer } from './types';

// Checks racing updates. Every answer reports the revision it was made at; each is compared with a
// snapshot built from scratch at that revision. A reader that saw half an update, a cache entry that
// outlived its revision, or a delta applied differently from a full load would each show up as a
// mismatch.

interface Answer {
  readonly request: CheckRequest;
  readonly result: boolean | string;
  readonly revision: string;
  readonly atLeast?: string;
}

/** Random writes and deletes against what the source holds; now and then a model change. */
function randomUpdate(random: () => number, source: MemorySource): Parameters<MemorySource['apply']>[0] {
  const held = source.snapshot()?.tuples ?? [];
  const writes = Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomTuple(random));
  const deletes = held.length === 0 ? [] : Array.from({ length: Math.floor(random() * 3) }, () => held[Math.floor(random() * held.length)] as TupleKey);
  if (random() < 0.04) return { writes, deletes, model: source.modelId === 'm1' ? model2 : model, modelId: source.modelId === 'm1' ? 'm2' : 'm1' };
  return { writes, deletes };
}

function verify(answers: readonly Answer[], fresh: ReturnType<typeof freshSnapshots>): void {
  let mismatches = 0;
  for (const a of answers) {
    const expected = freshAnswer(fresh.at(a.revision), a.request);
    if (expected !== a.result) mismatches++;
    expect({ request: a.request, revision: a.revision, result: a.result }).toEqual({ request: a.request, revision: a.revision, result: expected });
    if (a.atLeast !== undefined) expect(compareRevisions(a.revision, a.atLeast)).toBeGreaterThanOrEqual(0);
  }
  expect(mismatches).toBe(0);
}

function answer(authorizer: Authorizer, request: CheckRequest): Answer {
  try {
    const r = authorizer.check(request);
    return { request, result: r.allowed, revision: r.revision };
  } catch (error) {
    // An evaluation error still names the revision it happened at, through the snapshot in use.
    return { request, result: (error as GatehouseError).code, revision: authorizer.revision as string };
  }
}

describe('checks racing updates', () => {
  it.each([1, 2, 3])('synchronous deltas interleaved with checks and batches (seed %i)', (seed) => {
    const random = rng(seed);
    const fresh = freshSnapshots();
    const source = new MemorySource({ model, modelId: 'm1', revision: 0, tuples: Array.from({ length: 30 }, () => randomTuple(random)) });
    fresh.record(source.snapshot() as SnapshotData);
    const authorizer = createAuthorizer({ source, cache: { max: 64 } });
    const answers: Answer[] = [];
    for (let step = 0; step < 1_500; step++) {
      const r = random();
      if (r < 0.25) {
        source.apply(randomUpdate(random, source));
        fresh.record(source.snapshot() as SnapshotData);
        // A synchronous source: the write is in use when apply() returns.
        expect(authorizer.revision).toBe(source.revision);
      } else if (r < 0.35) {
        const requests = Array.from({ length: 4 }, () => randomCheck(random));
        const batch = authorizer.batchCheck(requests);
        batch.results.forEach((item, i) => answers.push({ request: requests[i] as CheckRequest, result: item.error?.code ?? (item.allowed as boolean), revision: batch.revision }));
      } else {
        answers.push(answer(authorizer, randomCheck(random)));
      }
    }
    expect(authorizer.cacheStats().hits).toBeGreaterThan(0);
    verify(answers, fresh);
  });

  it.each([4, 5])('asynchronous deliveries, refused deltas and full reloads racing concurrent readers (seed %i)', async (seed) => {
    const random = rng(seed);
    const fresh = freshSnapshots();
    const upstream = new MemorySource({ model, modelId: 'm1', revision: 0, tuples: Array.from({ length: 30 }, () => randomTuple(random)) });
    fresh.record(upstream.snapshot() as SnapshotData);
    const pause = async () => {
      for (let i = Math.floor(random() * 6); i > 0; i--) await Promise.resolve();
    };
    // The link: deliveries arrive after a few microtasks, pile up and get merged by MemorySource,
    // and one delta in ten is refused by the link itself, so a full reload follows.
    const link: SnapshotSource = {
      start(sink: SnapshotSink) {
        upstream.start({
          snapshot: async (d: SnapshotData) => {
            await pause();
            await sink.snapshot(d);
          },
          changes: async (c: ChangeSet) => {
            await pause();
            if (random() < 0.1) throw new GatehouseError('source_unavailable', 'link dropped the delta');
            await sink.changes(c);
          },
          error: (e) => sink.error(e),
        });
      },
      stop: () => upstream.stop(),
    };
    const authorizer = createAuthorizer({ source: link, cache: { max: 64 } });
    let syncErrors = 0;
    authorizer.on('syncError', () => syncErrors++);
    await authorizer.ready();
    const written: string[] = [];
    const answers: Answer[] = [];
    let writing = true;

    const writer = async () => {
      for (let i = 0; i < 150; i++) {
        await pause();
        written.push(upstream.apply(randomUpdate(random, upstream)));
        fresh.record(upstream.snapshot() as SnapshotData);
      }
      writing = false;
    };
    const reader = async () => {
      let last = '0';
      while (writing) {
        await pause();
        const a = answer(authorizer, randomCheck(random));
        // One reader never sees revisions go backwards.
        expect(compareRevisions(a.revision, last)).toBeGreaterThanOrEqual(0);
        last = a.revision;
        answers.push(a);
      }
    };
    const consistentReader = async () => {
      while (writing) {
        await pause();
        const atLeast = written[written.length - 1];
        if (atLeast === undefined) continue;
        const request = randomCheck(random);
        try {
          const r = await authorizer.checkAsync(request, { atLeast, timeoutMs: 10_000 });
          answers.push({ request, result: r.allowed, revision: r.revision, atLeast });
        } catch (error) {
          // An evaluation error (a bad relation, a condition missing its parameter): by the time
          // the rejection is seen, newer snapshots may be in, so there is no revision to compare at.
          expect(['validation_error', 'condition_evaluation_error']).toContain((error as GatehouseError).code);
        }
      }
    };
    await Promise.all([writer(), reader(), reader(), consistentReader(), consistentReader()]);
    await upstream.settled();
    expect(authorizer.revision).toBe(upstream.revision);
    expect(syncErrors).toBeGreaterThan(0);
    expect(answers.length).toBeGreaterThan(200);
    expect(new Set(answers.map((a) => a.revision)).size).toBeGreaterThan(10);
    verify(answers, fresh);
    await authorizer.stop();
  });
});
