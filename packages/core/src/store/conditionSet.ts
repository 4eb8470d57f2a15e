import { compileConditions } from '../conditions/index';
import type { ConditionSet } from '../conditions/index';
import type { CompiledModel } from '../model/compile';

const cache = new WeakMap<CompiledModel, ConditionSet>();

/**
 * The model's conditions compiled once per compiled model and shared by the store (which checks
 * tuple contexts) and the engine (which evaluates them).
 */
export function conditionSetOf(compiled: CompiledModel): ConditionSet {
  let set = cache.get(compiled);
  if (set === undefined) {
    set = compileConditions(compiled.model.conditions ?? {});
    cache.set(compiled, set);
  }
  return set;
}
