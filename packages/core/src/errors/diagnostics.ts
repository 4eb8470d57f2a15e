/**
 * The problem codes of model validation. They are openfga/language's kebab-case vocabulary, so a
 * diagnostic from Gatehouse names the same rule an OpenFGA tool would.
 */
export type DiagnosticCode =
  | 'invalid-syntax'
  | 'schema-version-required'
  | 'schema-version-unsupported'
  | 'invalid-schema'
  | 'reserved-type-keywords'
  | 'reserved-relation-keywords'
  | 'self-error'
  | 'invalid-name'
  | 'missing-definition'
  | 'invalid-relation-type'
  | 'invalid-relation-on-tupleset'
  | 'invalid-type'
  | 'relation-no-entry-point'
  | 'tupleuserset-not-direct'
  | 'duplicated-error'
  | 'assignable-relation-must-have-type'
  | 'type-wildcard-relation'
  | 'condition-not-defined'
  | 'condition-not-used'
  | 'different-nested-condition-name'
  | 'multiple-modules-in-file'
  | 'invalid-condition'
  | 'invalid-json';

/** Where a problem is: a line/column range in DSL text (0-based, like OpenFGA) or a path into JSON. */
export interface DiagnosticLocation {
  /** 0-based line range in the source text. */
  readonly line?: { readonly start: number; readonly end: number };
  /** 0-based column range in the source text. */
  readonly column?: { readonly start: number; readonly end: number };
  /** The file the problem is in, for modular models. */
  readonly file?: string;
}

/**
 * One problem found in a model, as plain data. Validation reports every diagnostic at once;
 * rendering is left to {@link formatDiagnostics}.
 */
export interface Diagnostic extends DiagnosticLocation {
  /** Stable rule code (openfga/language vocabulary). */
  readonly code: DiagnosticCode;
  /** Human-readable description. */
  readonly message: string;
  /** `error` diagnostics make a model invalid; `warning`s do not. */
  readonly severity: 'error' | 'warning';
  /** JSON path of the offending part of the model, e.g. `["type_definitions", 2, "relations", "viewer"]`. */
  readonly path?: readonly (string | number)[];
  /** The offending identifier or token. */
  readonly symbol?: string;
  /** The type the problem is in, when there is one. */
  readonly type?: string;
  /** The relation the problem is in, when there is one. */
  readonly relation?: string;
  /** The condition the problem is in, when there is one. */
  readonly condition?: string;
  /** The module the problem is in, for modular models. */
  readonly module?: string;
}

/**
 * Renders diagnostics one per line as `file:line:col code message` (1-based line/column, as
 * editors expect), or `path code message` when only a JSON path is known.
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], fileName?: string): string {
  return diagnostics.map((d) => formatDiagnostic(d, fileName)).join('\n');
}

function formatDiagnostic(d: Diagnostic, fileName?: string): string {
  const file = d.file ?? fileName;
  let where = '';
  if (d.line) {
    where = `${file ? `${file}:` : ''}${d.line.start + 1}:${(d.column?.start ?? 0) + 1}`;
  } else if (d.path && d.path.length > 0) {
    where = `${file ? `${file}:` : ''}${formatPath(d.path)}`;
  } else if (file) {
    where = file;
  }
  return `${where ? `${where} ` : ''}${d.code} ${d.message}`;
}

/** Renders a JSON path as `type_definitions[2].relations.viewer`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}
