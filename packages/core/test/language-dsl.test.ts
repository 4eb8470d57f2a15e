import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { isGatehouseError, type Diagnostic } from '../src/errors/index';
import type { AuthorizationModel, Userset } from '../src/model/types';
import { parseDSL, printDSL, validateDSL } from '../src/dsl/index';
import { conformanceAvailable, conformancePath } from './conformance-data';

// OpenFGA's language conformance data (openfga/language tests/data), run against the DSL front end.
//
// Every case runs, including those marked `skip: true` (OpenFGA's own harness skips them; they are
// pinned by name below so a change in the data is noticed). Cases where Gatehouse deliberately
// answers otherwise go in skip-lists/language-dsl.json with a reason; they run as expected
// failures, so a listed case that starts passing, or disappears from the data, fails this suite.

const available = conformanceAvailable();
const here = dirname(fileURLToPath(import.meta.url));

interface ExpectedError {
  readonly msg: string;
  readonly line?: { readonly start: number; readonly end: number };
  readonly column?: { readonly start: number; readonly end: number };
  readonly metadata?: { readonly symbol?: string; readonly errorType?: string };
}

interface DslCase {
  readonly name: string;
  readonly dsl: string;
  readonly skip?: boolean;
  readonly expected_errors?: readonly ExpectedError[];
}

interface JsonToDslCase {
  readonly name: string;
  readonly json: string;
  readonly valid?: boolean;
  readonly error_message?: string;
  readonly skip?: boolean;
}

type SkipList = Readonly<Record<string, Readonly<Record<string, string>>>>;

const skipListPath = join(here, 'skip-lists/language-dsl.json');
const skipList: SkipList = existsSync(skipListPath) ? (JSON.parse(readFileSync(skipListPath, 'utf8')) as SkipList) : {};

function loadYaml<T>(file: string): T[] {
  return available ? (parseYaml(readFileSync(conformancePath('language', file), 'utf8')) as T[]) : [];
}

const syntaxCases = loadYaml<DslCase>('dsl-syntax-validation-cases.yaml');
const semanticCases = loadYaml<DslCase>('dsl-semantic-validation-cases.yaml');
const jsonToDslCases = loadYaml<JsonToDslCase>('json-syntax-transformer-validation-cases.yaml');
const transformerDirs = available
  ? readdirSync(conformancePath('language', 'transformer'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
  : [];

/** The cases OpenFGA's harness skips (`skip: true`), pinned so a change in the data is noticed. */
const SKIPPED_BY_OPENFGA: Readonly<Record<string, readonly string[]>> = {
  'dsl-syntax': [],
  'dsl-semantic': [
    'cycle 3 should fail',
    'cycle 4 should fail',
    'cycle 5 should fail',
    'cycle 6 should fail',
    'union does not require all child to have entry',
    'union does not require all child to have entry even for intersection child',
    'union does not require all child to have entry even for exclusion child',
  ],
  'json-to-dsl': [],
  transformer: [],
};

/**
 * Runs each case as its own test, including the ones OpenFGA's harness skips (Gatehouse answers
 * them too); a listed case runs as an expected failure.
 */
function eachCase<T extends { readonly name: string; readonly skip?: boolean }>(suite: string, cases: readonly T[], run: (testCase: T) => void): void {
  const listed = skipList[suite] ?? {};
  for (const testCase of cases) {
    if (testCase.name in listed) {
      it.fails(`${testCase.name} (unsupported: ${listed[testCase.name]})`, () => run(testCase));
    } else {
      it(testCase.name, () => run(testCase));
    }
  }
  it('sees exactly the cases OpenFGA skips, and every skip-list entry is a current case', () => {
    expect(cases.filter((c) => c.skip === true).map((c) => c.name)).toEqual(SKIPPED_BY_OPENFGA[suite]);
    const names = new Set(cases.map((c) => c.name));
    expect(Object.keys(listed).filter((name) => !names.has(name))).toEqual([]);
  });
}

function errorsOf(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}

function describeErrors(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${d.code}@${d.line?.start}:${d.column?.start} ${d.message}`).join('\n');
}

/** Multiset comparison on (error type, line, column); sorted string keys show any difference. */
function expectErrors(dsl: string, expected: readonly ExpectedError[], keyOf: (e: ExpectedError) => string, actualKey: (d: Diagnostic) => string): void {
  const actual = errorsOf(validateDSL(dsl));
  expect(actual.map(actualKey).sort(), describeErrors(actual)).toEqual(expected.map(keyOf).sort());
}

describe.skipIf(!available)('OpenFGA language conformance: DSL', () => {
  describe('dsl-syntax-validation-cases', () => {
    eachCase('dsl-syntax', syntaxCases, (testCase) => {
      const expected = testCase.expected_errors ?? [];
      if (expected.length === 0) {
        expect(describeErrors(errorsOf(validateDSL(testCase.dsl)))).toBe('');
        return;
      }
      // Syntax cases carry no error type: every error must be a syntax error at the given place.
      expectErrors(
        testCase.dsl,
        expected,
        (e) => `invalid-syntax@${e.line?.start}:${e.column?.start}`,
        (d) => `${d.code}@${d.line?.start}:${d.column?.start}`,
      );
    });
  });

  describe('dsl-semantic-validation-cases', () => {
    eachCase('dsl-semantic', semanticCases, (testCase) => {
      const expected = testCase.expected_errors ?? [];
      if (expected.length === 0) {
        expect(describeErrors(errorsOf(validateDSL(testCase.dsl)))).toBe('');
        return;
      }
      const typed = expected.every((e) => e.metadata?.errorType !== undefined);
      expectErrors(
        testCase.dsl,
        expected,
        (e) => `${typed ? e.metadata?.errorType : ''}@${e.line?.start}:${e.column?.start}`,
        (d) => `${typed ? d.code : ''}@${d.line?.start}:${d.column?.start}`,
      );
    });
  });

  describe('json-syntax-transformer-validation-cases', () => {
    eachCase('json-to-dsl', jsonToDslCases, (testCase) => {
      const model = JSON.parse(testCase.json) as AuthorizationModel;
      if (testCase.error_message) {
        // Same meaning as OpenFGA's message: the error names the relation and the type.
        const [, relation, type] = /the '(.+)' relation definition under the '(.+)' type/.exec(testCase.error_message) ?? [];
        let thrown: unknown;
        try {
          printDSL(model);
        } catch (error) {
          thrown = error;
        }
        expect(isGatehouseError(thrown) && thrown.code).toBe('validation_error');
        expect((thrown as Error).message).toContain(`relation '${relation}'`);
        expect((thrown as Error).message).toContain(`type '${type}'`);
        return;
      }
      const dsl = printDSL(model);
      expect(canonical(parseDSL(dsl))).toEqual(canonical(model));
    });
  });

  describe('transformer', () => {
    eachCase(
      'transformer',
      transformerDirs.map((name) => ({ name })),
      ({ name }) => {
        const dir = conformancePath('language', 'transformer', name);
        const fga = readFileSync(join(dir, 'authorization-model.fga'), 'utf8');
        const json = JSON.parse(readFileSync(join(dir, 'authorization-model.json'), 'utf8')) as Partial<AuthorizationModel>;
        // These are transformer cases, not valid models (14 and 15 have dangling references), so
        // only syntax is checked, as in OpenFGA's dsltojson test. The one difference allowed:
        // Gatehouse always returns `type_definitions` (the JSON of 00-only-schema omits an empty list).
        expect(parseDSL(fga, { validate: false })).toEqual({ type_definitions: [], ...json });
        expect(squash(printDSL(json as AuthorizationModel))).toBe(squash(fga));
      },
    );
  });
});

/** Text equality up to whitespace: runs of blanks collapse, blank lines and line ends are trimmed. */
function squash(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * A model up to what the DSL cannot keep: the direct assignment is always written first in a
 * union or intersection (both are commutative), and `metadata: null`, absent metadata and empty
 * relations are the same.
 */
function canonical(model: AuthorizationModel): unknown {
  const rewrite = (u: Userset): Userset => {
    if ('union' in u) return { union: { child: directFirst(u.union.child.map(rewrite)) } };
    if ('intersection' in u) return { intersection: { child: directFirst(u.intersection.child.map(rewrite)) } };
    if ('difference' in u) return { difference: { base: rewrite(u.difference.base), subtract: rewrite(u.difference.subtract) } };
    return u;
  };
  return {
    schema_version: model.schema_version,
    type_definitions: model.type_definitions.map((t) => ({
      type: t.type,
      relations: Object.fromEntries(Object.entries(t.relations ?? {}).map(([name, u]) => [name, rewrite(u)])),
      relationMetadata: t.metadata?.relations ?? {},
    })),
    conditions: model.conditions ?? {},
  };
}

function directFirst(children: readonly Userset[]): Userset[] {
  return [...children.filter((c) => 'this' in c), ...children.filter((c) => !('this' in c))];
}
