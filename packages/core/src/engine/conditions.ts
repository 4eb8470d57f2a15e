import type { ConditionContext } from '../store/types';

/**
 * The result of evaluating one condition: met or not, or not evaluable because parameters are
 * missing from both the tuple's and the request's context.
 */
export type ConditionOutcome =
  | { readonly met: boolean; readonly missingParameters?: undefined }
  | { readonly met: false; readonly missingParameters: readonly string[] };

/**
 * What the engine needs from a compiled condition set: evaluate condition `name` with a tuple's
 * stored context and the request's context (merged as OpenFGA merges them). Evaluation problems
 * are thrown as `condition_evaluation_error`.
 */
export interface ConditionEvaluator {
  /** Evaluates condition `name`. */
  evaluate(name: string, tupleContext: ConditionContext | undefined, requestContext: ConditionContext | undefined): ConditionOutcome;
}
