import { readFileSync } from 'node:fs';
import { transformer } from '@openfga/syntax-transformer';
import { describe, expect, it } from 'vitest';
import { ModelValidationError } from '../errors/index';
import { computed, defineModel, direct, exclusion, from, intersection, union } from './defineModel';
import type { TypedModel } from '../model/typed';

/** OpenFGA's own DSL → JSON transformer: the reference every typed model must match. */
function fromDsl(dsl: string): unknown {
  return transformer.transformDSLToJSONObject(dsl);
}

/** defineModel as JavaScript callers see it: no compile-time checks. */
const defineUntyped = defineModel as unknown as (definition: unknown) => TypedModel;

function diagnosticsOf(definition: unknown): ModelValidationError['diagnostics'] {
  try {
    defineUntyped(definition);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelValidationError);
    expect((error as ModelValidationError).code).toBe('invalid_authorization_model');
    return (error as ModelValidationError).diagnostics;
  }
  throw new Error('expected defineModel to throw');
}

describe('defineModel produces the JSON of the equivalent DSL', () => {
  it('matches a realistic model with every rewrite kind and a condition with several parameter types', () => {
    const model = defineModel({
      conditions: {
        non_expired: {
          parameters: { current_time: 'timestamp', grant_time: 'timestamp', grant_duration: 'duration' },
          expression: 'current_time < grant_time + grant_duration',
        },
        in_region: {
          parameters: {
            region: 'string',
            allowed: 'list<string>',
            quotas: 'map<int>',
            ip: 'ipaddress',
            max: 'uint',
            ratio: 'double',
            strict: 'bool',
          },
          expression: `
            region in allowed && quotas[region] < int(max) && ratio < 1.0 && (strict || ip.in_cidr("10.0.0.0/8"))
          `,
        },
      },
      types: {
        user: {},
        team: { member: direct('user', 'team#member') },
        org: {
          member: direct('user', 'user with in_region'),
          editor: direct('user', 'team#member'),
        },
        artist: {
          parent_org: direct('org'),
          owner: direct('user'),
          blocked: direct('user', 'user:*'),
          editor: union(direct('user', 'team#member'), from('editor', 'parent_org')),
          viewer: union(
            direct('user:*', { type: 'user', condition: 'non_expired' }, 'team#member with non_expired'),
            computed('editor'),
            from('member', 'parent_org'),
          ),
          can_view: exclusion(computed('viewer'), computed('blocked')),
          can_edit: intersection(computed('editor'), union(computed('owner'), from('member', 'parent_org'))),
          can_delete: intersection(direct('user'), computed('owner'), computed('editor')),
          can_share: exclusion(direct('user'), computed('blocked')),
          audit: exclusion(computed('viewer'), exclusion(computed('blocked'), computed('owner'))),
          nested: union(computed('owner'), union(computed('editor'), computed('viewer'))),
        },
      },
    });

    const dsl = `model
  schema 1.1

type user

type team
  relations
    define member: [user, team#member]

type org
  relations
    define member: [user, user with in_region]
    define editor: [user, team#member]

type artist
  relations
    define parent_org: [org]
    define owner: [user]
    define blocked: [user, user:*]
    define editor: [user, team#member] or editor from parent_org
    define viewer: [user:*, user with non_expired, team#member with non_expired] or editor or member from parent_org
    define can_view: viewer but not blocked
    define can_edit: editor and (owner or member from parent_org)
    define can_delete: [user] and owner and editor
    define can_share: [user] but not blocked
    define audit: viewer but not (blocked but not owner)
    define nested: owner or (editor or viewer)

condition non_expired(current_time: timestamp, grant_time: timestamp, grant_duration: duration) {
  current_time < grant_time + grant_duration
}

condition in_region(region: string, allowed: list<string>, quotas: map<int>, ip: ipaddress, max: uint, ratio: double, strict: bool) {
  region in allowed && quotas[region] < int(max) && ratio < 1.0 && (strict || ip.in_cidr("10.0.0.0/8"))
}
`;
    const expected = fromDsl(dsl);
    expect(model.json).toEqual(expected);
    // Same keys in the same order too, so serialized bundles and their hashes agree.
    expect(JSON.stringify(model.json)).toBe(JSON.stringify(expected));
  });

  it('matches the example of docs/guide/typed-models.md', () => {
    const model = defineModel({
      conditions: {
        non_expired: {
          parameters: { current_time: 'timestamp', grant_time: 'timestamp', grant_duration: 'duration' },
          expression: 'current_time < grant_time + grant_duration',
        },
      },
      types: {
        user: {},
        team: { member: direct('user', 'team#member') },
        org: { editor: direct('user') },
        artist: {
          parent_org: direct('org'),
          blocked: direct('user'),
          editor: union(direct('user', 'team#member'), from('editor', 'parent_org')),
          viewer: union(direct('user:*', 'user with non_expired'), computed('editor')),
          can_view: exclusion(computed('viewer'), computed('blocked')),
        },
      },
    });
    const guide = readFileSync(new URL('../../../../docs/guide/typed-models.md', import.meta.url), 'utf8');
    const dsl = /```\n(model\n[\s\S]*?)```/.exec(guide)?.[1];
    expect(dsl).toBeDefined();
    expect(JSON.stringify(model.json)).toBe(JSON.stringify(fromDsl(dsl ?? '')));
  });

  it('writes a type without relations and a model without conditions as the DSL does', () => {
    const model = defineModel({ types: { user: {}, doc: { viewer: direct('user') } } });
    expect(model.json).toEqual(fromDsl('model\n  schema 1.1\n\ntype user\n\ntype doc\n  relations\n    define viewer: [user]\n'));
    expect(model.json.type_definitions[0]).toEqual({ type: 'user', relations: {}, metadata: null });
    expect(model.json).not.toHaveProperty('conditions');
  });

  it('gives the object and string target forms the same JSON', () => {
    const conditions = { c: { parameters: { x: 'int' }, expression: 'x < 1' } } as const;
    const strings = defineModel({
      conditions,
      types: { user: {}, team: { member: direct('user:*', 'team#member with c', 'user with c') } },
    });
    const objects = defineModel({
      conditions,
      types: {
        user: {},
        team: {
          member: direct(
            { type: 'user', wildcard: true },
            { type: 'team', relation: 'member', condition: 'c' },
            { type: 'user', condition: 'c' },
          ),
        },
      },
    });
    expect(JSON.stringify(objects.json)).toBe(JSON.stringify(strings.json));
    expect(strings.json.type_definitions[1]?.metadata?.relations?.['member']?.directly_related_user_types).toEqual([
      { type: 'user', wildcard: {} },
      { type: 'team', condition: 'c', relation: 'member' },
      { type: 'user', condition: 'c' },
    ]);
  });

  it('freezes the produced model', () => {
    const model = defineModel({ types: { user: {}, doc: { owner: direct('user'), viewer: union(direct('user'), computed('owner')) } } });
    expect(Object.isFrozen(model)).toBe(true);
    expect(Object.isFrozen(model.json)).toBe(true);
    expect(Object.isFrozen(model.json.type_definitions[1]?.relations?.['viewer'])).toBe(true);
    expect(() => {
      (model.json.type_definitions as unknown as unknown[]).push({});
    }).toThrow(TypeError);
  });

  it("throws at definition time when OpenFGA's semantic rules reject the model", () => {
    // `a` and `b` only reach each other: neither relation has an entry point.
    const define = () => defineModel({ types: { user: {}, doc: { a: intersection(direct('user'), computed('b')), b: computed('a') } } });
    expect(define).toThrow(ModelValidationError);
    expect(define).toThrow(expect.objectContaining({ diagnostics: expect.arrayContaining([expect.objectContaining({ code: 'relation-no-entry-point' })]) }));
  });

  it('rejects a name like __proto__ with a diagnostic, without polluting any prototype', () => {
    const relations = JSON.parse('{"__proto__": {"kind": "direct", "targets": ["user"]}}') as unknown;
    expect(() => defineUntyped({ types: { user: {}, doc: relations } })).toThrow(/`__proto__` is not supported/);
    expect(({} as Record<string, unknown>)['kind']).toBeUndefined();
  });

  it('returns plain, frozen rewrite nodes', () => {
    expect(direct('user', 'team#member')).toEqual({ kind: 'direct', targets: ['user', 'team#member'] });
    expect(from('editor', 'parent')).toEqual({ kind: 'from', relation: 'editor', tupleset: 'parent' });
    const node = exclusion(computed('a'), union(computed('b'), computed('c')));
    expect(node).toEqual({
      kind: 'exclusion',
      base: { kind: 'computed', relation: 'a' },
      subtract: { kind: 'union', children: [{ kind: 'computed', relation: 'b' }, { kind: 'computed', relation: 'c' }] },
    });
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.isFrozen(direct('user').targets)).toBe(true);
  });
});

describe('defineModel rejects malformed definitions with every problem at once', () => {
  it('reports each malformed relation, target and parameter type by path', () => {
    const diagnostics = diagnosticsOf({
      conditions: { c: { parameters: { x: 'float', y: 'list<list<int>>', z: 'int' }, expression: 'z < 1' } },
      types: {
        user: {},
        doc: {
          plain: 'viewer',
          empty: { kind: 'direct', targets: [] },
          bad_target: direct('user', 'team##member' as 'user', 'user with' as 'user', { type: 'user', relation: 'x', wildcard: true } as never),
          twice: union(direct('user'), direct('user:*')),
          odd: { kind: 'xor', children: [] },
        },
      },
    });
    expect(diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['invalid-schema', ['types', 'doc', 'plain']],
      ['assignable-relation-must-have-type', ['types', 'doc', 'empty']],
      ['invalid-schema', ['types', 'doc', 'bad_target']],
      ['invalid-schema', ['types', 'doc', 'bad_target']],
      ['invalid-schema', ['types', 'doc', 'bad_target']],
      ['invalid-schema', ['types', 'doc', 'twice']],
      ['invalid-schema', ['types', 'doc', 'odd']],
      ['invalid-condition', ['conditions', 'c', 'parameters', 'x']],
      ['invalid-condition', ['conditions', 'c', 'parameters', 'y']],
    ]);
    expect(diagnostics.every((d) => d.severity === 'error')).toBe(true);
    expect(diagnostics[0]).toMatchObject({ type: 'doc', relation: 'plain' });
    expect(diagnostics[7]).toMatchObject({ condition: 'c' });
    expect(diagnostics[2]?.message).toContain("'team##member'");
    expect(diagnostics[5]?.message).toContain("'doc#twice' uses direct() more than once");
    expect(diagnostics[7]?.message).toContain("parameter 'x' has unknown type 'float'");
  });

  it('names the offending part in the error message', () => {
    expect(() => defineUntyped({ types: { doc: { viewer: computed('a b') } } })).toThrow(
      /types\.doc\.viewer.*computed\(\): invalid relation name 'a b'/s,
    );
  });

  it('fails closed on input that is not a definition at all, never with a TypeError', () => {
    for (const input of [undefined, null, 42, 'model', [], { types: [] }, { types: { doc: null } }, { types: {}, conditions: 1 }]) {
      expect(() => defineUntyped(input)).toThrow(ModelValidationError);
    }
    expect(diagnosticsOf({ types: { doc: { v: { kind: 'union', children: [null] } } } })).toHaveLength(1);
    expect(diagnosticsOf({ types: {}, conditions: { c: { expression: 1 } } })[0]?.code).toBe('invalid-condition');
  });

  it('rejects a rewrite that contains itself instead of recursing forever', () => {
    const loop: { kind: string; children: unknown[] } = { kind: 'union', children: [] };
    loop.children.push(loop, computed('a'));
    const diagnostics = diagnosticsOf({ types: { doc: { a: direct('user'), v: loop } } });
    expect(diagnostics).toEqual([expect.objectContaining({ path: ['types', 'doc', 'v', 0], message: 'a rewrite contains itself' })]);
  });
});
