import { describe, expectTypeOf, it } from 'vitest';
import { computed, defineModel, direct, exclusion, from, intersection, union } from './defineModel';
import type {
  AnyRelation,
  ComputedRewrite,
  ConditionContext,
  ConditionName,
  ConditionParamValue,
  DirectRewrite,
  FromRewrite,
  InferConditions,
  InferSchema,
  ObjectString,
  ObjectType,
  RelationOf,
  TypedModel,
  UserString,
} from '../model/typed';
import type { AuthorizationModel } from '../model/types';

const model = defineModel({
  conditions: {
    non_expired: {
      parameters: { current_time: 'timestamp', grant_time: 'timestamp', grant_duration: 'duration' },
      expression: 'current_time < grant_time + grant_duration',
    },
    allowed: {
      parameters: { ids: 'list<int>', tags: 'map<string>', ip: 'ipaddress', ratio: 'double', on: 'bool', n: 'uint' },
      expression: 'on',
    },
  },
  types: {
    user: {},
    team: { member: direct('user', 'team#member') },
    artist: {
      parent_org: direct('org'),
      blocked: direct('user'),
      editor: union(direct('user', 'team#member'), from('editor', 'parent_org')),
      viewer: union(direct('user:*', { type: 'user', condition: 'non_expired' }, 'user with allowed'), computed('editor')),
      can_view: exclusion(computed('viewer'), computed('blocked')),
      can_edit: intersection(computed('editor'), computed('viewer')),
    },
    org: { editor: direct('user') },
  },
});
type M = typeof model;
type S = InferSchema<M>;

describe('inference', () => {
  it('infers the schema: type names to relation names', () => {
    expectTypeOf<S>().toEqualTypeOf<{
      user: never;
      team: 'member';
      artist: 'parent_org' | 'blocked' | 'editor' | 'viewer' | 'can_view' | 'can_edit';
      org: 'editor';
    }>();
    expectTypeOf(model.json).toEqualTypeOf<AuthorizationModel>();
    expectTypeOf(model).toExtend<TypedModel>();
  });

  it('derives object types, relations, object refs and user strings', () => {
    expectTypeOf<ObjectType<S>>().toEqualTypeOf<'user' | 'team' | 'artist' | 'org'>();
    expectTypeOf<RelationOf<S, 'team'>>().toEqualTypeOf<'member'>();
    expectTypeOf<RelationOf<S, 'user'>>().toBeNever();
    expectTypeOf<AnyRelation<S>>().toEqualTypeOf<
      'member' | 'parent_org' | 'blocked' | 'editor' | 'viewer' | 'can_view' | 'can_edit'
    >();

    expectTypeOf<ObjectString<S>>().toEqualTypeOf<`user:${string}` | `team:${string}` | `artist:${string}` | `org:${string}`>();
    expectTypeOf<ObjectString<S, 'artist'>>().toEqualTypeOf<`artist:${string}`>();
    expectTypeOf<'artist:mozart'>().toExtend<ObjectString<S>>();
    expectTypeOf<'song:1'>().not.toExtend<ObjectString<S>>();
    expectTypeOf<'artist'>().not.toExtend<ObjectString<S>>();

    expectTypeOf<'user:anne'>().toExtend<UserString<S>>();
    expectTypeOf<'user:*'>().toExtend<UserString<S>>();
    expectTypeOf<'team:eng#member'>().toExtend<UserString<S>>();
    expectTypeOf<'team:eng#member'>().toExtend<UserString<S, 'team'>>();
    expectTypeOf<'user:anne'>().not.toExtend<UserString<S, 'team'>>();
    expectTypeOf<'robot:r2'>().not.toExtend<UserString<S>>();
  });

  it('infers condition contexts from declared parameter types', () => {
    expectTypeOf<ConditionName<M>>().toEqualTypeOf<'non_expired' | 'allowed'>();
    expectTypeOf<InferConditions<M>['non_expired']>().toEqualTypeOf<{ current_time: 'timestamp'; grant_time: 'timestamp'; grant_duration: 'duration' }>();
    expectTypeOf<ConditionContext<M, 'non_expired'>>().toEqualTypeOf<{ current_time: Date | string; grant_time: Date | string; grant_duration: string }>();
    expectTypeOf<ConditionContext<M, 'allowed'>>().toEqualTypeOf<{
      ids: readonly (number | bigint)[];
      tags: Readonly<Record<string, string>>;
      ip: string;
      ratio: number;
      on: boolean;
      n: number | bigint;
    }>();
    expectTypeOf<{ current_time: string; grant_time: Date; grant_duration: '1h' }>().toExtend<ConditionContext<M, 'non_expired'>>();
    expectTypeOf<{ current_time: string; grant_time: number; grant_duration: '1h' }>().not.toExtend<ConditionContext<M, 'non_expired'>>();
    expectTypeOf<{ ids: number[]; tags: {}; ip: ''; ratio: 1; on: true; n: 1n }>().toExtend<ConditionContext<M, 'allowed'>>();
  });

  it('maps every parameter type to its context value', () => {
    expectTypeOf<ConditionParamValue<'bool'>>().toEqualTypeOf<boolean>();
    expectTypeOf<ConditionParamValue<'string'>>().toEqualTypeOf<string>();
    expectTypeOf<ConditionParamValue<'int'>>().toEqualTypeOf<number | bigint>();
    expectTypeOf<ConditionParamValue<'uint'>>().toEqualTypeOf<number | bigint>();
    expectTypeOf<ConditionParamValue<'double'>>().toEqualTypeOf<number>();
    expectTypeOf<ConditionParamValue<'duration'>>().toEqualTypeOf<string>();
    expectTypeOf<ConditionParamValue<'timestamp'>>().toEqualTypeOf<Date | string>();
    expectTypeOf<ConditionParamValue<'ipaddress'>>().toEqualTypeOf<string>();
    expectTypeOf<ConditionParamValue<'list<timestamp>'>>().toEqualTypeOf<readonly (Date | string)[]>();
    expectTypeOf<ConditionParamValue<'map<bool>'>>().toEqualTypeOf<Readonly<Record<string, boolean>>>();
  });

  it('gives a model without conditions no condition names', () => {
    const plain = defineModel({ types: { user: {}, doc: { viewer: direct('user') } } });
    expectTypeOf<InferSchema<typeof plain>>().toEqualTypeOf<{ user: never; doc: 'viewer' }>();
    expectTypeOf<ConditionName<typeof plain>>().toBeNever();
  });

  it('keeps literal names in the rewrite nodes', () => {
    expectTypeOf(direct('user', 'team#member')).toEqualTypeOf<DirectRewrite<readonly ['user', 'team#member']>>();
    expectTypeOf(computed('editor')).toEqualTypeOf<ComputedRewrite<'editor'>>();
    expectTypeOf(from('editor', 'parent')).toEqualTypeOf<FromRewrite<'editor', 'parent'>>();
  });
});

describe('compile-time checks', () => {
  it('accepts every valid reference form', () => {
    defineModel({
      conditions: { c: { parameters: { x: 'int' }, expression: 'x < 1' } },
      types: {
        user: {},
        team: { member: direct('user', 'user:*', 'team#member', 'user with c', 'team#member with c', 'user:* with c') },
        folder: { viewer: direct({ type: 'user', wildcard: true }, { type: 'team', relation: 'member', condition: 'c' }) },
        doc: {
          parent: direct('folder', 'folder with c'),
          viewer: union(from('viewer', 'parent'), computed('parent')),
        },
      },
    });
  });

  it('rejects a direct target of an unknown type', () => {
    defineModel({
      types: {
        user: {},
        // @ts-expect-error 'usr' is not a type
        doc: { viewer: direct('usr') },
      },
    });
    defineModel({
      types: {
        user: {},
        // @ts-expect-error 'usr:*' names no type
        doc: { viewer: direct('usr:*') },
      },
    });
    defineModel({
      types: {
        user: {},
        // @ts-expect-error object form: 'usr' is not a type
        doc: { viewer: direct({ type: 'usr' }) },
      },
    });
  });

  it('rejects a userset whose relation the type does not define', () => {
    defineModel({
      types: {
        user: {},
        team: { member: direct('user') },
        // @ts-expect-error team has no relation 'membr'
        doc: { viewer: direct('team#membr') },
      },
    });
    defineModel({
      types: {
        user: {},
        team: { member: direct('user') },
        // @ts-expect-error user has no relations at all
        doc: { viewer: direct('user#member') },
      },
    });
    defineModel({
      types: {
        user: {},
        team: { member: direct('user') },
        // @ts-expect-error object form: team has no relation 'owner'
        doc: { viewer: direct({ type: 'team', relation: 'owner' }) },
      },
    });
    defineModel({
      types: {
        user: {},
        // @ts-expect-error 'tem' is not a type
        doc: { viewer: direct('tem#member') },
      },
    });
  });

  it('rejects conditions that are not declared', () => {
    defineModel({
      conditions: { non_expired: { parameters: { t: 'timestamp' }, expression: 't < current_time' } },
      types: {
        user: {},
        // @ts-expect-error 'expired' is not a declared condition
        doc: { viewer: direct('user with expired') },
      },
    });
    defineModel({
      conditions: { non_expired: { parameters: { t: 'timestamp' }, expression: 't < current_time' } },
      types: {
        user: {},
        // @ts-expect-error object form: 'expired' is not a declared condition
        doc: { viewer: direct({ type: 'user', condition: 'expired' }) },
      },
    });
    defineModel({
      types: {
        user: {},
        // @ts-expect-error no conditions are declared at all
        doc: { viewer: direct('user with non_expired') },
      },
    });
  });

  it('rejects a computed relation the same type does not define', () => {
    defineModel({
      types: {
        user: {},
        doc: {
          owner: direct('user'),
          // @ts-expect-error doc has no relation 'ownr'
          viewer: union(direct('user'), computed('ownr')),
        },
      },
    });
    defineModel({
      types: {
        user: {},
        folder: { editor: direct('user') },
        doc: {
          owner: direct('user'),
          // @ts-expect-error 'editor' is a relation of folder, not doc
          viewer: computed('editor'),
        },
      },
    });
  });

  it('rejects a tupleset that is not a relation of the same type', () => {
    defineModel({
      types: {
        user: {},
        folder: { parent: direct('folder'), viewer: direct('user') },
        doc: {
          viewer: direct('user'),
          // @ts-expect-error 'parent' is a relation of folder, not doc
          can_view: from('viewer', 'parent'),
        },
      },
    });
  });

  it('rejects a tupleset that OpenFGA would not accept', () => {
    defineModel({
      types: {
        user: {},
        team: { member: direct('user') },
        folder: { viewer: direct('user') },
        doc: {
          parent: direct('folder', 'team#member'),
          // @ts-expect-error a tupleset may not hold usersets
          viewer: from('viewer', 'parent'),
        },
      },
    });
    defineModel({
      types: {
        user: {},
        folder: { viewer: direct('user') },
        doc: {
          parent: direct('folder'),
          linked: union(direct('folder'), computed('parent')),
          // @ts-expect-error a tupleset must be direct-only, not a rewrite
          viewer: from('viewer', 'linked'),
        },
      },
    });
  });

  it('rejects a from relation that none of the tupleset types defines', () => {
    defineModel({
      types: {
        user: {},
        folder: { viewer: direct('user') },
        doc: {
          parent: direct('folder'),
          // @ts-expect-error folder has no relation 'editor'
          editor: from('editor', 'parent'),
        },
      },
    });
  });

  it('rejects malformed nodes and parameter types', () => {
    // @ts-expect-error direct() needs at least one target
    direct();
    // @ts-expect-error union() needs at least two children
    union(computed('a'));
    // @ts-expect-error a userset cannot also be a wildcard
    direct({ type: 'team', relation: 'member', wildcard: true });
    defineModel({
      // @ts-expect-error 'float' is not a condition parameter type
      conditions: { c: { parameters: { x: 'float' }, expression: 'x < 1.0' } },
      types: { user: {} },
    });
    defineModel({
      types: {
        user: {},
        // @ts-expect-error a relation must be a rewrite node
        doc: { viewer: 'user' },
      },
    });
  });
});
