import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../errors/index';
import { authorizationModelSchema, parseModelStructure, schemaVersionDiagnostic } from './schema';
import type { AuthorizationModel } from './types';

const base = { schema_version: '1.1' };
const withRelation = (rewrite: unknown, metadata: unknown = null) => ({
  ...base,
  type_definitions: [{ type: 'doc', relations: { viewer: rewrite }, metadata }],
});

function problems(input: unknown): readonly Pick<Diagnostic, 'code' | 'message' | 'path'>[] {
  const result = parseModelStructure(input);
  if (result.ok) return [];
  return result.diagnostics.map(({ code, message, path }) => ({ code, message, path }));
}

describe('parseModelStructure', () => {
  it('accepts OpenFGA JSON as its tools write it, normalising nulls away', () => {
    const result = parseModelStructure({
      schema_version: '1.2',
      type_definitions: [
        { type: 'user', relations: {}, metadata: null },
        {
          type: 'doc',
          relations: {
            viewer: { union: { child: [{ this: {} }, { tupleToUserset: { tupleset: { object: '', relation: 'parent' }, computedUserset: { relation: 'viewer' } } }] } },
            parent: { this: {} },
          },
          metadata: {
            module: 'docs',
            source_info: { file: 'docs.fga' },
            relations: {
              viewer: { directly_related_user_types: [{ type: 'user' }, { type: 'user', wildcard: {} }], source_info: null },
              parent: { directly_related_user_types: [{ type: 'doc', condition: 'c' }] },
            },
          },
        },
      ],
      conditions: {
        c: { name: 'c', expression: 'x < 1', parameters: { x: { type_name: 'TYPE_NAME_LIST', generic_types: [{ type_name: 'TYPE_NAME_INT' }] } } },
      },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const viewer = result.value.type_definitions[1]?.metadata?.relations?.['viewer'];
    expect(viewer?.source_info).toBeUndefined();
    expect(result.value.conditions?.['c']?.parameters?.['x']?.generic_types).toEqual([{ type_name: 'TYPE_NAME_INT' }]);
  });

  it('defaults a missing type list to empty, as OpenFGA writes a model with no types', () => {
    const result = parseModelStructure({ schema_version: '1.1' });
    expect(result.ok && result.value.type_definitions).toEqual([]);
  });

  it('reports missing and mistyped fields with their path', () => {
    expect(problems({ ...base, type_definitions: [{ relations: {} }, { type: 7 }] })).toEqual([
      { code: 'invalid-json', message: 'missing required field `type`', path: ['type_definitions', 0, 'type'] },
      { code: 'invalid-json', message: '`type` must be a string, got number 7', path: ['type_definitions', 1, 'type'] },
    ]);
    expect(problems({ ...base, type_definitions: {} })).toEqual([
      { code: 'invalid-json', message: '`type_definitions` must be an array, got an object', path: ['type_definitions'] },
    ]);
  });

  it('rejects unknown fields, pointing at documented names when it can', () => {
    expect(problems(withRelation({ computed_userset: { relation: 'x' } }))).toEqual([
      {
        code: 'invalid-json',
        message:
          'unknown rewrite `computed_userset` (did you mean `computedUserset`?); a rewrite has exactly one of `this`, `computedUserset`, `tupleToUserset`, `union`, `intersection`, `difference`',
        path: ['type_definitions', 0, 'relations', 'viewer', 'computed_userset'],
      },
    ]);
    expect(problems({ ...base, type_definitions: [], extra: true })).toEqual([
      { code: 'invalid-json', message: 'unknown field `extra`', path: ['extra'] },
    ]);
  });

  it('requires exactly one operator per rewrite', () => {
    expect(problems(withRelation({})).map((p) => p.message)).toEqual([
      'a rewrite needs exactly one of `this`, `computedUserset`, `tupleToUserset`, `union`, `intersection`, `difference`; found none',
    ]);
    expect(problems(withRelation({ this: {}, computedUserset: { relation: 'x' } })).map((p) => p.message)).toEqual([
      'a rewrite needs exactly one of `this`, `computedUserset`, `tupleToUserset`, `union`, `intersection`, `difference`; found `this` and `computedUserset`',
    ]);
  });

  it('checks nested rewrites, reporting at the nested path', () => {
    const rewrite = { difference: { base: { this: {} }, subtract: { union: { child: [{ computedUserset: { relation: '' } }] } } } };
    expect(problems(withRelation(rewrite))).toEqual([
      {
        code: 'invalid-json',
        message: '`relation` must name a relation',
        path: ['type_definitions', 0, 'relations', 'viewer', 'difference', 'subtract', 'union', 'child', 0, 'computedUserset', 'relation'],
      },
      {
        code: 'invalid-json',
        message: '`union` needs at least 2 operands in `child`',
        path: ['type_definitions', 0, 'relations', 'viewer', 'difference', 'subtract', 'union', 'child'],
      },
    ]);
  });

  it('checks condition parameter types against OpenFGA type names', () => {
    const input = { ...base, type_definitions: [], conditions: { c: { name: 'c', expression: 'x', parameters: { x: { type_name: 'TYPE_NAME_FLOAT' } } } } };
    expect(problems(input)).toEqual([
      {
        code: 'invalid-json',
        message: expect.stringMatching(/^`type_name` must be one of TYPE_NAME_UNSPECIFIED, .*, got the string "TYPE_NAME_FLOAT"$/),
        path: ['conditions', 'c', 'parameters', 'x', 'type_name'],
      },
    ]);
  });

  it('rejects a definition named __proto__ instead of silently dropping it', () => {
    const input = JSON.parse('{"schema_version":"1.1","type_definitions":[{"type":"doc","relations":{"__proto__":{"this":{}}}}]}');
    expect(problems(input)).toEqual([
      { code: 'invalid-json', message: 'the name `__proto__` is not supported', path: ['type_definitions', 0, 'relations', '__proto__'] },
    ]);
  });

  it('reports a malformed entry of a name map by its name', () => {
    expect(problems(withRelation('x'))).toEqual([
      { code: 'invalid-json', message: '`viewer` must be an object, got the string "x"', path: ['type_definitions', 0, 'relations', 'viewer'] },
    ]);
  });

  it('reports only the schema version when it is missing or unsupported', () => {
    expect(parseModelStructure({ type_definitions: [{ nonsense: true }] })).toEqual({
      ok: false,
      diagnostics: [{ code: 'schema-version-required', message: 'schema version required', severity: 'error', path: ['schema_version'], symbol: '' }],
    });
    expect(problems({ schema_version: 1.1, type_definitions: [] })).toEqual([
      {
        code: 'invalid-schema',
        message: 'invalid schema 1.1 (schema_version must be a string such as "1.1", got number 1.1)',
        path: ['schema_version'],
      },
    ]);
  });

  it('explains input that is not JSON or not an object', () => {
    expect(problems('{"schema_version": ')[0]?.message).toMatch(/^the model is not valid JSON: /);
    expect(problems('model\n  schema 1.1\ntype user')[0]?.message).toContain('looks like the OpenFGA DSL');
    expect(problems([])).toEqual([{ code: 'invalid-json', message: 'an authorization model must be a JSON object, got an array', path: [] }]);
    expect(problems({ authorization_model: { ...base, type_definitions: [] } })).toEqual([
      {
        code: 'schema-version-required',
        message: 'schema version required (this looks like an API response: pass its `authorization_model` value)',
        path: ['schema_version'],
      },
    ]);
  });
});

describe('schemaVersionDiagnostic', () => {
  it('accepts 1.1 and 1.2 only', () => {
    expect(schemaVersionDiagnostic('1.1')).toBeUndefined();
    expect(schemaVersionDiagnostic('1.2')).toBeUndefined();
    expect(schemaVersionDiagnostic('1.0')?.code).toBe('invalid-schema');
    expect(schemaVersionDiagnostic(undefined)?.code).toBe('schema-version-required');
  });
});

describe('authorizationModelSchema', () => {
  it('parses to the AuthorizationModel type', () => {
    const model: AuthorizationModel = authorizationModelSchema.parse({ schema_version: '1.1', type_definitions: [{ type: 'user' }] });
    expect(model.type_definitions).toEqual([{ type: 'user' }]);
  });
});
