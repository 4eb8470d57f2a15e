import { describe, expect, it } from 'vitest';
import { parseDSL } from '../dsl/index';
import type { GatehouseErrorCode } from '../errors/index';
import { isGatehouseError } from '../errors/index';
import { compileModel } from '../model/compile';
import { createTupleStore } from './TupleStore';
import type { TupleKey } from './types';

const compiled = compileModel(
  parseDSL(`model
  schema 1.1
type user
type group
  relations
    define member: [user, group#member]
type folder
  relations
    define viewer: [user, user:*, group#member]
type doc
  relations
    define parent: [folder]
    define editor: [user with recent, group#member]
    define viewer: [user] or viewer from parent
condition recent(x: int) {
  x < 10
}
`),
);

function codeOf(fn: () => unknown): GatehouseErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (error) {
    if (isGatehouseError(error)) return error.code;
    throw error;
  }
}

const key = (t: TupleKey): string => `${t.object}#${t.relation}@${t.user}${t.condition ? ` ${JSON.stringify(t.condition)}` : ''}`;

const tuples: TupleKey[] = [
  { user: 'user:anne', relation: 'member', object: 'group:eng' },
  { user: 'group:eng#member', relation: 'member', object: 'group:all' },
  { user: 'user:*', relation: 'viewer', object: 'folder:public' },
  { user: 'group:all#member', relation: 'viewer', object: 'folder:team' },
  { user: 'folder:team', relation: 'parent', object: 'doc:1' },
  { user: 'user:bob', relation: 'editor', object: 'doc:1', condition: { name: 'recent', context: { x: 3 } } },
  { user: 'user:cid', relation: 'viewer', object: 'doc:1' },
];

describe('TupleStore', () => {
  it('indexes tuples and gives every one back, conditions included', () => {
    const store = createTupleStore(compiled, tuples);
    expect(store.size).toBe(tuples.length);
    expect([...store.tuples()].map(key).sort()).toEqual(tuples.map(key).sort());
    expect(store.has({ user: 'user:anne', relation: 'member', object: 'group:eng' })).toBe(true);
    expect(store.has({ user: 'user:anne', relation: 'member', object: 'group:all' })).toBe(false);
  });

  it('loads many tuples, good and bad mixed, exactly as writing them one at a time would', () => {
    // Over several load batches: plain, wildcard, userset and conditioned tuples, duplicates, and
    // tuples the fast path must hand to the validator (bad ids, unknown types and relations).
    const mixed: TupleKey[] = [];
    for (let i = 0; i < 1500; i++) {
      const k = i % 11;
      if (k === 0) mixed.push({ user: `user:u${i % 97}`, relation: 'member', object: `group:g${i % 13}` });
      else if (k === 1) mixed.push({ user: `group:g${i % 13}#member`, relation: 'viewer', object: `folder:f${i % 29}` });
      else if (k === 2) mixed.push({ user: 'user:*', relation: 'viewer', object: `folder:f${i % 29}` });
      else if (k === 3) mixed.push({ user: `folder:f${i % 29}`, relation: 'parent', object: `doc:d-${i}-with-a-long-id` });
      else if (k === 4) mixed.push({ user: `user:u${i % 97}`, relation: 'editor', object: `doc:d${i % 31}`, condition: { name: 'recent', context: { x: i % 7 } } });
      else if (k === 5) mixed.push({ user: `user:bad$${i}`, relation: 'viewer', object: `doc:d${i % 31}` });
      else if (k === 6) mixed.push({ user: `user:u${i % 97}`, relation: 'viewer', object: `doc:*x${i}` });
      else if (k === 7) mixed.push({ user: `user:u${i % 97}`, relation: 'nope', object: `doc:d${i % 31}` });
      else if (k === 8) mixed.push({ user: `robot:r${i}`, relation: 'viewer', object: `doc:d${i % 31}` });
      else if (k === 9) mixed.push({ user: `user:é${i}`, relation: 'viewer', object: `doc:d${i % 31}` });
      else mixed.push({ user: `user:u${i % 97}`, relation: 'viewer', object: `doc:d${i % 31}` });
    }
    const loaded = createTupleStore(compiled, mixed, { invalid: 'skip' });
    let written = createTupleStore(compiled);
    for (const t of mixed) written = written.write({ writes: [t] }, { invalid: 'skip', onDuplicate: 'ignore' });
    expect([...loaded.tuples()].map(key).sort()).toEqual([...written.tuples()].map(key).sort());
    expect(loaded.size).toBe(written.size);
    expect(loaded.ignored.map(key).sort()).toEqual(written.ignored.map(key).sort());
    // Without `skip`, the first bad tuple fails the load with the validator's error.
    expect(codeOf(() => createTupleStore(compiled, mixed))).toBe('invalid_tuple');
  });

  it("validates tuples with OpenFGA's rules and codes", () => {
    const load = (t: TupleKey) => () => createTupleStore(compiled, [t]);
    expect(codeOf(load({ user: 'user:anne', relation: 'viewer', object: 'nope:1' }))).toBe('invalid_tuple');
    expect(codeOf(load({ user: 'user:anne', relation: 'owner', object: 'doc:1' }))).toBe('invalid_tuple');
    expect(codeOf(load({ user: 'ghost:anne', relation: 'viewer', object: 'doc:1' }))).toBe('invalid_tuple');
    expect(codeOf(load({ user: 'group:eng#ghost', relation: 'member', object: 'group:all' }))).toBe('invalid_tuple');
    expect(codeOf(load({ user: 'user:*', relation: 'viewer', object: 'doc:1' }))).toBe('invalid_tuple');
    expect(codeOf(load({ user: 'user:anne', relation: 'viewer', object: 'doc:*' }))).toBe('invalid_tuple');
    expect(codeOf(load({ user: 'user:a b', relation: 'viewer', object: 'doc:1' }))).toBe('invalid_tuple');
    // A tupleset relation holds plain objects only.
    expect(codeOf(load({ user: 'folder:x#viewer', relation: 'parent', object: 'doc:1' }))).toBe('invalid_tuple');
    // Condition problems are OpenFGA validation errors.
    expect(codeOf(load({ user: 'user:bob', relation: 'editor', object: 'doc:1' }))).toBe('validation_error');
    expect(codeOf(load({ user: 'user:bob', relation: 'editor', object: 'doc:1', condition: { name: 'ghost' } }))).toBe('validation_error');
    expect(codeOf(load({ user: 'user:bob', relation: 'viewer', object: 'doc:1', condition: { name: 'recent' } }))).toBe('validation_error');
    expect(codeOf(load({ user: 'user:bob', relation: 'editor', object: 'doc:1', condition: { name: 'recent', context: { y: 1 } } }))).toBe('validation_error');
    expect(codeOf(load({ user: 'user:bob', relation: 'editor', object: 'doc:1', condition: { name: 'recent', context: { x: 'no' } } }))).toBe('validation_error');
    expect(codeOf(() => createTupleStore(compiled, [null as unknown as TupleKey]))).toBe('invalid_tuple');
  });

  it('sets aside tuples the model does not allow when asked, and brings them back under a model that does', () => {
    const stray: TupleKey = { user: 'user:anne', relation: 'owner', object: 'doc:1' };
    const store = createTupleStore(compiled, [...tuples, stray], { invalid: 'skip' });
    expect(store.size).toBe(tuples.length);
    expect(store.ignored).toEqual([stray]);
    expect(store.has(stray)).toBe(true);
    const wider = compileModel(parseDSL(`model
  schema 1.1
type user
type doc
  relations
    define owner: [user]
`));
    const rebuilt = store.withModel(wider);
    expect([...rebuilt.tuples()].filter((t) => !rebuilt.ignored.includes(t)).map(key)).toEqual([key(stray)]);
    expect(rebuilt.size).toBe(1);
  });

  it('writes and deletes produce a new version and leave the old one untouched', () => {
    const v1 = createTupleStore(compiled, tuples);
    const added: TupleKey = { user: 'user:dan', relation: 'member', object: 'group:eng' };
    const removed = tuples[0]!;
    const v2 = v1.write({ writes: [added], deletes: [removed] });
    expect(v2.has(added)).toBe(true);
    expect(v2.has(removed)).toBe(false);
    expect(v2.size).toBe(v1.size);
    expect(v1.has(added)).toBe(false);
    expect(v1.has(removed)).toBe(true);
    expect([...v1.tuples()].map(key).sort()).toEqual(tuples.map(key).sort());
  });

  it("rejects writes as OpenFGA's Write does", () => {
    const store = createTupleStore(compiled, tuples);
    const existing = tuples[0]!;
    const fresh: TupleKey = { user: 'user:dan', relation: 'member', object: 'group:eng' };
    expect(codeOf(() => store.write({ writes: [existing] }))).toBe('write_failed_due_to_invalid_input');
    expect(codeOf(() => store.write({ deletes: [fresh] }))).toBe('write_failed_due_to_invalid_input');
    expect(codeOf(() => store.write({ writes: [fresh, fresh] }))).toBe('cannot_allow_duplicate_tuples_in_one_request');
    expect(codeOf(() => store.write({ writes: [fresh], deletes: [fresh] }))).toBe('cannot_allow_duplicate_tuples_in_one_request');
    expect(codeOf(() => store.write({ writes: [{ user: 'user:dan', relation: 'nope', object: 'doc:1' }] }))).toBe('invalid_tuple');
    // Implicit: a group's members are members of it without a tuple (OpenFGA's validateNotImplicit).
    expect(() => store.write({ writes: [{ user: 'group:eng#member', relation: 'member', object: 'group:eng' }] })).toThrow(
      "invalid tuple 'group:eng#member@group:eng#member': cannot write a tuple that is implicit",
    );
    expect(store.write({ writes: [{ user: 'group:ops#member', relation: 'member', object: 'group:eng' }] }).size).toBe(store.size + 1);
    // All or nothing: a failed write changes nothing, and the options relax the existence rules.
    expect(store.write({ writes: [existing, fresh] }, { onDuplicate: 'ignore' }).size).toBe(store.size + 1);
    expect(store.write({ deletes: [fresh] }, { onMissing: 'ignore' }).size).toBe(store.size);
  });

  it('keeps a write the model does not allow aside when asked', () => {
    const store = createTupleStore(compiled, tuples);
    const stray: TupleKey = { user: 'user:anne', relation: 'owner', object: 'doc:1' };
    const fresh: TupleKey = { user: 'user:dan', relation: 'member', object: 'group:eng' };
    const next = store.write({ writes: [stray, fresh] }, { invalid: 'skip' });
    expect(next.ignored).toEqual([stray]);
    expect(next.has(fresh)).toBe(true);
    expect(next.size).toBe(store.size + 1);
    expect(codeOf(() => next.write({ writes: [stray] }, { invalid: 'skip' }))).toBe('write_failed_due_to_invalid_input');
    expect(codeOf(() => store.write({ writes: [stray] }))).toBe('invalid_tuple');
  });

  it('deletes a tuple the current model no longer allows', () => {
    const stray: TupleKey = { user: 'user:anne', relation: 'owner', object: 'doc:1' };
    const store = createTupleStore(compiled, [stray], { invalid: 'skip' });
    const next = store.write({ deletes: [stray] });
    expect(next.ignored).toEqual([]);
    expect(store.ignored).toEqual([stray]);
  });

  it('overlays contextual tuples without touching the shared id tables', () => {
    const store = createTupleStore(compiled, tuples);
    const before = store.entities.map((e) => e.size);
    const view = store.withContextualTuples([{ user: 'user:zed', relation: 'member', object: 'group:new' }]);
    expect(view.has({ user: 'user:zed', relation: 'member', object: 'group:new' })).toBe(true);
    expect(store.has({ user: 'user:zed', relation: 'member', object: 'group:new' })).toBe(false);
    expect(store.entities.map((e) => e.size)).toEqual(before);
    expect(codeOf(() => store.withContextualTuples([{ user: 'user:zed', relation: 'nope', object: 'doc:1' }]))).toBe('invalid_tuple');
  });
});
