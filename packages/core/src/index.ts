/**
 * `@gatehouse/core`: the OpenFGA-compatible authorization model and local evaluation engine.
 * Runtime-agnostic: no Node built-ins, so it runs in Node, browsers and the Edge runtime.
 * The DSL parser lives behind `@gatehouse/core/dsl`, so services that load JSON never load it.
 *
 * @packageDocumentation
 */

// errors
export {
  ERROR_CODES,
  GatehouseError,
  ModelValidationError,
  formatDiagnostics,
  formatPath,
  httpStatusOf,
  isGatehouseError,
  openfgaCodeOf,
  toGatehouseError,
} from './errors/index';
export type {
  Diagnostic,
  DiagnosticCode,
  DiagnosticLocation,
  GatehouseErrorCode,
  GatehouseErrorOptions,
  SafeResult,
} from './errors/index';

// model
export type {
  AuthorizationModel,
  Condition,
  ConditionMetadata,
  ConditionParamTypeName,
  ConditionParamTypeRef,
  Difference,
  ObjectRelation,
  RelationMetadata,
  RelationReference,
  SourceInfo,
  TupleToUserset,
  TypeDefinition,
  TypeMetadata,
  Userset,
  Usersets,
} from './model/types';

// sync
export {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  CHANGES_FORMAT,
  HttpBundleSource,
  MemorySource,
  applyChangeSet,
  assertTupleKey,
  backoffDelay,
  compareRevisions,
  decodeBundle,
  decodeChanges,
  detectFormat,
  diffSnapshots,
  encodeBundle,
  encodeChanges,
  isEmptyChangeSet,
  isRevision,
  maxRevision,
  mergeChangeSets,
  newModelId,
  nextRevision,
  toRevision,
  tupleKeyId,
} from './sync/index';
export type {
  BackoffOptions,
  BundleDocument,
  BundleInput,
  ChangeSet,
  ChangesDocument,
  ConditionEntry,
  HeadersProvider,
  HttpBundleSourceOptions,
  MemorySourceOptions,
  MemoryUpdate,
  Revision,
  SnapshotData,
  SnapshotSink,
  SnapshotSource,
  TupleBlock,
  TupleKeyWithoutCondition,
} from './sync/index';

// model: JSON parsing and OpenFGA's semantic validation
export { SUPPORTED_SCHEMA_VERSIONS } from './model/schema';
export { parseModel, safeParseModel } from './validation/parseModel';
export { validateModel } from './validation/validateModel';

// model: typed definition in TypeScript
export { computed, defineModel, direct, exclusion, from, intersection, union } from './builder/defineModel';
export type {
  AnyRelation,
  ComputedRewrite,
  ConditionContext,
  ConditionDefinition,
  ConditionName,
  ConditionParamType,
  ConditionParamValue,
  ConditionScalarType,
  ConditionsOfDefinition,
  ConditionsSchema,
  DirectRewrite,
  DirectTarget,
  DirectTargetObject,
  DirectTargetString,
  ExclusionRewrite,
  FromRewrite,
  InferConditions,
  InferSchema,
  IntersectionRewrite,
  ModelDefinition,
  ObjectString,
  ObjectType,
  RelationOf,
  Rewrite,
  Schema,
  SchemaOfDefinition,
  TypedModel,
  UnionRewrite,
  UserString,
  ValidateDefinition,
} from './model/typed';

// tuples: OpenFGA's id rules
export {
  formatUser,
  isValidObjectId,
  isValidRelationName,
  isValidTypeName,
  parseObject,
  parseUser,
  tryParseObject,
  tryParseUser,
} from './tuples/ids';
export type { ObjectRef, UserRef } from './tuples/ids';

// conditions (CEL)
export { compileConditions, conditionMissingParametersError, diagnoseConditions } from './conditions/index';
export type {
  ConditionContextOf,
  ConditionJsonValue,
  ConditionRefValue,
  ConditionResult,
  ConditionSet,
} from './conditions/index';

// compiled model, tuple store and engine
export { compileModel } from './model/compile';
export type { CompiledModel } from './model/compile';
export { createTupleStore, TupleStore } from './store/index';
export type {
  ConditionContext as TupleConditionContext,
  RelationshipCondition,
  StoredCondition,
  TupleKey,
  TupleStoreOptions,
  TupleWrite,
  TupleWriteOptions,
} from './store/index';
export { createEvaluator, DEFAULT_MAX_DEPTH, renderExplanation } from './engine/index';
export type {
  BatchCheckItem,
  CheckRequest,
  CheckResult,
  ConditionEvaluator,
  ConditionOutcome,
  Evaluator,
  EvaluatorOptions,
  ExplainKind,
  ExplainNode,
  ExplainOutcome,
  Explanation,
  ListObjectsRequest,
  ListObjectsResult,
  ListUsersRequest,
  ListUsersResult,
  UserTypeFilter,
} from './engine/index';

// snapshots
export { applyChanges, createSnapshot } from './snapshot/index';
export type { Snapshot, SnapshotOptions } from './snapshot/index';

// authorizer: the object every service holds
export { createAuthorizer } from './authorizer/index';
export type {
  AtRevision,
  Authorizer,
  AuthorizerEvents,
  AuthorizerOperation,
  AuthorizerOptions,
  AuthorizerStatus,
  BatchCheckResult,
  CacheStats,
  ConsistencyOptions,
  DecisionCacheOptions,
  DecisionEvent,
  DecisionLogOptions,
  EvaluationErrorEvent,
  FreshEvent,
  ReadyOptions,
  RevisionStamp,
  SnapshotEvent,
  StaleEvent,
} from './authorizer/index';
