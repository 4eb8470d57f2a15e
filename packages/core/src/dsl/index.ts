/**
 * `@gatehouse/core/dsl`: the OpenFGA DSL front end. It parses `.fga` text (and modular models:
 * `fga.mod` plus module files) into the JSON `AuthorizationModel`, reports every syntax and
 * semantic problem at once with its line and column, and prints JSON models back as DSL.
 *
 * It is a separate entry point because the parser (ANTLR) is large; services that only load JSON
 * models import `@gatehouse/core` and never load it.
 *
 * @packageDocumentation
 */
import { ModelValidationError, type Diagnostic, type SafeResult } from '../errors/index';
import type { AuthorizationModel } from '../model/types';
import { analyzeDSL, guarded, requireText, type DslAnalysis } from './analyzeDSL';
import { analyzeModularModel, type ModularModelFile } from './modularModel';

export { printDSL } from './printDSL';
export type { PrintDSLOptions } from './printDSL';
export type { ModularModelFile } from './modularModel';

/** Options of {@link parseDSL}, {@link safeParseDSL} and {@link validateDSL}. */
export interface ParseDSLOptions {
  /** The file name to put in diagnostics (`file`) and error messages. */
  readonly fileName?: string;
  /**
   * Run semantic validation. Default `true`. With `false` only syntax is checked and the model is
   * returned even when it is semantically invalid, like OpenFGA's `transformDSLToJSON`; use it for
   * tooling that converts models, never for a model you are about to enforce.
   */
  readonly validate?: boolean;
}

function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

function toSafeResult(analysis: DslAnalysis): SafeResult<AuthorizationModel> {
  if (!analysis.model || hasErrors(analysis.diagnostics)) return { ok: false, diagnostics: analysis.diagnostics };
  return { ok: true, value: analysis.model, warnings: analysis.diagnostics };
}

function unwrap(analysis: DslAnalysis, fileName?: string): AuthorizationModel {
  if (!analysis.model || hasErrors(analysis.diagnostics)) {
    throw new ModelValidationError(analysis.diagnostics, {
      code: analysis.syntaxError ? 'invalid_dsl' : 'invalid_authorization_model',
      ...(fileName !== undefined ? { fileName } : {}),
    });
  }
  return analysis.model;
}

function analyze(source: unknown, options: ParseDSLOptions | undefined): DslAnalysis {
  return guarded(() => analyzeDSL(requireText(source, 'DSL source'), options?.fileName, options?.validate !== false));
}

function analyzeModular(files: unknown): DslAnalysis {
  return guarded(() => analyzeModularModel(files));
}

/**
 * Parses OpenFGA DSL text into a JSON authorization model and validates it.
 *
 * Every problem is reported at once, each with a 0-based line and column (the positions OpenFGA's
 * own tools report). Syntax errors stop before semantic validation, as in OpenFGA.
 *
 * @param source - The DSL text (`model` / `schema 1.1` header, `type`s, `condition`s).
 * @param options - See {@link ParseDSLOptions}.
 * @returns The model, equal to what `fga model transform` produces.
 * @throws ModelValidationError with code `invalid_dsl` when the text has syntax errors, or
 *   `invalid_authorization_model` when it parses but the model is invalid; `diagnostics` holds
 *   every problem. GatehouseError `validation_error` when `source` is not a string.
 * @example
 * ```ts
 * import { parseDSL } from '@gatehouse/core/dsl';
 *
 * const model = parseDSL(`model
 *   schema 1.1
 * type user
 * type document
 *   relations
 *     define viewer: [user]
 * `);
 * model.type_definitions.map((t) => t.type); // ['user', 'document']
 * ```
 */
export function parseDSL(source: string, options?: ParseDSLOptions): AuthorizationModel {
  return unwrap(analyze(source, options), options?.fileName);
}

/**
 * Like {@link parseDSL}, but returns the problems instead of throwing them.
 *
 * @param source - The DSL text.
 * @param options - See {@link ParseDSLOptions}.
 * @returns `{ ok: true, value, warnings }`, or `{ ok: false, diagnostics }` with every problem.
 * @throws GatehouseError `validation_error` when `source` is not a string; `internal` on a bug.
 * @example
 * ```ts
 * import { formatDiagnostics } from '@gatehouse/core';
 * import { safeParseDSL } from '@gatehouse/core/dsl';
 *
 * const result = safeParseDSL('model\n  schema 1.1\ntype user\n', { fileName: 'model.fga' });
 * if (!result.ok) throw new Error(formatDiagnostics(result.diagnostics));
 * ```
 */
export function safeParseDSL(source: string, options?: ParseDSLOptions): SafeResult<AuthorizationModel> {
  return toSafeResult(analyze(source, options));
}

/**
 * Checks OpenFGA DSL text and returns every diagnostic (errors and warnings), in source order.
 *
 * @param source - The DSL text.
 * @param options - See {@link ParseDSLOptions}.
 * @returns The diagnostics; `[]` when the model is valid.
 * @throws GatehouseError `validation_error` when `source` is not a string; `internal` on a bug.
 * @example
 * ```ts
 * validateDSL('model\n  schema 1.1\ntype user\ntype user\n');
 * // [{ code: 'duplicated-error', line: { start: 2, end: 2 }, column: { start: 5, end: 9 }, ... }]
 * ```
 */
export function validateDSL(source: string, options?: ParseDSLOptions): Diagnostic[] {
  return [...analyze(source, options).diagnostics];
}

/**
 * Parses a modular model: an `fga.mod` file (`schema: '1.2'` and a `contents` list) and the `.fga`
 * module files it lists (`module name`, `type`, `extend type`, `condition`). The files are merged
 * as the OpenFGA CLI merges them (types and conditions record `module` and `source_info.file`) and
 * the combined model is validated. Every diagnostic names its `file`.
 *
 * @param files - All files, `fga.mod` included; names are paths relative to the project, and
 *   `contents` entries are resolved relative to the directory of `fga.mod`. Files it does not list
 *   are ignored, as the OpenFGA CLI ignores them.
 * @returns The combined model (schema 1.2).
 * @throws ModelValidationError `invalid_dsl` for syntax errors or a bad `fga.mod`,
 *   `invalid_authorization_model` for merge and semantic problems. GatehouseError
 *   `validation_error` when `files` is not an array of `{ name, contents }` strings.
 * @example
 * ```ts
 * const model = parseModularModel([
 *   { name: 'fga.mod', contents: "schema: '1.2'\ncontents:\n  - core.fga\n  - docs.fga\n" },
 *   { name: 'core.fga', contents: 'module core\n\ntype user\n\ntype org\n  relations\n    define member: [user]\n' },
 *   { name: 'docs.fga', contents: 'module docs\n\nextend type org\n  relations\n    define viewer: member\n' },
 * ]);
 * ```
 */
export function parseModularModel(files: readonly ModularModelFile[]): AuthorizationModel {
  return unwrap(analyzeModular(files));
}

/**
 * Like {@link parseModularModel}, but returns the problems instead of throwing them.
 *
 * @param files - All files, `fga.mod` included.
 * @returns `{ ok: true, value, warnings }`, or `{ ok: false, diagnostics }`.
 * @throws GatehouseError `validation_error` when `files` has the wrong shape; `internal` on a bug.
 * @example
 * ```ts
 * // `files` as in the parseModularModel example
 * const result = safeParseModularModel(files);
 * const problems = result.ok ? [] : result.diagnostics.map((d) => `${d.file}:${(d.line?.start ?? 0) + 1} ${d.message}`);
 * ```
 */
export function safeParseModularModel(files: readonly ModularModelFile[]): SafeResult<AuthorizationModel> {
  return toSafeResult(analyzeModular(files));
}

/**
 * Checks a modular model and returns every diagnostic, each naming its `file`.
 *
 * @param files - All files, `fga.mod` included.
 * @returns The diagnostics; `[]` when the model is valid.
 * @throws GatehouseError `validation_error` when `files` has the wrong shape; `internal` on a bug.
 * @example
 * ```ts
 * const problems = validateModularModel(files).filter((d) => d.severity === 'error');
 * ```
 */
export function validateModularModel(files: readonly ModularModelFile[]): Diagnostic[] {
  return [...analyzeModular(files).diagnostics];
}
