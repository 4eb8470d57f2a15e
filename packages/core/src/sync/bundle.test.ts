import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGatehouseError } from '../errors/index';
import type { AuthorizationModel } from '../model/types';
import type { TupleKey } from '../store/types';
import { decodeBundle, decodeChanges, detectFormat, encodeBundle, encodeChanges } from './bundle';
import { creatorModel, creatorTuples } from './creatorPlatform.fixture';
import type { ChangeSet, SnapshotData } from './types';

const model: AuthorizationModel = {
  schema_version: '1.1',
  type_definitions: [
    { type: 'user' },
    {
      type: 'track',
      relations: { viewer: { this: {} } },
      metadata: { relations: { viewer: { directly_related_user_types: [{ type: 'user' }, { type: 'user', wildcard: {} }] } } },
    },
  ],
};

const sample: TupleKey[] = [
  { user: 'user:anne', relation: 'viewer', object: 'track:t1' },
  { user: 'user:*', relation: 'viewer', object: 'track:t2', condition: { name: 'release_window', context: { release_at: '2025-01-01T00:00:00Z' } } },
  { user: 'team:core#member', relation: 'editor', object: 'album:a1' },
  { user: 'user:bob@example.com', relation: 'viewer', object: 'track:t1', condition: { name: 'no_context' } },
];

const snapshot = (tuples: TupleKey[] = sample, revision = '42'): SnapshotData => ({ model, modelId: '01JD8X3Y4Z5A6B7C8D9E0F1G2H', revision, tuples });

/** Encodes, lets the test corrupt the parsed document, and returns the error decodeBundle throws. */
function corrupt(mutate: (doc: Record<string, any>) => void, data = snapshot()): Error {
  const doc = JSON.parse(encodeBundle(data)) as Record<string, any>;
  mutate(doc);
  try {
    decodeBundle(JSON.stringify(doc));
  } catch (error) {
    expect(isGatehouseError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('invalid_bundle');
    return error as Error;
  }
  throw new Error('expected decodeBundle to throw');
}

function rowOf(doc: Record<string, any>, row: number): number[] {
  return doc.tuples.rows.slice(row * 6, row * 6 + 6);
}

describe('encodeBundle / decodeBundle', () => {
  it('round-trips tuples, conditions, wildcards and usersets in order', () => {
    const text = encodeBundle(snapshot());
    const decoded = decodeBundle(text);
    expect(decoded).toEqual(snapshot());
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ format: 'gatehouse.bundle', version: 1, revision: '42', modelId: '01JD8X3Y4Z5A6B7C8D9E0F1G2H' });
    expect(doc.strings[0]).toBe('');
    expect(doc.tuples.count).toBe(4);
    expect(doc.tuples.rows).toHaveLength(24);
    expect(doc.tuples.conditions.map((c: unknown[]) => c[0])).toEqual([1, 3]);
  });

  it('accepts bytes, ArrayBuffers and parsed JSON as input', () => {
    const text = encodeBundle(snapshot());
    const bytes = new TextEncoder().encode(text);
    expect(decodeBundle(bytes)).toEqual(snapshot());
    expect(decodeBundle(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))).toEqual(snapshot());
    expect(decodeBundle(JSON.parse(text))).toEqual(snapshot());
  });

  it('stores each distinct string once, most frequent first', () => {
    const tuples = Array.from({ length: 50 }, (_, i) => ({ user: `user:u${i}`, relation: 'viewer', object: 'track:hit' }));
    const doc = JSON.parse(encodeBundle(snapshot(tuples)));
    expect(new Set(doc.strings).size).toBe(doc.strings.length);
    // Equal counts (50 each) keep first-sight order; the 50 user ids, used once each, come after.
    expect(doc.strings.slice(1, 5).sort()).toEqual(['hit', 'track', 'user', 'viewer']);
    expect(doc.strings.indexOf('u0')).toBeGreaterThan(4);
  });

  it('round-trips an empty snapshot', () => {
    expect(decodeBundle(encodeBundle(snapshot([])))).toEqual(snapshot([]));
  });

  it('round-trips arbitrary valid tuples (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
    const id = fc.stringMatching(/^[A-Za-z0-9_|@.+/-][A-Za-z0-9_|*@.+/-]{0,12}$/);
    const user = fc.oneof(
      fc.tuple(name, id).map(([t, i]) => `${t}:${i}`),
      name.map((t) => `${t}:*`),
      fc.tuple(name, id, name).map(([t, i, r]) => `${t}:${i}#${r}`),
    );
    const condition = fc.option(
      fc.record({ name: fc.stringMatching(/^[a-z][a-z_]{1,10}$/), context: fc.option(fc.dictionary(name, fc.jsonValue()), { nil: undefined }) }, { requiredKeys: ['name'] }),
      { nil: undefined },
    );
    const tuple = fc.record({ user, relation: name, object: fc.tuple(name, id).map(([t, i]) => `${t}:${i}`), condition }).map((t) => {
      const { condition: c, ...rest } = t;
      if (c === undefined) return rest as TupleKey;
      return { ...rest, condition: c.context === undefined ? { name: c.name } : { name: c.name, context: c.context } } as TupleKey;
    });
    fc.assert(
      fc.property(fc.array(tuple, { maxLength: 30 }), (tuples) => {
        // JSON drops -0 and undefined inside contexts; compare against what JSON itself keeps.
        const expected = JSON.parse(JSON.stringify(tuples)) as TupleKey[];
        expect(decodeBundle(encodeBundle(snapshot(tuples))).tuples).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });

  it('is compact: a 100k-tuple creator platform bundle stays under 40 bytes per tuple', () => {
    const tuples = creatorTuples(100_000);
    const text = encodeBundle({ model: creatorModel, modelId: '01JD8X3Y4Z5A6B7C8D9E0F1G2H', revision: '1042', tuples });
    const openfgaJson = JSON.stringify(tuples).length;
    // Measured: 36.4 bytes per tuple (91 for the same tuples as OpenFGA JSON); see bundle-format.md.
    expect(text.length / tuples.length).toBeLessThan(40);
    expect(text.length).toBeLessThan(openfgaJson / 2);
    const decoded = decodeBundle(text).tuples;
    expect(decoded).toHaveLength(tuples.length);
    for (const i of [0, 1, 2_500, 17_000, 55_555, 80_001, 99_999]) expect(decoded[i]).toEqual(tuples[i]);
  });
});

describe('decodeBundle rejects corrupt bundles', () => {
  it('rejects text that is not JSON, or not UTF-8', () => {
    expect(() => decodeBundle('{"format":"gatehouse.bundle",')).toThrow(/invalid bundle: bundle is not valid JSON/);
    expect(() => decodeBundle(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/not valid UTF-8/);
  });

  it.each([
    ['null', null, /expected a bundle object, got null/],
    ['an array', [], /expected a bundle object, got an array/],
    ['a number', 42, /expected a bundle object, got number 42/],
  ])('rejects %s', (_, value, message) => {
    expect(() => decodeBundle(value as object)).toThrow(message);
  });

  it('rejects the wrong format, a change set, and unknown versions', () => {
    expect(corrupt((d) => (d.format = 'opa.bundle')).message).toMatch(/format must be "gatehouse.bundle", got "opa.bundle"/);
    const changes = encodeChanges({ from: '1', to: '2', writes: sample.slice(0, 1), deletes: [] });
    expect(() => decodeBundle(changes)).toThrow(/expected a bundle \(format "gatehouse.bundle"\), got a change set/);
    expect(corrupt((d) => (d.version = 2)).message).toMatch(/unsupported bundle version 2 \(this reader supports version 1\)/);
  });

  it('rejects bad envelope fields with their path', () => {
    expect(corrupt((d) => (d.revision = '042')).message).toMatch(/revision: expected a revision/);
    expect(corrupt((d) => (d.revision = 42)).message).toMatch(/revision/);
    expect(corrupt((d) => delete d.modelId).message).toMatch(/modelId/);
    expect(corrupt((d) => (d.tuples.count = -1)).message).toMatch(/tuples\.count/);
    expect(corrupt((d) => (d.tuples.rows = 'abc')).message).toMatch(/tuples\.rows: expected an array/);
  });

  it('rejects a structurally invalid model, naming the path', () => {
    expect(corrupt((d) => (d.model.type_definitions = 'x')).message).toMatch(/invalid model: .*model\.type_definitions/);
    expect(corrupt((d) => (d.model.schema_version = '9.9')).message).toMatch(/invalid model/);
  });

  it('rejects a string table that is not strings or lacks the empty entry', () => {
    expect(corrupt((d) => (d.strings[0] = 'x')).message).toMatch(/strings\[0\] must be the empty string/);
    expect(corrupt((d) => (d.strings[3] = 7)).message).toMatch(/strings\[3\]: expected a string, got number 7/);
  });

  it('rejects rows that do not match the count (truncation)', () => {
    expect(corrupt((d) => d.tuples.rows.pop()).message).toMatch(/tuples: rows holds 23 numbers but count 4 needs 24/);
  });

  it('names the row and column of an out-of-range or non-integer index', () => {
    expect(corrupt((d) => (d.tuples.rows[2 * 6 + 1] = 9999)).message).toMatch(/tuples row 2: object id index 9999 is not a valid index into the string table \(\d+ entries\)/);
    expect(corrupt((d) => (d.tuples.rows[3 * 6 + 4] = 1.5)).message).toMatch(/tuples row 3: user id index 1\.5/);
    expect(corrupt((d) => (d.tuples.rows[0] = '1')).message).toMatch(/tuples row 0: object type index "1"/);
    expect(corrupt((d) => (d.tuples.rows[6 + 3] = -1)).message).toMatch(/tuples row 1: user type index -1/);
  });

  it('names the row when a string breaks the id rules', () => {
    const withBadId = (value: string, column: number, row = 1) =>
      corrupt((d) => {
        d.strings.push(value);
        d.tuples.rows[row * 6 + column] = d.strings.length - 1;
      });
    expect(withBadId('has space', 1).message).toMatch(/tuples row 1: invalid object id "has space"/);
    expect(withBadId('*leading', 1).message).toMatch(/tuples row 1: invalid object id "\*leading"/);
    expect(withBadId('a:b', 0).message).toMatch(/tuples row 1: invalid object type "a:b"/);
    expect(withBadId('view er', 2, 3).message).toMatch(/tuples row 3: invalid relation "view er"/);
    expect(withBadId('', 4, 0).message).toMatch(/tuples row 0: invalid user id ""/);
  });

  it('rejects an empty relation and a wildcard user with a relation', () => {
    expect(corrupt((d) => (d.tuples.rows[2] = 0)).message).toMatch(/tuples row 0: invalid relation ""/);
    const err = corrupt((d) => {
      const star = d.strings.indexOf('*');
      const rel = d.strings.indexOf('viewer');
      d.tuples.rows[1 * 6 + 4] = star;
      d.tuples.rows[1 * 6 + 5] = rel;
    });
    expect(err.message).toMatch(/tuples row 1: a wildcard user \(user:\*\) cannot have a relation/);
  });

  it('rejects malformed condition entries, naming the row', () => {
    expect(corrupt((d) => (d.tuples.conditions[0] = [1])).message).toMatch(/tuples\.conditions\[0\]: expected \[row, nameIndex\]/);
    expect(corrupt((d) => (d.tuples.conditions[1][0] = 1)).message).toMatch(/tuples\.conditions\[1\]: row 1 must be a row number below 4, greater than the previous/);
    expect(corrupt((d) => (d.tuples.conditions[0][0] = 4)).message).toMatch(/row 4 must be a row number below 4/);
    expect(corrupt((d) => (d.tuples.conditions[0][1] = 0)).message).toMatch(/tuples row 1: condition name index 0/);
    expect(corrupt((d) => (d.tuples.conditions[0][2] = [1, 2])).message).toMatch(/tuples row 1: the context of condition 'release_window' must be an object, got an array/);
    const spaced = corrupt((d) => {
      d.strings.push('bad name');
      d.tuples.conditions[0][1] = d.strings.length - 1;
    });
    expect(spaced.message).toMatch(/tuples row 1: invalid condition name "bad name"/);
  });

  it('names the offending row deep in a large bundle', () => {
    const tuples = creatorTuples(5_000);
    const err = corrupt(
      (d) => {
        d.strings.push('no spaces allowed');
        d.tuples.rows[4321 * 6 + 1] = d.strings.length - 1;
      },
      { model: creatorModel, modelId: 'm1', revision: '7', tuples },
    );
    expect(err.message).toMatch(/tuples row 4321: invalid object id "no spaces allowed"/);
  });

  it('ignores unknown fields, so version 1 can grow', () => {
    const doc = JSON.parse(encodeBundle(snapshot()));
    doc.createdAt = '2025-01-01';
    doc.tuples.checksum = 'abc';
    expect(decodeBundle(doc)).toEqual(snapshot());
  });
});

describe('encodeBundle validates what it writes', () => {
  it('names the offending tuple', () => {
    const bad = (tuple: unknown) => snapshot([sample[0] as TupleKey, tuple as TupleKey]);
    expect(() => encodeBundle(bad({ user: 'user:anne', relation: 'viewer', object: 'track' }))).toThrow(/tuples\[1\]: invalid object "track"/);
    expect(() => encodeBundle(bad({ user: 'anne', relation: 'viewer', object: 'track:1' }))).toThrow(/tuples\[1\]: invalid user "anne"/);
    expect(() => encodeBundle(bad({ user: 'user:anne', relation: 'a b', object: 'track:1' }))).toThrow(/tuples\[1\]: invalid relation "a b"/);
    expect(() => encodeBundle(bad({ user: 'user:anne', relation: 'v', object: 'track:1', condition: { name: '' } }))).toThrow(/tuples\[1\]: invalid condition name ""/);
    expect(() => encodeBundle(bad(null))).toThrow(/tuples\[1\]: expected a tuple/);
  });

  it('rejects a bad revision, model id or model', () => {
    expect(() => encodeBundle({ ...snapshot(), revision: '-1' })).toThrow(/revision: expected a revision/);
    expect(() => encodeBundle({ ...snapshot(), modelId: '' })).toThrow(/modelId: expected a non-empty string/);
    expect(() => encodeBundle({ ...snapshot(), model: { schema_version: '1.1', type_definitions: [{ type: 5 }] } as unknown as AuthorizationModel })).toThrow(/invalid model/);
    expect(() => encodeBundle(null as unknown as SnapshotData)).toThrow(/expected snapshot data, got null/);
  });
});

describe('encodeChanges / decodeChanges', () => {
  const changes: ChangeSet = {
    from: '41',
    to: '44',
    writes: sample.slice(0, 2),
    deletes: [{ user: 'user:carl', relation: 'viewer', object: 'track:t1' }],
  };

  it('round-trips writes, deletes and a model change', () => {
    expect(decodeChanges(encodeChanges(changes))).toEqual(changes);
    const withModel: ChangeSet = { ...changes, model, modelId: 'm2' };
    expect(decodeChanges(encodeChanges(withModel))).toEqual(withModel);
    const doc = JSON.parse(encodeChanges(changes));
    expect(doc).toMatchObject({ format: 'gatehouse.changes', version: 1, from: '41', to: '44' });
    expect(doc.model).toBeUndefined();
    expect(detectFormat(doc)).toBe('gatehouse.changes');
    expect(detectFormat(JSON.parse(encodeBundle(snapshot())))).toBe('gatehouse.bundle');
    expect(detectFormat({ format: 'x' })).toBeUndefined();
  });

  it('round-trips an empty range', () => {
    const empty: ChangeSet = { from: '9', to: '9', writes: [], deletes: [] };
    expect(decodeChanges(encodeChanges(empty))).toEqual(empty);
  });

  it('rejects a tuple both written and deleted, naming both rows', () => {
    const both = { ...changes, deletes: [{ user: 'user:anne', relation: 'viewer', object: 'track:t1' }] };
    expect(() => encodeChanges(both)).toThrow(/deletes row 0 \(track:t1 viewer user:anne\) is also written \(writes row 0\)/);
    const doc = JSON.parse(encodeChanges(changes));
    doc.deletes.rows = doc.writes.rows.slice(0, 6);
    expect(() => decodeChanges(doc)).toThrow(/is also written/);
  });

  it('rejects ranges that run backwards or empty ranges with changes', () => {
    expect(() => encodeChanges({ ...changes, from: '50' })).toThrow(/to \(44\) is lower than from \(50\)/);
    expect(() => encodeChanges({ ...changes, from: '44' })).toThrow(/an empty range \(from = to = 44\) cannot carry changes/);
  });

  it('rejects conditions on deletes, and a model without its id', () => {
    const doc = JSON.parse(encodeChanges(changes));
    doc.deletes.conditions = [[0, 1]];
    expect(() => decodeChanges(doc)).toThrow(/deletes: deletes name tuples by object, relation and user and carry no conditions/);
    expect(() => encodeChanges({ ...changes, deletes: [sample[1] as TupleKey] })).toThrow(/deletes\[0\]: a delete names a tuple by object, relation and user; it takes no condition/);
    const noId = JSON.parse(encodeChanges({ ...changes, model, modelId: 'm2' }));
    delete noId.modelId;
    expect(() => decodeChanges(noId)).toThrow(/model and modelId must be present together/);
  });

  it('rejects a bundle given as a change set, and names rows in deletes', () => {
    expect(() => decodeChanges(encodeBundle(snapshot()))).toThrow(/expected a change set \(format "gatehouse.changes"\), got a bundle/);
    const doc = JSON.parse(encodeChanges(changes));
    doc.deletes.rows[4] = 10_000;
    expect(() => decodeChanges(doc)).toThrow(/invalid change set: deletes row 0: user id index 10000/);
  });
});
