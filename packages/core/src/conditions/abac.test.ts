import { readFileSync } from 'node:fs';
import { transformer } from '@openfga/syntax-transformer';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { conformanceAvailable, conformancePath } from '../../test/conformance-data';
import type { AuthorizationModel } from '../model/types';
import { isGatehouseError } from '../errors/GatehouseError';
import type { ConditionSet } from './index';

type ConditionContext = Readonly<Record<string, unknown>>;
import { compileConditions, diagnoseConditions } from './index';

/**
 * Every condition of OpenFGA's ABAC suite (assets/tests/abac_tests.yaml) compiles, and evaluates
 * to what the suite's assertions imply.
 */

interface YamlTuple {
  readonly user: string;
  readonly relation: string;
  readonly object: string;
  readonly condition?: { readonly name: string; readonly context?: ConditionContext };
}
interface YamlCheck {
  readonly tuple: { readonly user: string; readonly relation: string; readonly object: string };
  readonly context?: ConditionContext;
  readonly contextualTuples?: readonly YamlTuple[];
  readonly expectation?: boolean;
  readonly errorCode?: number;
}
interface YamlStage {
  readonly model: string;
  readonly tuples?: readonly YamlTuple[];
  readonly checkAssertions?: readonly YamlCheck[];
}
interface YamlSuite {
  readonly tests: readonly { readonly name: string; readonly stages: readonly YamlStage[] }[];
}

type Outcome = 'true' | 'false' | 'error';

/** The condition outcome for one tuple: met, not met, or an evaluation error (missing or bad values). */
function outcome(set: ConditionSet, name: string, tuple?: ConditionContext, request?: ConditionContext): Outcome {
  try {
    const result = set.evaluate(name, tuple, request);
    if (result.missingParameters !== undefined) return 'error';
    return result.met ? 'true' : 'false';
  } catch (err) {
    if (isGatehouseError(err) && err.code === 'condition_evaluation_error') return 'error';
    throw err;
  }
}

/**
 * Tests where every Check assertion goes through exactly one conditional tuple, so its expected
 * answer is that tuple's condition outcome (true, false, or 2000 for an error). Stage indexes
 * listed; `prior_conditions_ignored` stage 1 is excluded because there the tuple is filtered out
 * by type restriction, not evaluated.
 */
const SINGLE_PATH: Readonly<Record<string, readonly number[]>> = {
  direct_relation_with_condition: [0],
  indirect_relation_with_condition: [0],
  userset_child_with_condition: [0],
  userset_parent_with_condition: [0],
  nested_indirect_relation_with_condition: [0],
  computed_userset_with_condition: [0],
  tuple_to_userset_with_condition: [0],
  simple_userset_with_condition: [0],
  simple_userset_with_condition_in_child: [0],
  simple_ttu_with_condition: [0],
  simple_ttu_with_condition_in_child: [0],
  direct_relations_with_condition: [0],
  prior_conditions_ignored: [0, 2],
  handles_floats: [0],
};

interface Case {
  readonly tuple?: ConditionContext;
  readonly request?: ConditionContext;
  readonly expected: Outcome;
}

/**
 * Hand-derived outcomes for every condition in the suite (keyed `name :: expression`), from the
 * assertions of the tests that use it, including the multi-path ones.
 */
const CASES: Readonly<Record<string, readonly Case[]>> = {
  'x_less_than :: x < 100': [
    { request: { x: 10 }, expected: 'true' },
    { request: { x: 101 }, expected: 'false' },
    { request: { x: 99 }, expected: 'true' },
    { expected: 'error' },
  ],
  'ts_less_than :: ts < timestamp("2023-10-11T10:00:00.000Z")': [
    { request: { ts: '2023-10-11T09:00:00.000Z' }, expected: 'true' },
    { request: { ts: '2023-10-11T10:00:00.000Z' }, expected: 'false' },
    { request: { ts: '2023-10-11T11:00:00.000Z' }, expected: 'false' },
    // ttu_mix_with_userset_member_condition_mixed_parents: malformed, an error on this path.
    { request: { ts: '2023-10-11T11:00.000Z' }, expected: 'error' },
    { expected: 'error' },
  ],
  'ipaddr_in_range :: user_ip.in_cidr(cidr)': [
    { tuple: { cidr: '192.168.0.0/24' }, request: { user_ip: '192.168.0.1' }, expected: 'true' },
    { tuple: { cidr: '192.168.0.0/24' }, request: { user_ip: '192.168.1.0' }, expected: 'false' },
    { tuple: { cidr: '192.168.0.0/24' }, expected: 'error' },
    // The tuple's cidr wins over one in the request.
    { tuple: { cidr: '192.168.0.0/24' }, request: { user_ip: '10.0.0.1', cidr: '10.0.0.0/8' }, expected: 'false' },
  ],
  'condx :: x < 100': [
    { request: { x: 10, y: 5 }, expected: 'true' },
    { request: { x: 101, y: 5 }, expected: 'false' },
  ],
  'condy :: y < 50': [
    { request: { x: 10, y: 5 }, expected: 'true' },
    { request: { x: 101 }, expected: 'error' },
  ],
  'xcond :: x == 10': [
    { request: { x: 10 }, expected: 'true' },
    { request: { x: 20 }, expected: 'false' },
    { request: { x: 99 }, expected: 'false' },
    // simple_ttu_with_multiple_conditions: only y given, the xcond tuple errs.
    { request: { y: 10 }, expected: 'error' },
  ],
  'ycond :: y == 10': [
    { request: { y: 10 }, expected: 'true' },
    { request: { y: 99 }, expected: 'false' },
    { request: { x: 10 }, expected: 'error' },
  ],
  'str_cond :: s == "hello"': [
    { request: { s: 'hello' }, expected: 'true' },
    { request: { s: 'foo' }, expected: 'false' },
    { request: { x: 10 }, expected: 'error' },
  ],
  'condxy :: x < 100 || y < 50': [
    { request: { x: 10, y: 5 }, expected: 'true' },
    { request: { x: 101, y: 51 }, expected: 'false' },
    { request: { x: 1, y: 50000 }, expected: 'true' },
    { request: { x: 50000, y: 1 }, expected: 'true' },
    // Decidable from x alone, but a missing parameter is still an error.
    { request: { x: 10 }, expected: 'error' },
    { request: { y: 10 }, expected: 'error' },
  ],
  'oldcondition :: x > 100': [
    { request: { x: 101 }, expected: 'true' },
    { request: { x: 99 }, expected: 'false' },
  ],
  'newcondition :: x > 200': [
    { request: { x: 201 }, expected: 'true' },
    { request: { x: 101 }, expected: 'false' },
  ],
  'oldcondition :: x > 200': [
    { request: { x: 201 }, expected: 'true' },
    { request: { x: 101 }, expected: 'false' },
  ],
  'condfloat :: x > 0.0': [
    { request: { x: 1.797693134862315708145274237317 }, expected: 'true' },
    { request: { x: -1.797693134862315708145274237317 }, expected: 'false' },
    { request: { x: '1.79769313486231570814527423731704356798070e+309' }, expected: 'error' },
    { request: { x: '-1.79769313486231570814527423731704356798070e+309' }, expected: 'error' },
    { request: { x: Number.POSITIVE_INFINITY }, expected: 'error' },
  ],
};

const available = conformanceAvailable();

describe.skipIf(!available)('conditions of OpenFGA abac_tests.yaml', () => {
  const suite = parseYaml(readFileSync(conformancePath('server', 'abac_tests.yaml'), 'utf8')) as YamlSuite;
  const stages = suite.tests.flatMap((test) =>
    test.stages.map((stage, index) => {
      const model = transformer.transformDSLToJSONObject(stage.model) as unknown as AuthorizationModel;
      return { test: test.name, index, stage, model };
    }),
  );

  it('finds the suite and its conditions', () => {
    expect(stages.length).toBeGreaterThan(20);
    expect(stages.every((s) => Object.keys(s.model.conditions ?? {}).length > 0)).toBe(true);
  });

  it.each(stages.map((s) => [`${s.test}#${s.index}`, s] as const))('%s: every condition compiles', (_, s) => {
    expect(diagnoseConditions(s.model)).toEqual([]);
    const set = compileConditions(s.model.conditions);
    expect([...set.names].sort()).toEqual(Object.keys(s.model.conditions ?? {}).sort());
  });

  it('has hand-derived cases for every condition in the suite', () => {
    const found = new Set<string>();
    for (const s of stages) {
      for (const [key, condition] of Object.entries(s.model.conditions ?? {})) {
        found.add(`${key} :: ${condition.expression}`);
      }
    }
    expect([...found].sort()).toEqual(Object.keys(CASES).sort());
  });

  const conditionCases = stages.flatMap((s) =>
    Object.entries(s.model.conditions ?? {}).map(([key, condition]) => ({
      label: `${s.test}#${s.index} ${key}`,
      key,
      conditions: s.model.conditions,
      cases: CASES[`${key} :: ${condition.expression}`] ?? [],
    })),
  );

  it.each(conditionCases.map((c) => [c.label, c] as const))('%s: evaluates as the assertions imply', (_, c) => {
    const set = compileConditions(c.conditions);
    expect(c.cases.length).toBeGreaterThan(0);
    for (const testCase of c.cases) {
      expect({ ...testCase, actual: outcome(set, c.key, testCase.tuple, testCase.request) }).toEqual({
        ...testCase,
        actual: testCase.expected,
      });
    }
  });

  const singlePath = stages.filter((s) => SINGLE_PATH[s.test]?.includes(s.index));

  it('covers the single-path tests it names', () => {
    expect(singlePath.map((s) => `${s.test}#${s.index}`).sort()).toEqual(
      Object.entries(SINGLE_PATH)
        .flatMap(([name, indexes]) => indexes.map((i) => `${name}#${i}`))
        .sort(),
    );
  });

  it.each(singlePath.map((s) => [`${s.test}#${s.index}`, s] as const))(
    '%s: each Check answer equals its conditional tuple outcome',
    (_, s) => {
      const set = compileConditions(s.model.conditions);
      // Tuples persist across stages; the conditional tuple may come from an earlier stage.
      const previous = stages.filter((p) => p.test === s.test && p.index <= s.index);
      const conditional = previous.flatMap((p) => p.stage.tuples ?? []).filter((t) => t.condition !== undefined);
      expect(conditional).toHaveLength(1);
      const tuple = conditional[0] as YamlTuple;
      const name = tuple.condition?.name as string;
      const checks = (s.stage.checkAssertions ?? []).filter((a) => a.contextualTuples === undefined);
      expect(checks.length).toBeGreaterThan(0);
      for (const assertion of checks) {
        const expected: Outcome =
          assertion.errorCode !== undefined ? 'error' : assertion.expectation ? 'true' : 'false';
        const actual = outcome(set, name, tuple.condition?.context, assertion.context);
        expect({ context: assertion.context, actual }).toEqual({ context: assertion.context, actual: expected });
        if (assertion.errorCode !== undefined) expect(assertion.errorCode).toBe(2000);
      }
    },
  );
});
