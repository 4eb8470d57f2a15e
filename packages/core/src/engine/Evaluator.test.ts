import { describe, expect, it } from 'vitest';
import { parseDSL } from '../dsl/index';
import type { GatehouseErrorCode } from '../errors/index';
import { isGatehouseError, openfgaCodeOf } from '../errors/index';
import { compileModel } from '../model/compile';
import { createTupleStore } from '../store/index';
import type { TupleKey } from '../store/index';
import { createEvaluator } from './index';
import type { Evaluator } from './index';

const MODEL = `model
  schema 1.1
type user
type team
  relations
    define member: [user, team#member]
type folder
  relations
    define owner: [user, team#member]
    define viewer: [user, user:*, team#member] or owner
type doc
  relations
    define parent: [folder]
    define owner: [user]
    define blocked: [user]
    define editor: [user, user with recent] or owner
    define viewer: ([user] or editor or viewer from parent) but not blocked
    define approver: editor and viewer from parent
condition recent(x: int) {
  x < 10
}
`;

const TUPLES: TupleKey[] = [
  { user: 'user:anne', relation: 'member', object: 'team:eng' },
  { user: 'team:eng#member', relation: 'member', object: 'team:all' },
  { user: 'team:all#member', relation: 'owner', object: 'folder:f' },
  { user: 'user:*', relation: 'viewer', object: 'folder:public' },
  { user: 'folder:f', relation: 'parent', object: 'doc:1' },
  { user: 'folder:public', relation: 'parent', object: 'doc:2' },
  { user: 'user:bob', relation: 'blocked', object: 'doc:2' },
  { user: 'user:cid', relation: 'editor', object: 'doc:1', condition: { name: 'recent' } },
  { user: 'user:dan', relation: 'owner', object: 'doc:1' },
];

function evaluator(tuples: TupleKey[] = TUPLES, maxDepth?: number): Evaluator {
  const compiled = compileModel(parseDSL(MODEL));
  return createEvaluator(compiled, createTupleStore(compiled, tuples), maxDepth === undefined ? {} : { maxDepth });
}

function failure(fn: () => unknown): { code: GatehouseErrorCode | 'none'; openfga: number; cause?: string } {
  try {
    fn();
    return { code: 'none', openfga: 0 };
  } catch (error) {
    if (!isGatehouseError(error)) throw error;
    const cause = error.cause;
    return { code: error.code, openfga: openfgaCodeOf(error.code), ...(isGatehouseError(cause) ? { cause: cause.code } : {}) };
  }
}

describe('check', () => {
  const ev = evaluator();
  const check = (user: string, relation: string, object: string): boolean => ev.check({ user, relation, object }).allowed;

  it('follows usersets of usersets, computed usersets and tuple-to-usersets', () => {
    expect(check('user:anne', 'viewer', 'doc:1')).toBe(true); // team:eng ⊂ team:all owns folder:f, parent of doc:1
    expect(check('user:anne', 'owner', 'folder:f')).toBe(true);
    expect(check('user:dan', 'viewer', 'doc:1')).toBe(true); // owner ⊂ editor ⊂ viewer
    expect(check('user:erin', 'viewer', 'doc:1')).toBe(false);
    expect(check('team:eng#member', 'viewer', 'doc:1')).toBe(true);
    expect(check('team:all#member', 'member', 'team:all')).toBe(true); // a userset is in itself
  });

  it('applies typed wildcards, exclusions and intersections', () => {
    expect(check('user:anyone', 'viewer', 'doc:2')).toBe(true);
    expect(check('user:*', 'viewer', 'folder:public')).toBe(true);
    expect(check('user:bob', 'viewer', 'doc:2')).toBe(false); // blocked
    expect(check('user:dan', 'approver', 'doc:1')).toBe(false); // editor, but not a viewer of the folder
    expect(check('user:anne', 'approver', 'doc:1')).toBe(false);
  });

  it('evaluates conditions with the request context; a missing parameter is an error, not a deny', () => {
    expect(ev.check({ user: 'user:cid', relation: 'editor', object: 'doc:1', context: { x: 3 } }).allowed).toBe(true);
    expect(ev.check({ user: 'user:cid', relation: 'editor', object: 'doc:1', context: { x: 30 } }).allowed).toBe(false);
    expect(failure(() => ev.check({ user: 'user:cid', relation: 'editor', object: 'doc:1' }))).toEqual({ code: 'condition_evaluation_error', openfga: 2000 });
    // Another path that allows wins over the error, as in OpenFGA.
    expect(check('user:dan', 'editor', 'doc:1')).toBe(true);
  });

  it('answers for users and objects no tuple mentions', () => {
    expect(check('user:nobody', 'viewer', 'doc:404')).toBe(false);
    expect(check('team:ghost#member', 'member', 'team:ghost')).toBe(true);
    expect(check('team:ghost#member', 'member', 'team:other')).toBe(false);
  });

  it('answers every check alike on its allocation-free path and on the validating one', () => {
    const ev = evaluator();
    // `contextualTuples: []` adds nothing but routes the check through full validation.
    const outcome = (request: { user: string; relation: string; object: string }, contextualTuples?: TupleKey[]) => {
      try {
        return ev.check(contextualTuples === undefined ? request : { ...request, contextualTuples }).allowed;
      } catch (error) {
        return isGatehouseError(error) ? error.code : 'crash';
      }
    };
    const users = ['user:anne', 'user:bob', 'user:cid', 'user:dan', 'user:nobody', 'user:*', 'team:eng#member', 'team:all#member', 'team:ghost#member', 'folder:f', 'folder:ghost', 'user:*bad', 'user:a:b'];
    const objects = ['doc:1', 'doc:2', 'doc:ghost', 'folder:f', 'folder:public', 'folder:ghost', 'team:eng', 'team:all', 'team:ghost', 'team:ghost2', 'doc:*'];
    const relations = ['viewer', 'editor', 'owner', 'member', 'parent', 'approver', 'nope'];
    let compared = 0;
    for (const user of users) {
      for (const object of objects) {
        for (const relation of relations) {
          expect([user, relation, object, outcome({ user, relation, object })]).toEqual([user, relation, object, outcome({ user, relation, object }, [])]);
          compared++;
        }
      }
    }
    expect(compared).toBe(users.length * objects.length * relations.length);
    // A userset of an object no tuple mentions still contains itself.
    expect(outcome({ user: 'team:ghost#member', relation: 'member', object: 'team:ghost' })).toBe(true);
  });

  it("reports bad input with OpenFGA Check's codes, never an answer", () => {
    expect(failure(() => check('user:anne', 'nope', 'doc:1'))).toEqual({ code: 'validation_error', openfga: 2000, cause: 'relation_not_found' });
    expect(failure(() => check('user:anne', 'viewer', 'nope:1'))).toEqual({ code: 'validation_error', openfga: 2000, cause: 'type_not_found' });
    expect(failure(() => check('ghost:anne', 'viewer', 'doc:1'))).toEqual({ code: 'validation_error', openfga: 2000, cause: 'type_not_found' });
    expect(failure(() => check('a:b:c', 'viewer', 'doc:1'))).toMatchObject({ code: 'validation_error', openfga: 2000 });
    expect(failure(() => check('user:anne', 'viewer', 'doc'))).toMatchObject({ code: 'validation_error', openfga: 2000 });
    expect(failure(() => ev.check({ user: 'user:anne', relation: 'viewer', object: 'doc:1', contextualTuples: [{ user: 'user:x', relation: 'nope', object: 'doc:1' }] }))).toMatchObject({
      code: 'invalid_tuple',
      openfga: 2027,
    });
    expect(failure(() => ev.check(null as never))).toMatchObject({ code: 'validation_error' });
    expect(failure(() => ev.check({ user: 'user:anne', relation: 'viewer', object: 'doc:1', context: [] as never }))).toMatchObject({ code: 'validation_error' });
  });

  it('overlays contextual tuples for one request only', () => {
    const request = { user: 'user:erin', relation: 'viewer', object: 'doc:1' };
    expect(ev.check({ ...request, contextualTuples: [{ user: 'user:erin', relation: 'owner', object: 'folder:f' }] }).allowed).toBe(true);
    expect(ev.check(request).allowed).toBe(false);
  });

  it('fails past the resolution depth limit, and stops at cycles', () => {
    const chain: TupleKey[] = [{ user: 'user:anne', relation: 'member', object: 'team:t0' }];
    for (let i = 1; i < 6; i++) chain.push({ user: `team:t${i - 1}#member`, relation: 'member', object: `team:t${i}` });
    const shallow = evaluator(chain, 3);
    expect(failure(() => shallow.check({ user: 'user:anne', relation: 'member', object: 'team:t5' }))).toEqual({
      code: 'authorization_model_resolution_too_complex',
      openfga: 2002,
    });
    expect(shallow.check({ user: 'user:anne', relation: 'member', object: 'team:t2' }).allowed).toBe(true);
    const loop = evaluator([
      { user: 'team:b#member', relation: 'member', object: 'team:a' },
      { user: 'team:a#member', relation: 'member', object: 'team:b' },
    ]);
    expect(loop.check({ user: 'user:anne', relation: 'member', object: 'team:a' }).allowed).toBe(false);
  });
});

describe('batchCheck', () => {
  it('answers each check as check does, sharing work, with errors per item', () => {
    const ev = evaluator();
    const requests = [
      { user: 'user:anne', relation: 'viewer', object: 'doc:1' },
      { user: 'user:anne', relation: 'owner', object: 'folder:f' },
      { user: 'user:anne', relation: 'nope', object: 'doc:1' },
      { user: 'user:cid', relation: 'editor', object: 'doc:1' },
      { user: 'user:cid', relation: 'editor', object: 'doc:1', context: { x: 1 } },
      { user: 'user:erin', relation: 'viewer', object: 'doc:1', contextualTuples: [{ user: 'user:erin', relation: 'owner', object: 'doc:1' }] },
      { user: 'user:erin', relation: 'viewer', object: 'doc:1' },
    ];
    const items = ev.batchCheck(requests);
    expect(items.map((i) => (i.error ? i.error.code : i.allowed))).toEqual([true, true, 'validation_error', 'condition_evaluation_error', true, true, false]);
  });
});

describe('listObjects', () => {
  const ev = evaluator();

  it('lists exactly the objects check allows', () => {
    // doc:2 through its public folder (user:*), doc:1 through the teams.
    expect([...ev.listObjects({ user: 'user:anne', relation: 'viewer', type: 'doc' }).objects].sort()).toEqual(['doc:1', 'doc:2']);
    expect([...ev.listObjects({ user: 'user:zoe', relation: 'viewer', type: 'doc' }).objects].sort()).toEqual(['doc:2']);
    expect([...ev.listObjects({ user: 'user:bob', relation: 'viewer', type: 'doc' }).objects]).toEqual([]);
    expect([...ev.listObjects({ user: 'team:eng#member', relation: 'member', type: 'team' }).objects].sort()).toEqual(['team:all', 'team:eng']);
    expect(failure(() => ev.listObjects({ user: 'user:cid', relation: 'editor', type: 'doc' }))).toMatchObject({ code: 'condition_evaluation_error', openfga: 2000 });
  });

  it("reports bad input with OpenFGA ListObjects' codes", () => {
    expect(failure(() => ev.listObjects({ user: 'user:anne', relation: 'viewer', type: 'nope' }))).toMatchObject({ openfga: 2021 });
    expect(failure(() => ev.listObjects({ user: 'user:anne', relation: 'nope', type: 'doc' }))).toMatchObject({ openfga: 2022 });
    expect(failure(() => ev.listObjects({ user: 'ghost:anne', relation: 'viewer', type: 'doc' }))).toMatchObject({ code: 'validation_error', cause: 'type_not_found' });
  });

  it('pages with a limit and a continuation token, sorted by id, without gaps or repeats', () => {
    const many: TupleKey[] = [];
    for (let i = 0; i < 25; i++) many.push({ user: 'user:anne', relation: 'owner', object: `doc:d${String(i).padStart(2, '0')}` });
    const big = evaluator(many);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = big.listObjects({ user: 'user:anne', relation: 'viewer', type: 'doc', limit: 10, ...(token ? { continuationToken: token } : {}) });
      seen.push(...page.objects);
      token = page.continuationToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(many.map((t) => t.object));
    expect(failure(() => big.listObjects({ user: 'user:anne', relation: 'viewer', type: 'doc', continuationToken: 'garbage!' }))).toMatchObject({ code: 'invalid_continuation_token', openfga: 2007 });
    const first = big.listObjects({ user: 'user:anne', relation: 'viewer', type: 'doc', limit: 5 });
    expect(failure(() => big.listObjects({ user: 'user:bob', relation: 'viewer', type: 'doc', continuationToken: first.continuationToken! }))).toMatchObject({ code: 'invalid_continuation_token' });
    expect(failure(() => big.listObjects({ user: 'user:anne', relation: 'viewer', type: 'doc', limit: 0 }))).toMatchObject({ code: 'validation_error' });
  });
});

describe('listUsers', () => {
  const ev = evaluator();

  it("returns users, wildcards and usersets as OpenFGA's ListUsers does", () => {
    const users = (object: string, relation: string, type: string, rel?: string): string[] =>
      [...ev.listUsers({ object, relation, userFilters: [rel ? { type, relation: rel } : { type }], context: { x: 30 } }).users].sort();
    expect(users('doc:1', 'viewer', 'user')).toEqual(['user:anne', 'user:dan']);
    expect([...ev.listUsers({ object: 'doc:1', relation: 'viewer', userFilters: [{ type: 'user' }], context: { x: 1 } }).users].sort()).toEqual(['user:anne', 'user:cid', 'user:dan']);
    // As OpenFGA: a condition that cannot be evaluated on the way fails the whole request.
    expect(failure(() => ev.listUsers({ object: 'doc:1', relation: 'viewer', userFilters: [{ type: 'user' }] }))).toMatchObject({ code: 'condition_evaluation_error' });
    expect(users('folder:public', 'viewer', 'user')).toEqual(['user:*']);
    expect(users('folder:f', 'owner', 'team', 'member')).toEqual(['team:all#member', 'team:eng#member']);
    expect(users('doc:2', 'viewer', 'user')).toEqual(['user:*']);
  });

  it("reports bad input with OpenFGA ListUsers' codes", () => {
    expect(failure(() => ev.listUsers({ object: 'doc:1', relation: 'viewer', userFilters: [{ type: 'nope' }] }))).toMatchObject({ openfga: 2021 });
    expect(failure(() => ev.listUsers({ object: 'doc:1', relation: 'viewer', userFilters: [{ type: 'team', relation: 'nope' }] }))).toMatchObject({ openfga: 2022 });
    expect(failure(() => ev.listUsers({ object: 'nope:1', relation: 'viewer', userFilters: [{ type: 'user' }] }))).toMatchObject({ openfga: 2021 });
    expect(failure(() => ev.listUsers({ object: 'doc:1', relation: 'nope', userFilters: [{ type: 'user' }] }))).toMatchObject({ openfga: 2022 });
    expect(failure(() => ev.listUsers({ object: 'doc:1', relation: 'viewer', userFilters: [] }))).toMatchObject({ code: 'validation_error' });
  });
});

describe('explain', () => {
  const ev = evaluator();

  it('shows the rewrite steps and tuples behind an answer, and renders them', () => {
    const e = ev.explain({ user: 'user:anne', relation: 'viewer', object: 'doc:1' });
    expect(e.allowed).toBe(true);
    expect(e.outcome).toBe('allowed');
    expect(e.tree).toMatchObject({ kind: 'relation', object: 'doc:1', relation: 'viewer', outcome: 'allowed' });
    expect(e.text.split('\n')[0]).toBe('✓ doc:1#viewer');
    expect(e.text).toContain('tuple doc:1#parent@folder:f');
    expect(e.text).toContain('tuple team:eng#member@user:anne');
    expect(e.text).toContain('✗ doc:1#blocked');
  });

  it('explains denials and errors too', () => {
    const denied = ev.explain({ user: 'user:bob', relation: 'viewer', object: 'doc:2' });
    expect(denied).toMatchObject({ allowed: false, outcome: 'denied' });
    expect(denied.text).toContain('✓ doc:2#blocked');
    const error = ev.explain({ user: 'user:cid', relation: 'editor', object: 'doc:1' });
    expect(error.outcome).toBe('error');
    expect(error.error?.code).toBe('condition_evaluation_error');
    expect(error.text).toContain('with recent (cannot evaluate)');
    expect(failure(() => ev.explain({ user: 'user:anne', relation: 'nope', object: 'doc:1' }))).toMatchObject({ code: 'validation_error' });
  });
});
