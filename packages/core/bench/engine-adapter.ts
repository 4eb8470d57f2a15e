/**
 * Gatehouse's engine behind the bench's {@link BenchEvaluator} interface: validate and compile the
 * model, stream the tuples into a tuple store, create the evaluator. No cache sits in between.
 */
import { createEvaluator } from '../src/engine/index';
import { compileModel } from '../src/model/compile';
import { createTupleStore } from '../src/store/index';
import { parseModel } from '../src/validation/parseModel';
import type { BenchEvaluator, EvaluatorFactory } from './evaluator';
import { MODEL_JSON } from './workload';

/** Builds the engine for a workload (everything here counts as build time). */
export const createEngineEvaluator: EvaluatorFactory = (workload) => {
  const compiled = compileModel(parseModel(MODEL_JSON));
  const store = createTupleStore(compiled, workload.tuples());
  const evaluator = createEvaluator(compiled, store);
  const engine: BenchEvaluator = {
    name: 'engine',
    check: (user, relation, object) => evaluator.check({ user, relation, object }).allowed,
    listObjects: (user, relation, type) => evaluator.listObjects({ user, relation, type }).objects,
  };
  return engine;
};
