import { createEvaluator } from '../engine/Evaluator';
import { ModelValidationError } from '../errors/index';
import { compileModel } from '../model/compile';
import type { CompiledModel } from '../model/compile';
import type { TupleStore } from '../store/TupleStore';
import { safeParseModel } from '../validation/parseModel';
import type { Snapshot, SnapshotOptions } from './types';

/**
 * Validates a model fully (structure, then OpenFGA's semantic rules) and compiles it. A source
 * only checks a model's structure, so this is where a model that OpenFGA would refuse is stopped.
 *
 * @throws {ModelValidationError} `invalid_authorization_model` with every diagnostic.
 * @throws {GatehouseError} `invalid_authorization_model` for structure the engine cannot evaluate.
 */
export function compileValidated(model: unknown): CompiledModel {
  const parsed = safeParseModel(model);
  if (!parsed.ok) throw new ModelValidationError(parsed.diagnostics);
  return compileModel(parsed.value);
}

/** Assembles a frozen snapshot around a store (and its evaluator). */
export function assemble(
  revision: string,
  modelId: string,
  compiled: CompiledModel,
  store: TupleStore,
  options: SnapshotOptions,
  evaluator = createEvaluator(compiled, store, options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
): Snapshot {
  return Object.freeze({
    revision,
    modelId,
    model: compiled.model,
    compiled,
    store,
    evaluator,
    loadedAt: options.now ? options.now() : Date.now(),
    tupleCount: store.size,
    ignoredCount: store.ignored.length,
  });
}
