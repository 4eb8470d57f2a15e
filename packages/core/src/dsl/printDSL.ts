import { GatehouseError } from '../errors/index';
import type { AuthorizationModel } from '../model/types';
import { guarded, MAX_REWRITE_NESTING, runParser } from './analyzeDSL';
import { printWithLibrary } from './syntaxTransformer';

/** Options of {@link printDSL}. */
export interface PrintDSLOptions {
  /**
   * Append `# module: x, file: y` comments to types, relations and conditions of a modular model,
   * as `fga model get` does. Default `false`.
   */
  readonly includeSourceInformation?: boolean;
}

// Names must lex as one DSL identifier; these words are tokens of their own and never names.
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$|^[A-Za-z_][A-Za-z0-9_]*(?:[/.-][A-Za-z0-9_]+)*$/;
const KEYWORDS = new Set(['and', 'or', 'from', 'with', 'define', 'relations', 'condition', 'in', 'true', 'false', 'null']);
const USERSET_KEYS = ['this', 'computedUserset', 'tupleToUserset', 'union', 'intersection', 'difference'] as const;

function fail(message: string, cause?: unknown): never {
  throw new GatehouseError('validation_error', message, cause === undefined ? {} : { cause });
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && NAME.test(value) && !KEYWORDS.has(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function relationError(type: string, relation: string, reason: string): never {
  return fail(`cannot print relation '${relation}' of type '${type}' as DSL: ${reason}`);
}

/** Checks a userset deeply enough that the printer cannot emit `undefined` or half a rewrite. */
function checkUserset(type: string, relation: string, node: unknown, depth = 0): void {
  if (!isRecord(node)) relationError(type, relation, 'a rewrite is not an object');
  if (depth > MAX_REWRITE_NESTING) relationError(type, relation, `rewrites nest deeper than ${MAX_REWRITE_NESTING} levels`);
  const keys = USERSET_KEYS.filter((k) => node[k] !== undefined && node[k] !== null);
  if (keys.length !== 1) {
    relationError(type, relation, `each rewrite needs exactly one of ${USERSET_KEYS.join(', ')} (found ${keys.length === 0 ? 'none' : keys.join(', ')})`);
  }
  const key = keys[0];
  const value = node[key as string];
  switch (key) {
    case 'this':
      return;
    case 'computedUserset':
      if (!isRecord(value) || !isName(value.relation)) relationError(type, relation, 'a computed userset needs a relation name');
      return;
    case 'tupleToUserset':
      if (!isRecord(value) || !isRecord(value.tupleset) || !isRecord(value.computedUserset) || !isName(value.tupleset.relation) || !isName(value.computedUserset.relation)) {
        relationError(type, relation, "a tuple-to-userset (`x from y`) needs both relation names");
      }
      return;
    case 'union':
    case 'intersection': {
      const child = isRecord(value) ? value.child : undefined;
      if (!Array.isArray(child) || child.length === 0) relationError(type, relation, `a ${key} needs at least one child`);
      for (const c of child) checkUserset(type, relation, c, depth + 1);
      return;
    }
    case 'difference':
      if (!isRecord(value)) relationError(type, relation, 'a difference needs a base and a subtract');
      checkUserset(type, relation, value.base, depth + 1);
      checkUserset(type, relation, value.subtract, depth + 1);
      return;
    default:
      return;
  }
}

function countThis(node: unknown): number {
  if (!isRecord(node)) return 0;
  if (node.this !== undefined && node.this !== null) return 1;
  const children: unknown[] = [];
  for (const k of ['union', 'intersection'] as const) {
    const v = node[k];
    if (isRecord(v) && Array.isArray(v.child)) children.push(...v.child);
  }
  const diff = node.difference;
  if (isRecord(diff)) children.push(diff.base, diff.subtract);
  return children.reduce<number>((n, c) => n + countThis(c), 0);
}

function checkModel(model: unknown): asserts model is AuthorizationModel {
  if (!isRecord(model)) fail('printDSL: the model must be an object');
  if (model.schema_version !== undefined && (typeof model.schema_version !== 'string' || !/^\d+\.\d+$/.test(model.schema_version))) {
    fail(`printDSL: schema_version must look like '1.1', got ${JSON.stringify(model.schema_version)}`);
  }
  const types = model.type_definitions ?? [];
  if (!Array.isArray(types)) fail('printDSL: type_definitions must be an array');
  types.forEach((td: unknown, index) => {
    if (!isRecord(td) || !isName(td.type)) fail(`printDSL: type_definitions[${index}] has no valid type name (${isRecord(td) ? JSON.stringify(td.type) : 'not an object'})`);
    const relations = td.relations ?? {};
    if (!isRecord(relations)) fail(`printDSL: the relations of type '${td.type}' must be an object`);
    const metadata = isRecord(td.metadata) && isRecord(td.metadata.relations) ? td.metadata.relations : {};
    for (const [name, rewrite] of Object.entries(relations)) {
      if (!isName(name)) fail(`printDSL: type '${td.type}' has a relation named ${JSON.stringify(name)}, which is not a DSL identifier`);
      checkUserset(td.type, name, rewrite);
      const meta = metadata[name];
      const direct = isRecord(meta) && Array.isArray(meta.directly_related_user_types) ? meta.directly_related_user_types : [];
      if (countThis(rewrite) > 0 && direct.length === 0) {
        relationError(td.type, name, 'it is directly assignable but lists no user types, and the DSL has no empty `[]`');
      }
      for (const ref of direct) {
        if (!isRecord(ref) || !isName(ref.type) || (ref.relation !== undefined && !isName(ref.relation)) || (ref.condition !== undefined && ref.condition !== '' && !isName(ref.condition))) {
          relationError(td.type, name, `a directly related user type is malformed: ${JSON.stringify(ref)}`);
        }
      }
    }
  });
  const conditions = model.conditions ?? {};
  if (!isRecord(conditions)) fail('printDSL: conditions must be an object');
  for (const [key, condition] of Object.entries(conditions)) {
    if (!isName(key) || !isRecord(condition) || typeof condition.expression !== 'string') {
      fail(`printDSL: condition ${JSON.stringify(key)} needs an identifier name and a string expression`);
    }
    if (condition.name !== key) fail(`printDSL: condition '${key}' has a different nested name (${JSON.stringify(condition.name)})`);
    const parameters = condition.parameters ?? {};
    if (!isRecord(parameters)) fail(`printDSL: the parameters of condition '${key}' must be an object`);
    for (const [param, typeRef] of Object.entries(parameters)) {
      const name = isRecord(typeRef) ? typeRef.type_name : undefined;
      const generic = isRecord(typeRef) && Array.isArray(typeRef.generic_types) ? typeRef.generic_types[0] : undefined;
      const container = name === 'TYPE_NAME_LIST' || name === 'TYPE_NAME_MAP';
      if (!isName(param) || typeof name !== 'string' || !name.startsWith('TYPE_NAME_') || (container && !(isRecord(generic) && typeof generic.type_name === 'string'))) {
        fail(`printDSL: parameter ${JSON.stringify(param)} of condition '${key}' has an invalid type ${JSON.stringify(typeRef)}`);
      }
    }
  }
}

const UNSUPPORTED = /the '(.+)' relation definition under the '(.+)' type is not supported by the OpenFGA DSL syntax/;

/**
 * Prints a JSON authorization model as OpenFGA DSL, in the layout `fga model get` prints.
 *
 * The DSL cannot express every JSON model: a direct assignment (`[user]`) may appear once per
 * relation, as its first operand, and names must be DSL identifiers. Such models are refused with an
 * error naming the type and relation, never printed wrongly; and the printed text is re-parsed, so
 * `printDSL` never returns DSL that `parseDSL` would reject as a syntax error.
 *
 * @param model - The model to print. It is not modified.
 * @param options - See {@link PrintDSLOptions}.
 * @returns The DSL text, ending with a newline.
 * @throws GatehouseError `validation_error` when the model cannot be written as DSL.
 * @example
 * ```ts
 * printDSL({ schema_version: '1.1', type_definitions: [{ type: 'user' }] });
 * // 'model\n  schema 1.1\n\ntype user\n'
 * ```
 */
export function printDSL(model: AuthorizationModel, options: PrintDSLOptions = {}): string {
  return guarded(() => print(model, options));
}

function print(model: AuthorizationModel, options: PrintDSLOptions): string {
  let copy: unknown;
  try {
    // The library reorders arrays in place; it gets a private, plain-data copy.
    copy = JSON.parse(JSON.stringify(model)) as unknown;
  } catch (error) {
    fail(`printDSL: the model is not plain JSON data: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  checkModel(copy);
  let text: string;
  try {
    text = printWithLibrary(copy, { includeSourceInformation: options?.includeSourceInformation === true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unsupported = UNSUPPORTED.exec(message);
    if (unsupported) {
      relationError(
        unsupported[2] ?? '',
        unsupported[1] ?? '',
        'the DSL allows a direct assignment ([...]) only once per relation, as the first operand of its top-level expression',
      );
    }
    throw new GatehouseError('internal', `internal error: printing the model as DSL failed: ${message}`, { cause: error });
  }
  const reparsed = runParser(text);
  const first = reparsed.errors[0];
  if (first) {
    const where = first.line ? ` at line ${first.line.start + 1}` : '';
    fail(`printDSL: the model cannot be written as valid DSL${where}: ${first.msg}`);
  }
  return text;
}
