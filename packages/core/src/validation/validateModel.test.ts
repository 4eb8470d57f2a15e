import { transformer } from '@openfga/syntax-transformer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuthorizationModel, Userset } from '../model/types';
import { codesAndSymbols, dslHelpers } from '../../test/helpers/testModel';
import { validateModel } from './validateModel';

const { modelFromDsl } = dslHelpers(transformer.transformDSLToJSONObject);

const dsl = (body: string) => modelFromDsl(`model\n  schema 1.1\ntype user\n${body}`);

describe('validateModel', () => {
  it('returns nothing for a valid model', () => {
    const model = dsl(
      'type group\n  relations\n    define member: [user, group#member]\n' +
        'type folder\n  relations\n    define parent: [folder]\n    define viewer: [user, group#member with in_hours] or viewer from parent\n' +
        'condition in_hours(hour: int) {\n  hour > 8 && hour < 18\n}\n',
    );
    expect(validateModel(model)).toEqual([]);
  });

  it('reports the example from its documentation', () => {
    const diagnostics = validateModel({
      schema_version: '1.1',
      type_definitions: [{ type: 'doc', relations: { viewer: { computedUserset: { relation: 'editor' } } } }],
    });
    expect(diagnostics).toEqual([
      {
        code: 'missing-definition',
        message: 'the relation `editor` does not exist.',
        severity: 'error',
        path: ['type_definitions', 0, 'relations', 'viewer', 'computedUserset', 'relation'],
        symbol: 'editor',
        type: 'doc',
        relation: 'viewer',
      },
    ]);
  });

  it('reports every reference problem at once, without the entry-point errors they cause', () => {
    const model = modelFromDsl(
      'model\n  schema 1.1\ntype t\ntype x\n  relations\n    define a: [u]\n    define b: [t#z]\n    define c: b from z\n' +
        '    define d: [t]\n    define e: z from d\n    define f: d but not z\n',
    );
    expect(codesAndSymbols(validateModel(model))).toEqual([
      ['invalid-type', 'u'],
      ['invalid-relation-type', 't#z'],
      ['invalid-relation-type', 'b from z'],
      ['invalid-relation-on-tupleset', 'z from d'],
      ['missing-definition', 'z'],
    ]);
  });

  it('stops at name problems, which would make every later finding noise', () => {
    const model = dsl('type self\n  relations\n    define viewer: editor\n');
    expect(codesAndSymbols(validateModel(model))).toEqual([['reserved-type-keywords', 'self']]);
  });

  it('requires a supported schema version before checking semantics', () => {
    const model: AuthorizationModel = {
      schema_version: '',
      type_definitions: [{ type: 'doc', relations: { viewer: { computedUserset: { relation: 'nope' } } } }],
    };
    expect(codesAndSymbols(validateModel(model))).toEqual([['schema-version-required', '']]);
    expect(validateModel({ ...model, schema_version: '1.0' }).map((d) => d.message)).toEqual(['invalid schema 1.0']);
  });

  it('reports duplicates and condition problems together with reference problems', () => {
    const model = dsl(
      'type doc\n  relations\n    define viewer: [user, user]\n    define editor: missing\n' +
        'type doc\ncondition unused(x: int) {\n  x < 1\n}\n',
    );
    expect(codesAndSymbols(validateModel(model))).toEqual([
      ['missing-definition', 'missing'],
      ['duplicated-error', 'doc'],
      ['duplicated-error', 'user'],
      ['condition-not-used', 'unused'],
    ]);
  });

  it('checks entry points only once references are sound', () => {
    const model = dsl('type folder\n  relations\n    define parent: [folder]\n    define viewer: viewer from parent\n');
    expect(codesAndSymbols(validateModel(model))).toEqual([['relation-no-entry-point', 'viewer']]);
  });

  it('does not crash on malformed input that skipped structural checks', () => {
    const junk = {
      schema_version: '1.1',
      type_definitions: [
        { type: 'doc', relations: { a: {}, b: { union: { child: null } }, c: { difference: {} }, d: null }, metadata: { relations: null } },
        { type: 'user', relations: null, metadata: { relations: { x: { directly_related_user_types: null } } } },
        null,
      ],
      conditions: { c: null },
    } as unknown as AuthorizationModel;
    expect(() => validateModel(junk)).not.toThrow();
    expect(validateModel(junk).length).toBeGreaterThan(0);
  });

  it('reports a model nested too deeply to walk instead of overflowing the stack', () => {
    let rewrite: Userset = { this: {} };
    for (let i = 0; i < 20_000; i++) rewrite = { union: { child: [rewrite, { this: {} }] } };
    const model: AuthorizationModel = { schema_version: '1.1', type_definitions: [{ type: 'doc', relations: { viewer: rewrite } }] };
    expect(validateModel(model)).toEqual([
      { code: 'invalid-json', message: 'the model is nested too deeply to read', severity: 'error', path: [] },
    ]);
  });

  it('does not mistake inherited object properties for relations', () => {
    const model = dsl('type doc\n  relations\n    define viewer: constructor\n');
    expect(codesAndSymbols(validateModel(model))).toEqual([['missing-definition', 'constructor']]);
  });
});

describe('validateModel on arbitrary input', () => {
  // Rewrites and restrictions that are mostly well formed, with garbage mixed in at every level.
  const name = fc.constantFrom('a', 'b', 'c', 'parent', 'self', '', 'x y', 'constructor', '__proto__');
  const garbage = fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.constant({}), fc.array(fc.integer(), { maxLength: 2 }));
  const { userset } = fc.letrec<{ userset: unknown }>((tie) => ({
    userset: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant({ this: {} }),
      fc.record({ computedUserset: fc.record({ relation: fc.oneof(name, garbage) }) }),
      fc.record({ tupleToUserset: fc.record({ tupleset: fc.record({ relation: name }), computedUserset: fc.record({ relation: name }) }) }),
      fc.record({ union: fc.record({ child: fc.oneof(fc.array(tie('userset'), { maxLength: 3 }), garbage) }) }),
      fc.record({ intersection: fc.record({ child: fc.array(tie('userset'), { maxLength: 3 }) }) }),
      fc.record({ difference: fc.oneof(fc.record({ base: tie('userset'), subtract: tie('userset') }), garbage) }),
      garbage,
    ),
  }));
  const restriction = fc.oneof(
    fc.record({ type: name }, { requiredKeys: [] }),
    fc.record({ type: name, relation: name }),
    fc.record({ type: name, wildcard: fc.constant({}), condition: fc.oneof(name, garbage) }, { requiredKeys: ['type'] }),
    garbage,
  );
  const typeDefinition = fc.record(
    {
      type: fc.oneof(name, garbage),
      relations: fc.oneof(fc.dictionary(name, userset, { maxKeys: 4 }), garbage),
      metadata: fc.oneof(
        fc.record({ relations: fc.oneof(fc.dictionary(name, fc.record({ directly_related_user_types: fc.oneof(fc.array(restriction, { maxLength: 3 }), garbage) })), garbage) }),
        garbage,
      ),
    },
    { requiredKeys: [] },
  );
  const model = fc.record(
    {
      schema_version: fc.oneof(fc.constant('1.1'), fc.constant('1.2'), garbage),
      type_definitions: fc.oneof(fc.array(fc.oneof(typeDefinition, garbage), { maxLength: 5 }), garbage),
      conditions: fc.oneof(fc.dictionary(name, fc.oneof(fc.record({ name, expression: fc.string() }), garbage), { maxKeys: 2 }), garbage),
    },
    { requiredKeys: [] },
  );

  it('never throws, and only reports problems as diagnostics', () => {
    fc.assert(
      fc.property(fc.oneof(model, garbage), (input) => {
        const diagnostics = validateModel(input as AuthorizationModel);
        for (const d of diagnostics) {
          expect(typeof d.code).toBe('string');
          expect(typeof d.message).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });
});
