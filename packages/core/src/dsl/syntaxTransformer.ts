/**
 * The one place that touches `@openfga/syntax-transformer`. Its declarations import types from
 * `@openfga/sdk`, which is not installed, so they resolve to `any`; each function is re-declared
 * here with a narrow local signature and everything it returns is treated as untrusted data.
 *
 * The modules are imported by path rather than through the package root: the root also loads the
 * library's validator and store loader (ajv and more, about 170 kB minified) that Gatehouse does not
 * use, because semantic validation is Gatehouse's own. The version is pinned exactly in
 * package.json, so these paths cannot move under us.
 */
import * as dslToJson from '@openfga/syntax-transformer/dist/transformer/dsltojson.js';
import * as jsonToDsl from '@openfga/syntax-transformer/dist/transformer/jsontodsl.js';
import * as modToJson from '@openfga/syntax-transformer/dist/transformer/modules/mod-to-json.js';

/** A 0-based line or column range as the library reports it. */
export interface LibraryRange {
  readonly start: number;
  readonly end: number;
}

/** One syntax error from the ANTLR parser or from the listener that builds the JSON. */
export interface LibrarySyntaxError {
  readonly line?: LibraryRange;
  readonly column?: LibraryRange;
  readonly msg: string;
  readonly metadata?: { readonly symbol?: string };
}

/** What one parse produces: the model built so far (untrusted) and every syntax error. */
export interface LibraryParseResult {
  /** The JSON model the listener built. Partial when there are syntax errors. */
  readonly model: unknown;
  /** Types declared with `extend type`, by name. */
  readonly extendedTypes: ReadonlySet<string>;
  /** Syntax errors in source order. */
  readonly errors: readonly LibrarySyntaxError[];
}

interface RawParse {
  readonly listener: { readonly authorizationModel: unknown; readonly typeDefExtensions: ReadonlyMap<string, unknown> };
  readonly errorListener: { readonly errors: readonly LibrarySyntaxError[] };
}

const rawParse: (source: string) => RawParse = dslToJson.parseDSL;

/** Parses DSL text. Syntax errors are returned, not thrown. */
export function parseWithLibrary(source: string): LibraryParseResult {
  const { listener, errorListener } = rawParse(source);
  return {
    model: listener.authorizationModel,
    extendedTypes: new Set(listener.typeDefExtensions.keys()),
    errors: [...errorListener.errors],
  };
}

/** Options of the library's JSON-to-DSL printer. */
export interface LibraryPrintOptions {
  /** Append `# module: x, file: y` comments (modular models). */
  readonly includeSourceInformation?: boolean;
}

const rawPrint: (model: never, options?: LibraryPrintOptions) => string = jsonToDsl.transformJSONToDSL;

/**
 * Prints a JSON model as DSL. The library mutates its input (it reorders union children and sorts
 * modular types in place), so callers must pass a private copy.
 */
export function printWithLibrary(model: object, options?: LibraryPrintOptions): string {
  return rawPrint(model as never, options);
}

/** One `fga.mod` property with its position. */
export interface LibraryModFileProperty<T> {
  readonly value: T;
  readonly line: LibraryRange;
  readonly column: LibraryRange;
}

/** A parsed `fga.mod`. */
export interface LibraryModFile {
  readonly schema: LibraryModFileProperty<string>;
  readonly contents: LibraryModFileProperty<readonly LibraryModFileProperty<string>[]>;
}

const rawModFile: (contents: string) => LibraryModFile = modToJson.transformModFileToJSON;

/** Parses an `fga.mod` file; throws the library's multi-error on problems. */
export function parseModFileWithLibrary(contents: string): LibraryModFile {
  return rawModFile(contents);
}

/** The shape of the library's collected errors (`errors: [{ msg, line, column }]`). */
export interface LibraryErrorList {
  readonly errors: readonly LibrarySyntaxError[];
}

/** True when `value` is one of the library's multi-errors (`DSLSyntaxError`, `FGAModFileValidationError`...). */
export function isLibraryErrorList(value: unknown): value is LibraryErrorList {
  if (!(value instanceof Error)) return false;
  const errors: unknown = (value as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.every((e) => typeof e === 'object' && e !== null && typeof (e as { msg?: unknown }).msg === 'string');
}
