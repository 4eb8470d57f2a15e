import { describe, expect, it } from 'vitest';
import { parseDSL } from '../dsl/index';
import { isGatehouseError } from '../errors/index';
import {
  compileModel,
  REACH_CANDIDATE,
  REACH_EXACT,
  REWRITE_COMPUTED,
  REWRITE_MULTI_THIS,
  REWRITE_THIS,
  REWRITE_TTU,
  REWRITE_UNION,
  SLOT_OBJECT,
  SLOT_USERSET,
  SLOT_WILDCARD,
} from './compile';
import type { CompiledModel } from './compile';
import type { AuthorizationModel } from './types';

const DSL = `model
  schema 1.1
type user
type group
  relations
    define member: [user, user:*, group#member, user with recent]
type folder
  relations
    define owner: [user]
    define viewer: [user, group#member] or owner
type doc
  relations
    define parent: [folder]
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user] or editor or viewer from parent or owner from parent
    define blocked: [user]
    define visible: viewer but not blocked
    define shared: viewer and editor
condition recent(x: int) {
  x < 10
}
`;

function rel(c: CompiledModel, type: string, relation: string): number {
  return c.relationId(c.typeIds.get(type)!, relation);
}

describe('compileModel', () => {
  const c = compileModel(parseDSL(DSL));

  it('interns types and relations to small integers', () => {
    expect([...c.typeIds.keys()]).toEqual(['user', 'group', 'folder', 'doc']);
    expect(c.relations[rel(c, 'doc', 'viewer')]!.name).toBe('viewer');
    expect(c.relations[rel(c, 'doc', 'viewer')]!.type).toBe(c.typeIds.get('doc'));
    expect(rel(c, 'doc', 'nope')).toBe(-1);
    expect(c.conditionNames).toEqual(new Set(['recent']));
  });

  it('gives each distinct (user type, kind, userset relation) its own slot, with its conditions', () => {
    const member = c.relations[rel(c, 'group', 'member')]!;
    const slots = member.slots.map((s) => c.slots[s]!);
    expect(slots.map((s) => [c.types[s.userType]!.name, s.kind, s.conditions])).toEqual([
      ['user', SLOT_OBJECT, ['', 'recent']],
      ['user', SLOT_WILDCARD, ['']],
      ['group', SLOT_USERSET, ['']],
    ]);
    expect(slots[2]!.usersetRel).toBe(rel(c, 'group', 'member'));
    const user = c.typeIds.get('user')!;
    expect(member.objectSlotByType[user]).toBe(slots[0]!.id);
    expect(member.wildcardSlotByType[user]).toBe(slots[1]!.id);
    expect(member.usersetSlotByRel.get(rel(c, 'group', 'member'))).toBe(slots[2]!.id);
  });

  it('precomputes which user terminals can reach a relation', () => {
    const viewer = c.relations[rel(c, 'folder', 'viewer')]!;
    const user = c.typeIds.get('user')!;
    const group = c.typeIds.get('group')!;
    expect(viewer.reach[c.terminalOfObject(user)]).toBe(1);
    // Through group#member, which accepts user:*.
    expect(viewer.reach[c.terminalOfWildcard(user)]).toBe(1);
    expect(viewer.reach[c.terminalOfUserset(rel(c, 'group', 'member'))]).toBe(1);
    expect(viewer.reach[c.terminalOfObject(group)]).toBe(0);
    const owner = c.relations[rel(c, 'folder', 'owner')]!;
    expect(owner.reach[c.terminalOfWildcard(user)]).toBe(0);
  });

  it('marks relations that can reach themselves as cyclic', () => {
    expect(c.relations[rel(c, 'group', 'member')]!.cyclic).toBe(true);
    expect(c.relations[rel(c, 'doc', 'viewer')]!.cyclic).toBe(false);
    expect(c.relations[rel(c, 'doc', 'editor')]!.cyclic).toBe(false);
  });

  it('flattens unions: inlines acyclic computed relations and reads their direct tuples in one step', () => {
    const viewer = c.relations[rel(c, 'doc', 'viewer')]!;
    expect(viewer.rewrite.kind).toBe(REWRITE_UNION);
    const flat = viewer.flat;
    expect(flat.kind).toBe(REWRITE_UNION);
    const multi = flat.children[0]!;
    expect(multi.kind).toBe(REWRITE_MULTI_THIS);
    expect(multi.thisRels.map((r) => c.relations[r]!.name).sort()).toEqual(['editor', 'owner', 'viewer']);
    // `owner from parent` is contained in `viewer from parent` (folder#viewer includes owner).
    const ttus = flat.children.filter((n) => n.kind === REWRITE_TTU);
    expect(ttus.map((n) => n.computedName)).toEqual(['viewer']);
  });

  it('keeps intersections and exclusions behind a computed leaf', () => {
    const visible = c.relations[rel(c, 'doc', 'visible')]!;
    expect(visible.flat).toBe(visible.rewrite);
    const m: AuthorizationModel = parseDSL(`model
  schema 1.1
type user
type doc
  relations
    define a: [user]
    define b: [user]
    define both: a and b
    define either: [user] or both
`);
    const cm = compileModel(m);
    const either = cm.relations[cm.relationId(cm.typeIds.get('doc')!, 'either')]!;
    expect(either.flat.children.map((n) => n.kind)).toEqual([REWRITE_THIS, REWRITE_COMPUTED]);
  });

  it('records how each relation feeds the others, for reverse expansion', () => {
    const editor = c.relations[rel(c, 'doc', 'editor')]!;
    const byName = (deps: typeof editor.dependents): Record<string, number> =>
      Object.fromEntries(deps.map((d) => [c.relations[d.rel]!.name, d.mode]));
    // viewer includes editor exactly; shared only as a candidate (intersection).
    expect(byName(editor.dependents)).toEqual({ viewer: REACH_EXACT, shared: REACH_CANDIDATE });
    const blocked = c.relations[rel(c, 'doc', 'blocked')]!;
    // The subtracted side never adds members.
    expect(blocked.dependents).toEqual([]);
    const viewer = c.relations[rel(c, 'doc', 'viewer')]!;
    expect(byName(viewer.dependents)).toEqual({ visible: REACH_CANDIDATE, shared: REACH_CANDIDATE });
    const user = c.typeIds.get('user')!;
    expect(c.wildcardSeeds[user]!.map((s) => c.relations[s.rel]!.name)).toEqual(['member']);
  });

  it('rejects structure it cannot evaluate, naming the relation', () => {
    const broken: AuthorizationModel = {
      schema_version: '1.1',
      type_definitions: [{ type: 'doc', relations: { viewer: { computedUserset: { relation: 'ghost' } } } }],
    };
    let error: unknown;
    try {
      compileModel(broken);
    } catch (e) {
      error = e;
    }
    expect(isGatehouseError(error) && error.code).toBe('invalid_authorization_model');
    expect(String((error as Error).message)).toContain("doc#viewer");
    expect(() => compileModel({ schema_version: '1.1' } as unknown as AuthorizationModel)).toThrow(/type_definitions/);
  });
});
