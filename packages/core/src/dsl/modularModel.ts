import { GatehouseError, type Diagnostic, type DiagnosticCode } from '../errors/index';
import type { AuthorizationModel, Condition, RelationMetadata, TypeDefinition, Userset } from '../model/types';
import { locateSafely, runParser, runValidation, toPlainModel, type DslAnalysis } from './analyzeDSL';
import { sortDiagnostics, syntaxDiagnostic } from './libraryDiagnostics';
import type { ModelSourceMap, Sited } from './locateDiagnostic';
import { outlineDSL, type ConditionSite, type DslOutline, type SourceSpan, type TypeSite } from './sourceOutline';
import { isLibraryErrorList, parseModFileWithLibrary, type LibraryModFile, type LibrarySyntaxError } from './syntaxTransformer';

/** One file of a modular model: `fga.mod` or a `.fga` module file. */
export interface ModularModelFile {
  /** The path, relative to the project (`fga.mod`, `core.fga`, `tracker/issues.fga`). */
  readonly name: string;
  /** The file's text. */
  readonly contents: string;
}

const MOD_FILE = 'fga.mod';

function normalizeName(name: string): string {
  return name.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

function diagnosticAt(code: DiagnosticCode, message: string, file: string, span?: SourceSpan, extra: Partial<Diagnostic> = {}): Diagnostic {
  return {
    code,
    message,
    severity: 'error',
    file,
    ...(span ? { line: { start: span.line, end: span.line }, column: { start: span.start, end: span.end } } : {}),
    ...extra,
  };
}

/** Maps a library `fga.mod` error onto the closest rule code. */
function modFileDiagnostic(error: LibrarySyntaxError, file: string): Diagnostic {
  const code: DiagnosticCode = error.msg.startsWith('missing schema')
    ? 'schema-version-required'
    : error.msg.startsWith('unsupported schema version')
      ? 'schema-version-unsupported'
      : error.msg.startsWith('unexpected schema type')
        ? 'invalid-schema'
        : 'invalid-syntax';
  return syntaxDiagnostic(error, file, code);
}

function requireFiles(files: unknown): readonly ModularModelFile[] {
  if (!Array.isArray(files)) {
    throw new GatehouseError('validation_error', `modular model files must be an array of { name, contents }, got ${typeof files}`);
  }
  files.forEach((file: unknown, index) => {
    const f = file as Partial<Record<'name' | 'contents', unknown>> | null;
    if (typeof f !== 'object' || f === null || typeof f.name !== 'string' || typeof f.contents !== 'string') {
      throw new GatehouseError('validation_error', `modular model file #${index} must be { name: string, contents: string }`);
    }
  });
  return files as readonly ModularModelFile[];
}

interface ModuleFileResult {
  readonly name: string;
  readonly outline: DslOutline;
  readonly types: readonly { readonly definition: TypeDefinition; readonly site?: TypeSite; readonly extension: boolean }[];
  readonly conditions: readonly Condition[];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Reads a modular model: an `fga.mod` (`schema: '1.2'` and a `contents` list of `.fga` files) and
 * the module files it lists (`module x`, `type`, `extend type`, conditions). Files are merged the
 * way the OpenFGA CLI merges them: types and conditions carry `module` and `source_info.file`, and
 * `extend type` adds relations to a type declared in another file. Then the combined model is
 * validated, and every diagnostic names the file it is in. Files that `fga.mod` does not list are
 * ignored, as the CLI ignores them.
 */
export function analyzeModularModel(input: unknown): DslAnalysis {
  const files = requireFiles(input).map((f) => ({ name: normalizeName(f.name), contents: f.contents }));
  const diagnostics: Diagnostic[] = [];
  let syntaxError = false;

  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.name)) diagnostics.push(diagnosticAt('duplicated-error', `the file '${file.name}' is given more than once.`, file.name, undefined, { symbol: file.name }));
    seen.add(file.name);
  }

  const modFiles = files.filter((f) => baseName(f.name) === MOD_FILE);
  const modFile = modFiles[0];
  if (!modFile) {
    diagnostics.push(
      diagnosticAt('schema-version-required', `a modular model needs an ${MOD_FILE} file with \`schema: '1.2'\` and a \`contents\` list of .fga files.`, MOD_FILE),
    );
    return { diagnostics, syntaxError: true };
  }
  for (const extra of modFiles.slice(1)) {
    diagnostics.push(diagnosticAt('duplicated-error', `a modular model has one ${MOD_FILE}; '${extra.name}' is a second one.`, extra.name));
  }

  let mod: LibraryModFile;
  try {
    mod = parseModFileWithLibrary(modFile.contents);
  } catch (error) {
    if (!isLibraryErrorList(error)) {
      throw new GatehouseError('internal', `internal error: reading ${modFile.name} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    diagnostics.push(...error.errors.map((e) => modFileDiagnostic(e, modFile.name)));
    return { diagnostics: sortDiagnostics(diagnostics), syntaxError: true };
  }

  // `contents` entries are relative to the directory of fga.mod.
  const directory = modFile.name.includes('/') ? modFile.name.slice(0, modFile.name.lastIndexOf('/') + 1) : '';
  const byName = new Map(files.map((f) => [f.name, f]));
  const moduleFiles: ModularModelFile[] = [];
  for (const entry of mod.contents.value) {
    const path = normalizeName(directory + normalizeName(entry.value));
    const file = byName.get(path);
    if (!file) {
      diagnostics.push(
        diagnosticAt('missing-definition', `'${entry.value}' is listed in ${MOD_FILE} but no such file was given.`, modFile.name, {
          line: entry.line.start,
          start: entry.column.start,
          end: entry.column.end,
        }, { symbol: entry.value }),
      );
      continue;
    }
    if (!moduleFiles.includes(file)) moduleFiles.push(file);
  }
  // A model missing one of its files would only produce misleading follow-up errors.
  if (diagnostics.length > 0) return { diagnostics: sortDiagnostics(diagnostics, files.map((f) => f.name)), syntaxError: false };

  const results: ModuleFileResult[] = [];
  for (const file of moduleFiles) {
    const parsed = runParser(file.contents, file.name);
    if (parsed.errors.length > 0) {
      syntaxError = true;
      diagnostics.push(...parsed.errors.map((e) => syntaxDiagnostic(e, file.name)));
      continue;
    }
    const outline = outlineDSL(file.contents);
    if (outline.header?.kind !== 'module') {
      syntaxError = true;
      diagnostics.push(
        diagnosticAt('invalid-syntax', `'${file.name}' is not a module: a file of a modular model starts with \`module <name>\`, not a model header.`, file.name, outline.header?.keywordSpan),
      );
      continue;
    }
    const model = toPlainModel(parsed.model);
    const types = model.type_definitions.map((definition, index) => {
      const candidate = outline.types[index];
      const site = candidate?.name === definition.type ? candidate : outline.types.find((t) => t.name === definition.type);
      return { definition, ...(site ? { site } : {}), extension: site?.extension ?? parsed.extendedTypes.has(definition.type) };
    });
    results.push({ name: file.name, outline, types, conditions: Object.values(model.conditions ?? {}) });
  }

  if (syntaxError) return { diagnostics: sortDiagnostics(diagnostics, files.map((f) => f.name)), syntaxError: true };

  const merged = mergeModules(results, mod.schema.value, diagnostics);
  const validation = runValidation(merged.model).map((d) => locateSafely(d, merged.sources, merged.model));
  return {
    model: merged.model,
    diagnostics: sortDiagnostics([...diagnostics, ...validation], files.map((f) => f.name)),
    syntaxError: false,
  };
}

function mergeModules(
  results: readonly ModuleFileResult[],
  schemaVersion: string,
  diagnostics: Diagnostic[],
): { model: AuthorizationModel; sources: ModelSourceMap } {
  const typeDefinitions: Mutable<TypeDefinition>[] = [];
  const typeSites: (Sited<TypeSite> | undefined)[] = [];
  const extensionSites = new Map<string, Sited<TypeSite>[]>();
  const conditions = new Map<string, Condition>();
  const conditionSites = new Map<string, Sited<ConditionSite>>();

  for (const result of results) {
    for (const { definition, site, extension } of result.types) {
      if (extension) continue;
      typeDefinitions.push({ ...definition, metadata: { ...definition.metadata, source_info: { file: result.name } } });
      typeSites.push(site ? { file: result.name, site } : undefined);
    }
    for (const condition of result.conditions) {
      const site = result.outline.conditions.find((c) => c.name === condition.name);
      if (conditions.has(condition.name)) {
        diagnostics.push(
          diagnosticAt('duplicated-error', `the condition \`${condition.name}\` is defined in more than one file.`, result.name, site?.nameSpan, {
            condition: condition.name,
            symbol: condition.name,
          }),
        );
        continue;
      }
      conditions.set(condition.name, { ...condition, metadata: { ...condition.metadata, source_info: { file: result.name } } });
      if (site) conditionSites.set(condition.name, { file: result.name, site });
    }
  }

  // Extensions are applied after every file is read, so a file may extend a type declared later.
  for (const result of results) {
    for (const { definition, site, extension } of result.types) {
      if (!extension) continue;
      if (site) extensionSites.set(definition.type, [...(extensionSites.get(definition.type) ?? []), { file: result.name, site }]);
      const index = typeDefinitions.findIndex((t) => t.type === definition.type);
      const original = typeDefinitions[index];
      if (!original) {
        diagnostics.push(
          diagnosticAt('invalid-type', `the extended type \`${definition.type}\` is not declared in any module.`, result.name, site?.nameSpan, {
            type: definition.type,
            symbol: definition.type,
          }),
        );
        continue;
      }
      const relations: Record<string, Userset> = { ...original.relations };
      const metadata: Record<string, RelationMetadata> = { ...(original.metadata?.relations ?? {}) };
      for (const [name, rewrite] of Object.entries(definition.relations ?? {})) {
        if (name in relations) {
          const relationSite = site?.relations.find((r) => r.name === name);
          diagnostics.push(
            diagnosticAt('duplicated-error', `the relation \`${name}\` already exists on type \`${definition.type}\`.`, result.name, relationSite?.nameSpan, {
              type: definition.type,
              relation: name,
              symbol: name,
            }),
          );
          continue;
        }
        relations[name] = rewrite;
        metadata[name] = { ...definition.metadata?.relations?.[name], source_info: { file: result.name } };
      }
      typeDefinitions[index] = {
        ...original,
        relations,
        metadata: { ...original.metadata, relations: Object.keys(metadata).length > 0 ? metadata : undefined },
      };
    }
  }

  const model = toPlainModel({
    schema_version: schemaVersion,
    type_definitions: typeDefinitions,
    conditions: Object.fromEntries(conditions),
  });
  return {
    model,
    sources: { types: typeSites, extensions: extensionSites, conditions: conditionSites, header: {} },
  };
}
