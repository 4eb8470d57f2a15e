import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelValidationError, isGatehouseError } from '../errors/index';
import { parseModel, safeParseModel } from './parseModel';

const valid = {
  schema_version: '1.1',
  type_definitions: [
    { type: 'user', relations: {}, metadata: null },
    {
      type: 'doc',
      relations: { viewer: { this: {} } },
      metadata: { relations: { viewer: { directly_related_user_types: [{ type: 'user', condition: '' }] } } },
    },
  ],
};

describe('parseModel', () => {
  it('reads a model from an object or a JSON string', () => {
    const fromObject = parseModel(valid);
    expect(fromObject.type_definitions.map((t) => t.type)).toEqual(['user', 'doc']);
    expect(parseModel(JSON.stringify(valid))).toEqual(fromObject);
    // An empty condition is protobuf JSON for "none"; the parsed model leaves it out.
    expect(fromObject.type_definitions[1]?.metadata?.relations?.['viewer']?.directly_related_user_types).toEqual([{ type: 'user' }]);
  });

  it('throws a ModelValidationError holding every semantic problem', () => {
    const broken = {
      schema_version: '1.1',
      type_definitions: [
        { type: 'doc', relations: { viewer: { computedUserset: { relation: 'editor' } }, owner: { computedUserset: { relation: 'admin' } } } },
      ],
    };
    let caught: unknown;
    try {
      parseModel(broken);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ModelValidationError);
    expect(isGatehouseError(caught) && caught.code).toBe('invalid_authorization_model');
    const diagnostics = (caught as ModelValidationError).diagnostics;
    expect(diagnostics.map((d) => d.symbol)).toEqual(['editor', 'admin']);
    expect((caught as Error).message).toContain('type_definitions[0].relations.viewer.computedUserset.relation missing-definition');
  });

  it('reports structural problems before any semantic rule runs', () => {
    const result = safeParseModel({ schema_version: '1.1', type_definitions: [{ type: 'doc', relations: { viewer: {} } }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ code: 'invalid-json', path: ['type_definitions', 0, 'relations', 'viewer'] });
  });
});

describe('safeParseModel', () => {
  it('returns the model and no warnings for a valid model', () => {
    const result = safeParseModel(valid);
    expect(result.ok && result.warnings).toEqual([]);
  });

  it('returns schema diagnostics with OpenFGA codes', () => {
    const missing = safeParseModel('{"type_definitions": []}');
    expect(!missing.ok && missing.diagnostics.map((d) => [d.code, d.symbol, d.message])).toEqual([
      ['schema-version-required', '', 'schema version required'],
    ]);
    const unsupported = safeParseModel({ schema_version: '1.3' });
    expect(!unsupported.ok && unsupported.diagnostics.map((d) => [d.code, d.symbol, d.message])).toEqual([
      ['invalid-schema', '1.3', 'invalid schema 1.3'],
    ]);
  });

  it('reports JSON nested too deeply to read instead of overflowing the stack', () => {
    const depth = 20_000;
    const json = `{"schema_version":"1.1","type_definitions":[{"type":"doc","relations":{"v":${'{"union":{"child":['.repeat(depth)}{"this":{}}${',{"this":{}}]}}'.repeat(depth)}}}]}`;
    const result = safeParseModel(json);
    expect(!result.ok && result.diagnostics.map((d) => d.message)).toEqual(['the model is nested too deeply to read']);
  });

  it('never throws, whatever it is given', () => {
    for (const input of [undefined, null, 42, '', '{', '[]', 'model\n  schema 1.1', { schema_version: '1.1', type_definitions: 'x' }]) {
      const result = safeParseModel(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.diagnostics.length).toBeGreaterThan(0);
    }
  });
});

describe('safeParseModel on arbitrary input', () => {
  it('never throws and fails with at least one diagnostic, or returns a model', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.json(), fc.record({ schema_version: fc.constant('1.1'), type_definitions: fc.jsonValue() })), (input) => {
        const result = safeParseModel(input);
        if (!result.ok) expect(result.diagnostics.length).toBeGreaterThan(0);
        else expect(Array.isArray(result.value.type_definitions)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
