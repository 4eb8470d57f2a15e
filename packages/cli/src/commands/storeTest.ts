import { dirname, resolve } from 'node:path';
import { compileModel, createEvaluator, createTupleStore, isGatehouseError, type Evaluator, type TupleKey } from '@gatehouse/core';
import { loadPolicyFile } from '@gatehouse/node';
import { loadTupleFile } from '@gatehouse/node';
import { parseYamlFile, readText, toTuples } from '../io';

/** One assertion of a store test and its outcome. */
export interface AssertionResult {
  readonly file: string;
  readonly test: string;
  readonly kind: 'check' | 'list_objects' | 'list_users';
  /** What was asked, e.g. `user:anne viewer document:1`. */
  readonly query: string;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly passed: boolean;
  readonly error?: string;
}

type Doc = Record<string, unknown>;
const isRecord = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const sorted = (v: readonly unknown[]): string[] => v.map(String).sort();
const sameSet = (a: readonly unknown[], b: readonly unknown[]): boolean => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

function attempt<T>(fn: () => T): { value: T } | { error: string } {
  try {
    return { value: fn() };
  } catch (error) {
    if (!isGatehouseError(error)) throw error;
    return { error: `${error.code}: ${error.message}` };
  }
}

/**
 * Runs one OpenFGA store test file (`fga model test` semantics): every test gets the store's
 * tuples plus its own, then each check / list_objects / list_users assertion is evaluated.
 */
export async function runStoreTest(file: string): Promise<AssertionResult[]> {
  const policy = await loadPolicyFile(file);
  const doc = parseYamlFile(await readText(file), file);
  const compiled = compileModel(policy.model);
  const tests = isRecord(doc) ? list(doc.tests) : [];
  const results: AssertionResult[] = [];
  for (const [index, raw] of tests.entries()) {
    const test = isRecord(raw) ? raw : {};
    const name = typeof test.name === 'string' ? test.name : `test ${index + 1}`;
    const own: TupleKey[] = toTuples(test.tuples, `${file}: tests[${index}].tuples`);
    for (const f of [...list(test.tuple_file), ...list(test.tuple_files)]) {
      own.push(...(await loadTupleFile(resolve(dirname(file), String(f)))));
    }
    const evaluator: Evaluator = createEvaluator(compiled, createTupleStore(compiled, [...policy.tuples, ...own]));
    const push = (r: Omit<AssertionResult, 'file' | 'test'>) => results.push({ file, test: name, ...r });

    for (const c of list(test.check).filter(isRecord)) {
      const context = isRecord(c.context) ? c.context : undefined;
      const users = c.users !== undefined ? list(c.users) : [c.user];
      const objects = c.objects !== undefined ? list(c.objects) : [c.object];
      for (const user of users) {
        for (const object of objects) {
          for (const [relation, expected] of Object.entries(isRecord(c.assertions) ? c.assertions : {})) {
            const query = `${String(user)} ${relation} ${String(object)}`;
            const r = attempt(() => evaluator.check({ user: String(user), relation, object: String(object), ...(context ? { context } : {}) }).allowed);
            if ('error' in r) push({ kind: 'check', query, expected, actual: null, passed: false, error: r.error });
            else push({ kind: 'check', query, expected, actual: r.value, passed: r.value === expected });
          }
        }
      }
    }

    for (const l of list(test.list_objects).filter(isRecord)) {
      const context = isRecord(l.context) ? l.context : undefined;
      for (const [relation, expected] of Object.entries(isRecord(l.assertions) ? l.assertions : {})) {
        const query = `${String(l.user)} ${relation} ${String(l.type)}:*`;
        const r = attempt(() => [...evaluator.listObjects({ user: String(l.user), relation, type: String(l.type), ...(context ? { context } : {}) }).objects]);
        const want = list(expected);
        if ('error' in r) push({ kind: 'list_objects', query, expected: sorted(want), actual: null, passed: false, error: r.error });
        else push({ kind: 'list_objects', query, expected: sorted(want), actual: sorted(r.value), passed: sameSet(want, r.value) });
      }
    }

    for (const l of list(test.list_users).filter(isRecord)) {
      const context = isRecord(l.context) ? l.context : undefined;
      const userFilters = list(l.user_filter)
        .filter(isRecord)
        .map((f) => ({ type: String(f.type), ...(typeof f.relation === 'string' ? { relation: f.relation } : {}) }));
      for (const [relation, expected] of Object.entries(isRecord(l.assertions) ? l.assertions : {})) {
        const query = `${String(l.object)} ${relation} [${userFilters.map((f) => (f.relation ? `${f.type}#${f.relation}` : f.type)).join(', ')}]`;
        const want = list(isRecord(expected) ? expected.users : expected);
        const r = attempt(() => [...evaluator.listUsers({ object: String(l.object), relation, userFilters, ...(context ? { context } : {}) }).users]);
        if ('error' in r) push({ kind: 'list_users', query, expected: sorted(want), actual: null, passed: false, error: r.error });
        else push({ kind: 'list_users', query, expected: sorted(want), actual: sorted(r.value), passed: sameSet(want, r.value) });
      }
    }
  }
  return results;
}
