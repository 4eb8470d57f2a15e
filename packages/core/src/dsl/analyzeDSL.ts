import { GatehouseError, isGatehouseError, type Diagnostic } from '../errors/index';
import type { AuthorizationModel } from '../model/types';
import { validateModel } from '../validation/validateModel';
import { sortDiagnostics, syntaxDiagnostic } from './libraryDiagnostics';
import { locateDiagnostic, type ModelSourceMap, type Sited } from './locateDiagnostic';
import { outlineDSL, stripComments, type ConditionSite, type DslOutline } from './sourceOutline';
import { parseWithLibrary, type LibraryParseResult, type LibrarySyntaxError } from './syntaxTransformer';

/** The outcome of reading DSL text: a model when it parsed, and every diagnostic. */
export interface DslAnalysis {
  /** The parsed model; absent when there were syntax errors. */
  readonly model?: AuthorizationModel;
  /** Every problem, located, in source order. */
  readonly diagnostics: readonly Diagnostic[];
  /** True when any diagnostic is a syntax error (the error code is then `invalid_dsl`). */
  readonly syntaxError: boolean;
}

/** The API boundary: anything thrown that is not a GatehouseError is a bug, reported as `internal`. */
export function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (isGatehouseError(error)) throw error;
    throw new GatehouseError('internal', `internal error in the DSL front end: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Rejects non-string input up front: the parser would otherwise fail on it with a TypeError. */
export function requireText(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new GatehouseError('validation_error', `${what} must be a string, got ${value === null ? 'null' : typeof value}`);
  }
  return value;
}

/**
 * How deeply a relation definition may nest parentheses. The ANTLR parser's prediction time grows
 * faster than linearly with redundant nesting (measured: `((…(a)…))` 32 deep takes ~0.1 s, 128 deep
 * ~1.5 s, thousands overflow the stack), so deeper text is refused before parsing. Real models
 * stay in single digits.
 */
export const MAX_REWRITE_NESTING = 25;

function nestingErrors(source: string): LibrarySyntaxError[] {
  const errors: LibrarySyntaxError[] = [];
  stripComments(source).forEach((line, index) => {
    // Rewrites are single-line `define` statements; condition bodies (CEL) are not recursive rules.
    if (!/^\s*define\s/.test(line)) return;
    let depth = 0;
    for (let column = 0; column < line.length; column++) {
      const ch = line[column];
      if (ch === ')') depth--;
      if (ch !== '(' || ++depth <= MAX_REWRITE_NESTING) continue;
      errors.push({
        line: { start: index, end: index },
        column: { start: column, end: column + 1 },
        msg: `parentheses nested deeper than ${MAX_REWRITE_NESTING} levels`,
        metadata: { symbol: '(' },
      });
      return;
    }
  });
  return errors;
}

/** Runs the library parser; anything it throws is a bug there or here, never a user error. */
export function runParser(source: string, file?: string): LibraryParseResult {
  const tooDeep = nestingErrors(source);
  if (tooDeep.length > 0) return { model: undefined, extendedTypes: new Set(), errors: tooDeep };
  try {
    return parseWithLibrary(source);
  } catch (error) {
    throw new GatehouseError('internal', `internal error: the DSL parser failed${file ? ` on ${file}` : ''}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/**
 * Turns the listener's JSON into a plain model: drops `undefined` properties (the listener leaves
 * some) and always has `type_definitions` (the listener omits an empty list). `schema_version` is
 * kept absent when the source had none (a lone module file), so validation reports it.
 */
export function toPlainModel(raw: unknown): AuthorizationModel {
  const plain: unknown = raw === undefined ? {} : JSON.parse(JSON.stringify(raw));
  const record = (typeof plain === 'object' && plain !== null ? plain : {}) as Record<string, unknown>;
  const model: unknown = { ...record, type_definitions: Array.isArray(record.type_definitions) ? record.type_definitions : [] };
  return model as AuthorizationModel;
}

/** Runs semantic validation; a failure inside it must not pass for "no problems". */
export function runValidation(model: AuthorizationModel): Diagnostic[] {
  try {
    return validateModel(model);
  } catch (error) {
    throw new GatehouseError('internal', `internal error: model validation failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

/** The source map of a single DSL file: its i-th type declaration is `type_definitions[i]`. */
export function singleFileSources(outline: DslOutline, file?: string): ModelSourceMap {
  const sited = <T>(site: T): Sited<T> => (file !== undefined ? { file, site } : { site });
  const conditions = new Map<string, Sited<ConditionSite>>();
  for (const condition of outline.conditions) if (!conditions.has(condition.name)) conditions.set(condition.name, sited(condition));
  return {
    types: outline.types.map(sited),
    extensions: new Map(),
    conditions,
    header: { ...(file !== undefined ? { file } : {}), ...(outline.header ? { site: outline.header } : {}) },
  };
}

/**
 * Parses and validates one DSL text, reporting every problem with its position. With
 * `validate: false` only syntax is checked, as OpenFGA's DSL-to-JSON transform does.
 */
export function analyzeDSL(source: string, file?: string, validate = true): DslAnalysis {
  const parsed = runParser(source, file);
  if (parsed.errors.length > 0) {
    return { diagnostics: sortDiagnostics(parsed.errors.map((e) => syntaxDiagnostic(e, file))), syntaxError: true };
  }
  const model = toPlainModel(parsed.model);
  if (!validate) return { model, diagnostics: [], syntaxError: false };
  const found = runValidation(model);
  if (found.length === 0) return { model, diagnostics: [], syntaxError: false };
  const sources = singleFileSources(outlineDSL(source), file);
  const diagnostics = found.map((d) => {
    const located = locateSafely(d, sources, model);
    return file !== undefined && located.file === undefined ? { ...located, file } : located;
  });
  return { model, diagnostics: sortDiagnostics(diagnostics), syntaxError: false };
}

/**
 * Locates a diagnostic, keeping it unlocated if locating fails: a position is a convenience, and
 * losing the problem itself to a locator bug would let an invalid model through.
 */
export function locateSafely(diagnostic: Diagnostic, sources: ModelSourceMap, model: AuthorizationModel): Diagnostic {
  try {
    return locateDiagnostic(diagnostic, sources, model);
  } catch {
    return diagnostic;
  }
}
