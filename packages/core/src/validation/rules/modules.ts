import type { Diagnostic } from '../../errors/index';
import { problem, type JsonPath, type ModelRule } from '../context';

/**
 * `multiple-modules-in-file`: in a modular model, every type, relation (`extend type`) and
 * condition written in one file belongs to the same module, or the model cannot be written back
 * as DSL files.
 */
export const modulesPerFile: ModelRule = (ctx) => {
  // Per file: its modules in first-seen order (types, then relations, then conditions, as OpenFGA
  // lists them), and where the first declaration of a second module is.
  const files = new Map<string, { modules: string[]; conflictAt?: JsonPath }>();
  const record = (file: string | undefined, module: string | undefined, path: JsonPath) => {
    if (!file || !module) return;
    let entry = files.get(file);
    if (!entry) {
      entry = { modules: [] };
      files.set(file, entry);
    }
    if (entry.modules.includes(module)) return;
    entry.modules.push(module);
    entry.conflictAt ??= entry.modules.length > 1 ? path : undefined;
  };

  for (const type of ctx.types) record(type.file, type.module, [...type.path, 'metadata', 'module']);
  for (const type of ctx.types) {
    for (const relation of type.relations.values()) {
      record(relation.file, relation.module, ['type_definitions', type.index, 'metadata', 'relations', relation.name, 'module']);
    }
  }
  for (const [key, condition] of ctx.conditions) {
    record(condition?.metadata?.source_info?.file, condition?.metadata?.module, ['conditions', key, 'metadata', 'module']);
  }

  const out: Diagnostic[] = [];
  for (const [file, { modules, conflictAt }] of files) {
    if (modules.length < 2) continue;
    out.push(
      problem(
        'multiple-modules-in-file',
        `file ${file} would contain multiple module definitions (${modules.join(', ')}) when transforming to DSL. Only one module can be defined per file.`,
        { path: conflictAt ?? [], symbol: file, file },
      ),
    );
  }
  return out;
};
