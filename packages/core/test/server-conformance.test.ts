/**
 * OpenFGA's server conformance suite (assets/tests of openfga/openfga), run the way OpenFGA's own
 * runners run it (tests/check, tests/listobjects, tests/listusers):
 *
 * - each test gets a fresh store; its stages run in order, each with its own model, and each
 *   stage's tuples are written on top of the earlier stages' (tuples a later model no longer
 *   accepts stay stored but are ignored, as OpenFGA ignores them on read);
 * - every check, listObjects and listUsers assertion is evaluated with its contextual tuples and
 *   context; expectations are compared as sets; an `errorCode` must match the error's OpenFGA code;
 * - as OpenFGA does, every object listObjects returns and every user listUsers returns must check
 *   as allowed;
 * - single-stage tests run a second time with the stage's tuples sent as contextual tuples
 *   instead of written (OpenFGA's `_ctxTuples` variant; stages over 100 tuples are skipped there).
 *
 * Assertions that cannot pass are listed in skip-lists/server.json with the reason; a listed
 * assertion that passes fails the suite, so the list only ever shrinks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDSL } from '../src/dsl/index';
import { createEvaluator } from '../src/engine/index';
import type { Evaluator } from '../src/engine/index';
import { isGatehouseError, openfgaCodeOf } from '../src/errors/index';
import { compileModel } from '../src/model/compile';
import type { AuthorizationModel } from '../src/model/types';
import { createTupleStore } from '../src/store/index';
import type { TupleKey, TupleStore } from '../src/store/index';
import { conformanceAvailable, conformancePath } from './conformance-data';

type Kind = 'check' | 'listObjects' | 'listUsers';

interface YamlTuple {
  user: string;
  relation: string;
  object: string;
  condition?: { name: string; context?: Record<string, unknown> };
}

interface YamlStage {
  model: string;
  tuples?: YamlTuple[] | null;
  checkAssertions?: Array<{
    tuple: YamlTuple;
    expectation?: boolean;
    errorCode?: number;
    contextualTuples?: YamlTuple[] | null;
    context?: Record<string, unknown> | null;
  }> | null;
  listObjectsAssertions?: Array<{
    request: { user: string; type: string; relation: string };
    expectation?: string[] | null;
    errorCode?: number;
    contextualTuples?: YamlTuple[] | null;
    context?: Record<string, unknown> | null;
  }> | null;
  listUsersAssertions?: Array<{
    request: { object: string; relation: string; filters: string[] };
    expectation?: string[] | null;
    errorCode?: number;
    contextualTuples?: YamlTuple[] | null;
    context?: Record<string, unknown> | null;
  }> | null;
}

interface YamlTest {
  name: string;
  stages: YamlStage[];
}

interface Outcome {
  readonly id: string;
  readonly test: string;
  readonly kind: Kind;
  readonly ok: boolean;
  readonly detail: string;
}

const FILES = ['consolidated_1_1_tests.yaml', 'abac_tests.yaml'] as const;
// Assertion id → why it cannot pass. Read from disk (not imported) so the project's file list stays source-only.
const skips = JSON.parse(readFileSync(new URL('./skip-lists/server.json', import.meta.url), 'utf8')) as Record<string, string>;
const available = conformanceAvailable();

function toTuple(t: YamlTuple): TupleKey {
  const out: { user: string; relation: string; object: string; condition?: { name: string; context?: Record<string, unknown> } } = {
    user: t.user,
    relation: t.relation,
    object: t.object,
  };
  if (t.condition) out.condition = t.condition.context ? { name: t.condition.name, context: t.condition.context } : { name: t.condition.name };
  return out;
}

function sameSet(actual: readonly string[], expected: readonly string[]): boolean {
  const a = [...actual].sort();
  const e = [...expected].sort();
  return a.length === e.length && a.every((x, i) => x === e[i]);
}

function describeError(error: unknown): string {
  return isGatehouseError(error) ? `${error.code} (${openfgaCodeOf(error.code)}): ${error.message}` : String(error);
}

/** Compares an outcome with an assertion's expectation or error code. */
function judge(run: () => unknown, errorCode: number | undefined, compare: (value: unknown) => string | undefined): { ok: boolean; detail: string } {
  let value: unknown;
  try {
    value = run();
  } catch (error) {
    if (errorCode !== undefined && errorCode !== 0 && isGatehouseError(error) && openfgaCodeOf(error.code) === errorCode) {
      return { ok: true, detail: 'expected error' };
    }
    return { ok: false, detail: `threw ${describeError(error)}${errorCode ? `, expected error ${errorCode}` : ''}` };
  }
  if (errorCode !== undefined && errorCode !== 0) return { ok: false, detail: `expected error ${errorCode}, got ${JSON.stringify(value)}` };
  const problem = compare(value);
  return problem === undefined ? { ok: true, detail: '' } : { ok: false, detail: problem };
}

const outcomes: Outcome[] = [];
const rejectedModels: string[] = [];
const testNames: string[] = [];

function runStage(
  file: string,
  test: YamlTest,
  stageIndex: number,
  stage: YamlStage,
  evaluator: Evaluator,
  mode: 'stored' | 'contextual',
): void {
  const prefix = `${file}:${test.name}${mode === 'contextual' ? '_ctxTuples' : ''}:stage${stageIndex}`;
  const extra = mode === 'contextual' ? (stage.tuples ?? []).map(toTuple) : [];
  const record = (kind: Kind, index: number, result: { ok: boolean; detail: string }): void => {
    outcomes.push({ id: `${prefix}:${kind}${index}`, test: `${file}:${test.name}`, kind, ...result });
  };
  const ctxOf = (a: { contextualTuples?: YamlTuple[] | null }): TupleKey[] | undefined => {
    const list = [...(a.contextualTuples ?? []).map(toTuple), ...extra];
    return list.length > 0 ? list : undefined;
  };
  const contextOf = (a: { context?: Record<string, unknown> | null }): Record<string, unknown> | undefined => a.context ?? undefined;

  (stage.checkAssertions ?? []).forEach((a, i) => {
    const contextualTuples = ctxOf(a);
    const context = contextOf(a);
    record(
      'check',
      i,
      judge(
        () =>
          evaluator.check({
            user: a.tuple.user,
            relation: a.tuple.relation,
            object: a.tuple.object,
            ...(context ? { context } : {}),
            ...(contextualTuples ? { contextualTuples } : {}),
          }).allowed,
        a.errorCode,
        (allowed) => (allowed === (a.expectation ?? false) ? undefined : `check ${a.tuple.object}#${a.tuple.relation}@${a.tuple.user}: got ${String(allowed)}, expected ${String(a.expectation ?? false)}`),
      ),
    );
  });

  (stage.listObjectsAssertions ?? []).forEach((a, i) => {
    const contextualTuples = ctxOf(a);
    const context = contextOf(a);
    const request = { ...a.request, ...(context ? { context } : {}), ...(contextualTuples ? { contextualTuples } : {}) };
    record(
      'listObjects',
      i,
      judge(
        () => evaluator.listObjects(request).objects,
        a.errorCode,
        (value) => {
          const objects = value as string[];
          const expected = a.expectation ?? [];
          if (!sameSet(objects, expected)) return `listObjects ${a.request.type}#${a.request.relation}@${a.request.user}: got [${[...objects].sort().join(', ')}], expected [${[...expected].sort().join(', ')}]`;
          // OpenFGA's runner also checks every returned object.
          for (const object of objects) {
            const allowed = evaluator.check({ user: a.request.user, relation: a.request.relation, object, ...(context ? { context } : {}), ...(contextualTuples ? { contextualTuples } : {}) }).allowed;
            if (!allowed) return `listObjects returned ${object} but check denies it`;
          }
          return undefined;
        },
      ),
    );
  });

  (stage.listUsersAssertions ?? []).forEach((a, i) => {
    const contextualTuples = ctxOf(a);
    const context = contextOf(a);
    const userFilters = a.request.filters.map((f) => {
      const [type, relation] = f.split('#') as [string, string | undefined];
      return relation === undefined ? { type } : { type, relation };
    });
    const request = {
      object: a.request.object,
      relation: a.request.relation,
      userFilters,
      ...(context ? { context } : {}),
      ...(contextualTuples ? { contextualTuples } : {}),
    };
    record(
      'listUsers',
      i,
      judge(
        () => evaluator.listUsers(request).users,
        a.errorCode,
        (value) => {
          const users = value as string[];
          const expected = a.expectation ?? [];
          if (!sameSet(users, expected)) return `listUsers ${a.request.object}#${a.request.relation} [${a.request.filters.join(', ')}]: got [${[...users].sort().join(', ')}], expected [${[...expected].sort().join(', ')}]`;
          for (const user of users) {
            const allowed = evaluator.check({ user, relation: a.request.relation, object: a.request.object, ...(context ? { context } : {}), ...(contextualTuples ? { contextualTuples } : {}) }).allowed;
            if (!allowed) return `listUsers returned ${user} but check denies it`;
          }
          return undefined;
        },
      ),
    );
  });
}

function parseStageModel(file: string, test: YamlTest, index: number, source: string): AuthorizationModel {
  try {
    return parseDSL(source);
  } catch (error) {
    // OpenFGA accepts every model of the suite: a rejection is a validation bug, reported by its
    // own test below; the engine still runs on the unvalidated model so its results are counted.
    rejectedModels.push(`${file}:${test.name}:stage${index}: ${describeError(error)}`);
    return parseDSL(source, { validate: false });
  }
}

if (available) {
  for (const file of FILES) {
    const doc = parse(readFileSync(conformancePath('server', file), 'utf8')) as { tests: YamlTest[] };
    for (const test of doc.tests) {
      testNames.push(`${file}:${test.name}`);
      // Stored tuples: each stage writes on top of the previous stages' tuples.
      let store: TupleStore | undefined;
      test.stages.forEach((stage, index) => {
        const prefix = `${file}:${test.name}:stage${index}`;
        try {
          const compiled = compileModel(parseStageModel(file, test, index, stage.model));
          const writes = (stage.tuples ?? []).map(toTuple);
          store = store === undefined ? createTupleStore(compiled, writes) : store.withModel(compiled).write({ writes });
          runStage(file, test, index, stage, createEvaluator(compiled, store), 'stored');
        } catch (error) {
          outcomes.push({ id: `${prefix}:setup`, test: `${file}:${test.name}`, kind: 'check', ok: false, detail: `stage setup failed: ${describeError(error)}` });
        }
      });
      // OpenFGA's `_ctxTuples` variant: single-stage tests, the tuples sent as contextual tuples.
      const only = test.stages[0];
      if (test.stages.length === 1 && only && (only.tuples ?? []).length <= 100) {
        try {
          const compiled = compileModel(parseDSL(only.model, { validate: false }));
          runStage(file, test, 0, only, createEvaluator(compiled, createTupleStore(compiled)), 'contextual');
        } catch (error) {
          outcomes.push({ id: `${file}:${test.name}_ctxTuples:stage0:setup`, test: `${file}:${test.name}`, kind: 'check', ok: false, detail: `stage setup failed: ${describeError(error)}` });
        }
      }
    }
  }
}

const isSkipped = (o: Outcome): boolean => Object.prototype.hasOwnProperty.call(skips, o.id);
const count = (kind: Kind): string => {
  const all = outcomes.filter((o) => o.kind === kind && !o.id.endsWith(':setup'));
  const passed = all.filter((o) => o.ok).length;
  const skipped = all.filter(isSkipped).length;
  return `${passed}/${all.length} passed, ${skipped} skipped`;
};

describe.runIf(available)('OpenFGA server conformance', () => {
  for (const kind of ['check', 'listObjects', 'listUsers'] as const) {
    it(`${kind}: ${count(kind)}`, () => {
      const failures = outcomes.filter((o) => o.kind === kind && !o.ok && !isSkipped(o)).map((o) => `${o.id}: ${o.detail}`);
      expect(failures).toEqual([]);
    });
  }

  it('skip list: every entry names an assertion that exists and still fails', () => {
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    const stale = Object.keys(skips).filter((id) => !byId.has(id));
    const fixed = Object.keys(skips).filter((id) => byId.get(id)?.ok === true);
    expect({ stale, fixed }).toEqual({ stale: [], fixed: [] });
  });

  it('every stage model is accepted by Gatehouse validation (OpenFGA accepts them all)', () => {
    expect(rejectedModels).toEqual([]);
  });

  describe('per test', () => {
    for (const name of testNames) {
      const mine = outcomes.filter((o) => o.test === name);
      const passed = mine.filter((o) => o.ok).length;
      it(`${name} (${passed}/${mine.length})`, () => {
        expect(mine.filter((o) => !o.ok && !isSkipped(o)).map((o) => `${o.id}: ${o.detail}`)).toEqual([]);
      });
    }
  });
});
