import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGatehouseError, ModelValidationError } from '../errors/index';
import type { AuthorizationModel, Userset } from '../model/types';
import { MAX_REWRITE_NESTING } from './analyzeDSL';
import { parseDSL, printDSL, safeParseDSL, validateDSL } from './index';

const valid = `model
  schema 1.1

type user

type group
  relations
    define member: [user, group#member]

type document
  relations
    define owner: [user]
    define editor: [user, group#member with in_office] or owner
    define viewer: [user:*] or editor

condition in_office(ip: ipaddress) {
  ip.in_cidr("10.0.0.0/8")
}
`;

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('parseDSL', () => {
  it('returns the JSON model', () => {
    const model = parseDSL(valid);
    expect(model.schema_version).toBe('1.1');
    expect(model.type_definitions.map((t) => t.type)).toEqual(['user', 'group', 'document']);
    expect(model.type_definitions[2]?.relations?.editor).toEqual({
      union: { child: [{ this: {} }, { computedUserset: { relation: 'owner' } }] },
    });
    expect(model.conditions?.in_office?.parameters).toEqual({ ip: { type_name: 'TYPE_NAME_IPADDRESS' } });
  });

  it('throws every syntax error at once, as invalid_dsl, with positions and the file name', () => {
    const error = thrownBy(() => parseDSL('model\n  schema 1.1\ntype user\n  relations\n    define a [user]\n    define b: [user\n', { fileName: 'm.fga' }));
    expect(error).toBeInstanceOf(ModelValidationError);
    const failure = error as ModelValidationError;
    expect(failure.code).toBe('invalid_dsl');
    expect(failure.diagnostics.length).toBeGreaterThanOrEqual(2);
    expect(failure.diagnostics.every((d) => d.code === 'invalid-syntax' && d.file === 'm.fga' && d.line && d.column)).toBe(true);
    expect(failure.message).toContain('m.fga:5:');
  });

  it('throws semantic problems as invalid_authorization_model, all of them, located', () => {
    const error = thrownBy(() =>
      parseDSL('model\n  schema 1.1\ntype user\ntype doc # docs\n  relations\n    define viewer: [usr]\n    define editor: owner\n'),
    ) as ModelValidationError;
    expect(error.code).toBe('invalid_authorization_model');
    expect(error.diagnostics.map((d) => [d.code, d.line?.start, d.column?.start, d.type, d.relation])).toEqual([
      ['invalid-type', 5, 20, 'doc', 'viewer'],
      ['missing-definition', 6, 19, 'doc', 'editor'],
    ]);
  });

  it('reports DSL-only problems the JSON cannot hold, naming what is duplicated', () => {
    const diagnostics = validateDSL('model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define viewer: [user]\n    define viewer: [user]\n');
    expect(diagnostics).toMatchObject([
      { code: 'invalid-syntax', line: { start: 6 }, column: { start: 11 }, type: 'doc', relation: 'viewer', symbol: 'viewer' },
    ]);
  });

  it('can skip semantic validation, like OpenFGA’s transform', () => {
    const source = 'model\n  schema 1.1\ntype doc\n  relations\n    define viewer: editor\n';
    expect(validateDSL(source, { validate: false })).toEqual([]);
    expect(parseDSL(source, { validate: false }).type_definitions[0]?.relations?.viewer).toEqual({ computedUserset: { relation: 'editor' } });
    expect(() => parseDSL(source)).toThrow(ModelValidationError);
  });

  it('gives CRLF text the same model and positions as LF text', () => {
    const lf = 'model\n  schema 1.1\ntype user\ntype doc # c\n  relations\n    define viewer: [usr] # x\n';
    const crlf = lf.replace(/\n/g, '\r\n');
    expect(validateDSL(crlf)).toEqual(validateDSL(lf));
    expect(validateDSL(lf)).toMatchObject([{ code: 'invalid-type', line: { start: 5 }, column: { start: 20 } }]);
    expect(parseDSL(valid.replace(/\n/g, '\r\n'))).toEqual(parseDSL(valid));
  });

  it('refuses absurdly nested rewrites quickly, as a syntax error, instead of stalling the parser', () => {
    const nested = (depth: number) => `model\n  schema 1.1\ntype user\ntype t\n  relations\n    define a: [user]\n    define b: ${'('.repeat(depth)}a${')'.repeat(depth)}\n`;
    expect(validateDSL(nested(MAX_REWRITE_NESTING))).toEqual([]);
    const started = Date.now();
    const error = thrownBy(() => parseDSL(nested(5000))) as ModelValidationError;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('invalid_dsl');
    expect(error.diagnostics).toMatchObject([{ code: 'invalid-syntax', line: { start: 6 }, column: { start: 14 + MAX_REWRITE_NESTING } }]);
  });

  it('rejects a non-string source with a GatehouseError', () => {
    const error = thrownBy(() => parseDSL(42 as never));
    expect(isGatehouseError(error) && error.code).toBe('validation_error');
  });
});

describe('safeParseDSL and validateDSL', () => {
  it('return the model or the diagnostics instead of throwing', () => {
    const ok = safeParseDSL(valid);
    expect(ok.ok && ok.value.type_definitions).toHaveLength(3);
    expect(ok.ok && ok.warnings).toEqual([]);
    const bad = safeParseDSL('model\n  schema 1.1\ntype user\ntype user\n', { fileName: 'x.fga' });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? [] : bad.diagnostics).toMatchObject([{ code: 'duplicated-error', file: 'x.fga', line: { start: 2 }, column: { start: 5 } }]);
    expect(validateDSL(valid)).toEqual([]);
  });

  it('never throws anything but a GatehouseError, and locates every diagnostic', () => {
    const pieces = ['model\n', '  schema 1.1\n', 'type user\n', 'type doc # c\n', '  relations\n', '    define viewer: [user]\n', '    define e: viewer from p\n', 'condition c(x: int) {\n  x < 1\n}\n', 'module m\n', 'extend type doc\n', '#\n', ' or ', '[', ']', '(', ':', 'but not ', 'with c'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (parts) => {
        const source = parts.join('');
        const result = safeParseDSL(source);
        if (!result.ok) {
          for (const d of result.diagnostics) expect(d.line, `${d.code} ${d.message} in\n${source}`).toBeDefined();
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('printDSL', () => {
  it('prints a model that parses back to itself, without touching the input', () => {
    const model = deepFreeze(parseDSL(valid));
    const text = printDSL(model);
    expect(text).toContain('define editor: [user, group#member with in_office] or owner');
    expect(parseDSL(text)).toEqual(model);
  });

  it('moves the direct assignment first, where the DSL requires it, even on a frozen model', () => {
    const model: AuthorizationModel = deepFreeze({
      schema_version: '1.1',
      type_definitions: [
        {
          type: 'user',
          relations: { a: { this: {} }, b: { union: { child: [{ computedUserset: { relation: 'a' } }, { this: {} }] } } },
          metadata: { relations: { a: { directly_related_user_types: [{ type: 'user' }] }, b: { directly_related_user_types: [{ type: 'user' }] } } },
        },
      ],
    });
    expect(printDSL(model)).toContain('define b: [user] or a');
  });

  it('refuses relations the DSL cannot express, naming the type and relation', () => {
    const model: AuthorizationModel = {
      schema_version: '1.1',
      type_definitions: [
        {
          type: 'user',
          relations: {
            r: { intersection: { child: [{ computedUserset: { relation: 'r' } }, { union: { child: [{ this: {} }, { computedUserset: { relation: 'r' } }] } }] } },
          },
          metadata: { relations: { r: { directly_related_user_types: [{ type: 'user' }] } } },
        },
      ],
    };
    const error = thrownBy(() => printDSL(model));
    expect(isGatehouseError(error) && error.code).toBe('validation_error');
    expect((error as Error).message).toMatch(/relation 'r' of type 'user'/);
  });

  it('refuses malformed models with a GatehouseError rather than printing garbage', () => {
    const cases: unknown[] = [
      null,
      { schema_version: '1.1', type_definitions: [{ type: 'has space' }] },
      { schema_version: '1.1', type_definitions: [{ type: 'doc', relations: { viewer: { computedUserset: {} } } }] },
      { schema_version: '1.1', type_definitions: [{ type: 'doc', relations: { viewer: { this: {} } } }] },
      { schema_version: '1.1', type_definitions: [{ type: 'doc', relations: { and: { computedUserset: { relation: 'x' } } } }] },
      { schema_version: '1.1', type_definitions: [], conditions: { c: { name: 'd', expression: 'true' } } },
      { schema_version: '1.1', type_definitions: [], conditions: { c: { name: 'c', expression: 'x', parameters: { x: { type_name: 'TYPE_NAME_LIST' } } } } },
      { schema_version: '1.1; drop', type_definitions: [] },
    ];
    for (const model of cases) {
      const error = thrownBy(() => printDSL(model as AuthorizationModel));
      expect(isGatehouseError(error) && error.code, JSON.stringify(model)).toBe('validation_error');
    }
  });

  it('refuses rewrites nested too deeply to print, instead of overflowing the stack', () => {
    const nested = (depth: number): AuthorizationModel => {
      let rewrite: Userset = { computedUserset: { relation: 'a' } };
      for (let i = 0; i < depth; i++) rewrite = { union: { child: [rewrite, { computedUserset: { relation: 'a' } }] } };
      return {
        schema_version: '1.1',
        type_definitions: [
          { type: 't', relations: { a: { this: {} }, b: rewrite }, metadata: { relations: { a: { directly_related_user_types: [{ type: 't' }] } } } },
        ],
      };
    };
    const error = thrownBy(() => printDSL(nested(200)));
    expect(isGatehouseError(error) && error.code).toBe('validation_error');
    expect((error as Error).message).toMatch(/relation 'b' of type 't'.*deeper than/);
    const deeper = thrownBy(() => printDSL(nested(20_000)));
    expect(isGatehouseError(deeper) && deeper.code).toBe('validation_error');
  });

  it('can annotate modular models with their source, as `fga model get` does', () => {
    const model: AuthorizationModel = {
      schema_version: '1.2',
      type_definitions: [{ type: 'user', relations: {}, metadata: { module: 'core', source_info: { file: 'core.fga' } } }],
    };
    expect(printDSL(model, { includeSourceInformation: true })).toContain('type user # module: core, file: core.fga');
    expect(printDSL(model)).not.toContain('#');
  });
});
