export { createEvaluator, DEFAULT_MAX_DEPTH } from './Evaluator';
export type { Evaluator } from './Evaluator';
export type { ConditionEvaluator, ConditionOutcome } from './conditions';
export { renderExplanation } from './explain';
export type { ExplainKind, ExplainNode, ExplainOutcome, Explanation } from './explain';
export type {
  BatchCheckItem,
  CheckRequest,
  CheckResult,
  EvaluatorOptions,
  ListObjectsRequest,
  ListObjectsResult,
  ListUsersRequest,
  ListUsersResult,
  UserTypeFilter,
} from './types';
