import { describe, expect, it, vi } from 'vitest';
import { isGatehouseError } from '../errors/index';

// Library or validator failures must surface as GatehouseError `internal` (callers deny), never as
// a raw TypeError and never as "no problems found".
vi.mock('./syntaxTransformer', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./syntaxTransformer')>();
  return {
    ...actual,
    parseWithLibrary: (source: string) => {
      if (source.includes('crash-parser')) throw new TypeError("Cannot read properties of undefined (reading 'typeInfo')");
      return actual.parseWithLibrary(source);
    },
    printWithLibrary: () => {
      throw new TypeError('printer exploded');
    },
  };
});

vi.mock('../validation/validateModel', () => ({
  validateModel: () => {
    throw new RangeError('Maximum call stack size exceeded');
  },
}));

const { parseDSL, printDSL, safeParseDSL, validateDSL, parseModularModel } = await import('./index');

function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return isGatehouseError(error) ? error.code : `raw ${String(error)}`;
  }
  return 'no error';
}

describe('failing closed', () => {
  it('turns a parser crash into an internal GatehouseError, in every form', () => {
    const source = 'model\n  schema 1.1\ntype crash-parser\n';
    expect(codeOf(() => parseDSL(source))).toBe('internal');
    expect(codeOf(() => safeParseDSL(source))).toBe('internal');
    expect(codeOf(() => validateDSL(source))).toBe('internal');
  });

  it('turns a validator crash into an internal GatehouseError, not an empty result', () => {
    expect(codeOf(() => validateDSL('model\n  schema 1.1\ntype user\n'))).toBe('internal');
    const files = [
      { name: 'fga.mod', contents: "schema: '1.2'\ncontents:\n  - a.fga\n" },
      { name: 'a.fga', contents: 'module a\n\ntype user\n' },
    ];
    expect(codeOf(() => parseModularModel(files))).toBe('internal');
  });

  it('turns a printer crash into an internal GatehouseError', () => {
    expect(codeOf(() => printDSL({ schema_version: '1.1', type_definitions: [{ type: 'user' }] }))).toBe('internal');
  });
});
