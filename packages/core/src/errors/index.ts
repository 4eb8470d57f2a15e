export { ERROR_CODES, httpStatusOf, openfgaCodeOf } from './codes';
export type { GatehouseErrorCode } from './codes';
export { GatehouseError, isGatehouseError, toGatehouseError } from './GatehouseError';
export type { GatehouseErrorOptions } from './GatehouseError';
export { ModelValidationError } from './ModelValidationError';
export type { SafeResult } from './ModelValidationError';
export { formatDiagnostics, formatPath } from './diagnostics';
export type { Diagnostic, DiagnosticCode, DiagnosticLocation } from './diagnostics';
