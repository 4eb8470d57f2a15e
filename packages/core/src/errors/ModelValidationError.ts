import type { Diagnostic } from './diagnostics';
import { formatDiagnostics } from './diagnostics';
import { GatehouseError } from './GatehouseError';

/**
 * Thrown when a model (JSON or DSL) is invalid. It holds every problem found, not just the first.
 * `code` is `invalid_dsl` for syntax errors and `invalid_authorization_model` otherwise.
 */
export class ModelValidationError extends GatehouseError {
  /** Every problem found, in source order. */
  readonly diagnostics: readonly Diagnostic[];

  constructor(
    diagnostics: readonly Diagnostic[],
    options: { readonly code?: 'invalid_dsl' | 'invalid_authorization_model'; readonly fileName?: string } = {},
  ) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const count = errors.length;
    super(
      options.code ?? 'invalid_authorization_model',
      `invalid authorization model: ${count} problem${count === 1 ? '' : 's'}\n${formatDiagnostics(errors, options.fileName)}`,
    );
    this.name = 'ModelValidationError';
    this.diagnostics = diagnostics;
  }
}

/** The result of a `safe*` API: a value, or the diagnostics that prevented it. */
export type SafeResult<T> =
  | { readonly ok: true; readonly value: T; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };
