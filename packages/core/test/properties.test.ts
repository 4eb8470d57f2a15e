/**
 * Property tests of the evaluation engine on random small models and tuple sets:
 *
 * - check(u, r, o) holds exactly when o is in listObjects(u, r, type(o));
 * - check(u, r, o) holds exactly when u is in listUsers(o, r) for concrete users (a user covered
 *   only by a typed wildcard comes back as the wildcard, as OpenFGA returns it);
 * - explain agrees with check, batchCheck agrees with check, and a contextual view answers as
 *   the same tuples written to the store.
 *
 * Models are drawn from a small grammar (direct assignments of users, wildcards, objects and
 * usersets; computed usersets; tuple-to-usersets; unions, intersections and exclusions), kept
 * only when Gatehouse's validator accepts them. Object pools are tiny, so graphs are dense and
 * full of cycles.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEvaluator } from '../src/engine/index';
import type { Evaluator } from '../src/engine/index';
import { isGatehouseError } from '../src/errors/index';
import { compileModel } from '../src/model/compile';
import type { CompiledModel } from '../src/model/compile';
import type { AuthorizationModel, RelationReference, TypeDefinition, Userset } from '../src/model/types';
import { createTupleStore } from '../src/store/index';
import type { TupleKey } from '../src/store/index';
import { safeParseModel } from '../src/validation/parseModel';

const OBJECT_TYPES = ['group', 'folder', 'doc'] as const;
const IDS = ['a', 'b', 'c'];
const USERS = ['user:anne', 'user:bob', 'user:cid'];

interface RelationSpec {
  readonly name: string;
  readonly refs: readonly RelationReference[];
  readonly rewrite: Userset;
}

/** A random rewrite over the relations of the same type, `names`, and tupleset relations `tuplesets`. */
function rewriteArb(names: readonly string[], tuplesets: readonly string[], depth: number): fc.Arbitrary<Userset> {
  const leaves: fc.Arbitrary<Userset>[] = [fc.constant({ this: {} })];
  if (names.length > 0) leaves.push(fc.constantFrom(...names).map((relation) => ({ computedUserset: { relation } })));
  if (tuplesets.length > 0) {
    leaves.push(
      fc.record({ ts: fc.constantFrom(...tuplesets), cr: fc.constantFrom('r0', 'r1', 'r2') }).map(({ ts, cr }) => ({
        tupleToUserset: { tupleset: { relation: ts }, computedUserset: { relation: cr } },
      })),
    );
  }
  const leaf = fc.oneof(...leaves);
  if (depth === 0) return leaf;
  const sub = rewriteArb(names, tuplesets, depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 2, arbitrary: fc.tuple(sub, sub).map(([a, b]) => ({ union: { child: [a, b] } })) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => ({ intersection: { child: [a, b] } })) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([base, subtract]) => ({ difference: { base, subtract } })) },
  );
}

const refArb: fc.Arbitrary<RelationReference> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ type: 'user' }) },
  { weight: 1, arbitrary: fc.constant({ type: 'user', wildcard: {} }) },
  { weight: 2, arbitrary: fc.constantFrom(...OBJECT_TYPES).map((type) => ({ type })) },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constantFrom(...OBJECT_TYPES), relation: fc.constantFrom('r0', 'r1', 'r2') }),
  },
);

/** Per object type: a tupleset relation `parent` (plain objects only) and relations r0..r2. */
const typeArb = (type: string): fc.Arbitrary<TypeDefinition> =>
  fc
    .record({
      parentTypes: fc.uniqueArray(fc.constantFrom(...OBJECT_TYPES), { minLength: 1, maxLength: 2 }),
      relations: fc.tuple(
        ...['r0', 'r1', 'r2'].map((name, i) =>
          fc.record({
            refs: fc.uniqueArray(refArb, { minLength: 1, maxLength: 3, selector: (r) => JSON.stringify(r) }),
            rewrite: rewriteArb(['r0', 'r1', 'r2'].slice(0, i), ['parent'], 2),
          }),
        ),
      ),
    })
    .map(({ parentTypes, relations }) => {
      const specs: RelationSpec[] = relations.map((r, i) => ({ name: `r${i}`, refs: r.refs, rewrite: r.rewrite }));
      const rels: Record<string, Userset> = { parent: { this: {} } };
      const meta: Record<string, { directly_related_user_types: readonly RelationReference[] }> = {
        parent: { directly_related_user_types: parentTypes.map((t) => ({ type: t })) },
      };
      for (const s of specs) {
        rels[s.name] = s.rewrite;
        // Type restrictions only where the rewrite has a direct assignment (OpenFGA's rule).
        if (JSON.stringify(s.rewrite).includes('"this"')) meta[s.name] = { directly_related_user_types: s.refs };
      }
      return { type, relations: rels, metadata: { relations: meta } };
    });

const modelArb: fc.Arbitrary<AuthorizationModel> = fc
  .tuple(...OBJECT_TYPES.map(typeArb))
  .map((types) => ({ schema_version: '1.1', type_definitions: [{ type: 'user' }, ...types] }));

/** Every tuple the model allows over the pools, so a random subset is always writable. */
function candidateTuples(model: AuthorizationModel): TupleKey[] {
  const out: TupleKey[] = [];
  for (const td of model.type_definitions) {
    for (const [relation, refs] of Object.entries(td.metadata?.relations ?? {})) {
      for (const id of IDS) {
        const object = `${td.type}:${id}`;
        for (const ref of refs.directly_related_user_types ?? []) {
          if (ref.wildcard) out.push({ object, relation, user: `${ref.type}:*` });
          else if (ref.type === 'user') for (const user of USERS) out.push({ object, relation, user });
          else for (const uid of IDS) out.push({ object, relation, user: ref.relation ? `${ref.type}:${uid}#${ref.relation}` : `${ref.type}:${uid}` });
        }
      }
    }
  }
  return out;
}

interface Scenario {
  readonly model: AuthorizationModel;
  readonly tuples: readonly TupleKey[];
}

const scenarioArb: fc.Arbitrary<Scenario | null> = modelArb.chain((model) => {
  if (!safeParseModel(model).ok) return fc.constant(null);
  const candidates = candidateTuples(model);
  return fc.subarray(candidates, { maxLength: Math.min(40, candidates.length) }).map((tuples) => ({ model, tuples }));
});

/** The scenario's compiled model and an evaluator over its tuples (kept out of the counterexample). */
function setup(scenario: Scenario): { compiled: CompiledModel; evaluator: Evaluator } {
  const compiled = compileModel(scenario.model);
  return { compiled, evaluator: createEvaluator(compiled, createTupleStore(compiled, scenario.tuples)) };
}

/** The answer of `fn`, or the error code it threw. */
function outcome<T>(fn: () => T): T | string {
  try {
    return fn();
  } catch (error) {
    if (isGatehouseError(error)) return `error:${error.code}`;
    throw error;
  }
}

const RUNS = { numRuns: 150 };
// Generous: the properties run hundreds of evaluations and CI machines are shared.
const TIMEOUT = 120_000;


describe('engine properties (random models and tuples)', () => {
  it('check(u, r, o) holds exactly when o is in listObjects(u, r, type(o))', () => {
    let evaluated = 0;
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        if (scenario === null) return;
        const { evaluator } = setup(scenario);
        for (const type of OBJECT_TYPES) {
          for (const relation of ['r0', 'r1', 'r2']) {
            for (const user of [...USERS, 'user:*', 'group:a#r0', 'folder:b#r1']) {
              const listed = outcome(() => evaluator.listObjects({ user, relation, type }).objects);
              for (const id of IDS) {
                const object = `${type}:${id}`;
                const allowed = outcome(() => evaluator.check({ user, relation, object }).allowed);
                if (typeof listed === 'string' || typeof allowed === 'string') {
                  // Errors (the depth limit) must not coexist with an answer for the same object.
                  if (typeof allowed === 'string' && typeof listed !== 'string') expect(listed).not.toContain(object);
                  continue;
                }
                evaluated++;
                expect({ user, relation, object, listed: listed.includes(object) }).toEqual({ user, relation, object, listed: allowed });
              }
            }
          }
        }
      }),
      RUNS,
    );
    expect(evaluated).toBeGreaterThan(1000);
  }, TIMEOUT);

  it('check(u, r, o) holds exactly when u is in listUsers(o, r) (or its typed wildcard is)', () => {
    let evaluated = 0;
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        if (scenario === null) return;
        const { evaluator } = setup(scenario);
        for (const type of OBJECT_TYPES) {
          for (const relation of ['r0', 'r1', 'r2']) {
            for (const id of IDS) {
              const object = `${type}:${id}`;
              const listed = outcome(() => evaluator.listUsers({ object, relation, userFilters: [{ type: 'user' }] }).users);
              if (typeof listed === 'string') continue;
              for (const user of USERS) {
                const allowed = outcome(() => evaluator.check({ user, relation, object }).allowed);
                if (typeof allowed === 'string') continue;
                evaluated++;
                const covered = listed.includes(user) || (listed.includes('user:*') && allowed);
                expect({ user, relation, object, listed: covered }).toEqual({ user, relation, object, listed: allowed });
              }
              // Every user listUsers returns is allowed, the wildcard included.
              for (const user of listed) {
                expect({ user, object, relation, allowed: evaluator.check({ user, relation, object }).allowed }).toEqual({ user, object, relation, allowed: true });
              }
            }
          }
        }
      }),
      RUNS,
    );
    expect(evaluated).toBeGreaterThan(1000);
  }, TIMEOUT);

  it('a store changed by writes and deletes answers as a store built from the result', () => {
    const changeArb = scenarioArb.chain((scenario) => {
      if (scenario === null) return fc.constant(null);
      const candidates = candidateTuples(scenario.model);
      return fc
        .record({
          writes: fc.subarray(candidates, { maxLength: Math.min(15, candidates.length) }),
          deletes: fc.subarray([...scenario.tuples], { maxLength: Math.min(15, scenario.tuples.length) }),
        })
        .map(({ writes, deletes }) => {
          const existing = new Set(scenario.tuples.map((t) => `${t.object}#${t.relation}@${t.user}`));
          // Write what OpenFGA's Write accepts: new tuples, and no implicit ones (`group:a#r0` as an
          // `r0` of `group:a`), which TupleStore.write rejects as OpenFGA does.
          const writable = (w: TupleKey) => !existing.has(`${w.object}#${w.relation}@${w.user}`) && w.user !== `${w.object}#${w.relation}`;
          return { scenario, writes: writes.filter(writable), deletes };
        });
    });
    fc.assert(
      fc.property(changeArb, (change) => {
        if (change === null) return;
        const { scenario, writes, deletes } = change;
        const compiled = compileModel(scenario.model);
        const before = createTupleStore(compiled, scenario.tuples);
        const after = before.write({ writes, deletes });
        const expected = createTupleStore(compiled, [...scenario.tuples.filter((t) => !deletes.includes(t)), ...writes]);
        const key = (t: TupleKey): string => `${t.object}#${t.relation}@${t.user}`;
        expect([...after.tuples()].map(key).sort()).toEqual([...expected.tuples()].map(key).sort());
        expect(after.size).toBe(expected.size);
        // The old version is untouched.
        expect([...before.tuples()].map(key).sort()).toEqual(scenario.tuples.map(key).sort());
        const a = createEvaluator(compiled, after);
        const b = createEvaluator(compiled, expected);
        for (const type of OBJECT_TYPES) {
          for (const relation of ['r0', 'r1', 'r2']) {
            for (const user of USERS) {
              expect(outcome(() => [...a.listObjects({ user, relation, type }).objects].sort())).toEqual(
                outcome(() => [...b.listObjects({ user, relation, type }).objects].sort()),
              );
              for (const id of IDS) {
                const request = { user, relation, object: `${type}:${id}` };
                expect(outcome(() => a.check(request).allowed)).toEqual(outcome(() => b.check(request).allowed));
              }
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  }, TIMEOUT);

  it('explain, batchCheck and contextual tuples agree with check', () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        if (scenario === null) return;
        const { evaluator, compiled } = setup(scenario);
        const { tuples } = scenario;
        const requests = [];
        for (const type of OBJECT_TYPES) {
          for (const relation of ['r0', 'r1', 'r2']) {
            for (const id of IDS) for (const user of [...USERS, 'group:a#r1']) requests.push({ user, relation, object: `${type}:${id}` });
          }
        }
        const singles = requests.map((r) => outcome(() => evaluator.check(r).allowed));
        const batch = evaluator.batchCheck(requests).map((item) => (item.error ? `error:${item.error.code}` : item.allowed));
        expect(batch).toEqual(singles);
        const explained = requests.map((r) => {
          const e = evaluator.explain(r);
          return e.error ? `error:${e.error.code}` : e.allowed;
        });
        expect(explained).toEqual(singles);
        // The same tuples as contextual tuples, over an empty store.
        const empty = createEvaluator(compiled, createTupleStore(compiled));
        const contextual = requests.map((r) => outcome(() => empty.check({ ...r, contextualTuples: tuples }).allowed));
        expect(contextual).toEqual(singles);
      }),
      { numRuns: 100 },
    );
  }, TIMEOUT);
});
