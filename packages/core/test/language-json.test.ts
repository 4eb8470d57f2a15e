import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseModelStructure } from '../src/model/schema';
import { isValidObjectId } from '../src/tuples/ids';
import { safeParseModel } from '../src/validation/parseModel';
import { conformanceAvailable, conformancePath } from './conformance-data';

// OpenFGA's language conformance data (openfga/language tests/data): JSON model validation and
// object-id rules. See test/conformance-data.ts for where the data comes from.

interface ExpectedError {
  readonly msg: string;
  readonly metadata: { readonly symbol?: string; readonly errorType: string };
}
interface JsonCase {
  readonly name: string;
  readonly json: string;
  readonly expected_errors?: readonly ExpectedError[] | null;
}
interface ObjectIdCase {
  readonly name: string;
  readonly object_id: string;
  readonly valid: boolean;
}
interface SkipEntry {
  readonly name: string;
  readonly reason: string;
}

const JSON_CASES = 'json-validation-cases.yaml';
const OBJECT_ID_CASES = 'object-id-validation-cases.yaml';

const skipFile: unknown = JSON.parse(readFileSync(new URL('./skip-lists/language-json.json', import.meta.url), 'utf8'));
function skipsFor(file: string): ReadonlyMap<string, string> {
  const entries = (skipFile as Record<string, readonly SkipEntry[] | undefined>)[file] ?? [];
  return new Map(entries.map((e) => [e.name, e.reason]));
}

function load<T>(file: string): T[] {
  if (!available) return [];
  return parse(readFileSync(conformancePath('language', file), 'utf8')) as T[];
}

const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
const key = (code: string, symbol: string | undefined) => `${code} ${JSON.stringify(symbol ?? '')}`;

// Outside CI, missing data skips the suite; nothing may read it at collection time then.
const available = conformanceAvailable();

describe.skipIf(!available)('OpenFGA language conformance (JSON)', () => {
  describe(JSON_CASES, () => {
    const cases = load<JsonCase>(JSON_CASES);
    const skips = skipsFor(JSON_CASES);

    it('lists only skipped cases that exist', () => {
      const names = new Set(cases.map((c) => c.name));
      expect([...skips.keys()].filter((name) => !names.has(name))).toEqual([]);
    });

    for (const c of cases) {
      it.skipIf(skips.has(c.name))(c.name, () => {
        const result = safeParseModel(c.json);
        const expected = c.expected_errors ?? [];
        const got = result.ok ? [] : result.diagnostics;
        // A multiset comparison on (error type, symbol), as OpenFGA's own runners compare.
        expect(got.map((d) => key(d.code, d.symbol)).sort()).toEqual(
          expected.map((e) => key(e.metadata.errorType, e.metadata.symbol)).sort(),
        );
        // The messages follow OpenFGA's wording too.
        expect(got.map((d) => squash(d.message)).sort()).toEqual(expected.map((e) => squash(e.msg)).sort());
        expect(result.ok).toBe(expected.length === 0);
      });
    }
  });

  describe(OBJECT_ID_CASES, () => {
    const cases = load<ObjectIdCase>(OBJECT_ID_CASES);
    const skips = skipsFor(OBJECT_ID_CASES);

    it('lists only skipped cases that exist', () => {
      const names = new Set(cases.map((c) => c.name));
      expect([...skips.keys()].filter((name) => !names.has(name))).toEqual([]);
    });

    for (const c of cases) {
      it.skipIf(skips.has(c.name))(c.name, () => {
        expect(isValidObjectId(c.object_id)).toBe(c.valid);
      });
    }
  });

  describe('transformer/*/authorization-model.json', () => {
    const dir = conformancePath('language', 'transformer');
    for (const example of available ? readdirSync(dir) : []) {
      it(`${example} is structurally valid`, () => {
        const result = parseModelStructure(readFileSync(`${dir}/${example}/authorization-model.json`, 'utf8'));
        expect(result.ok ? [] : result.diagnostics).toEqual([]);
      });
    }
  });
});
