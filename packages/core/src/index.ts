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
