import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { GatehouseError, parseModel, type AuthorizationModel, type TupleKey } from '@gatehouse/core';
import { parseDSL, parseModularModel } from '@gatehouse/core/dsl';
import { parse as parseYaml } from 'yaml';

/** Reads a text file; a missing or unreadable file is a `source_unavailable` error naming it. */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code ?? error);
    throw new GatehouseError('source_unavailable', `cannot read ${path}: ${why}`, { cause: error });
  }
}

/** Parses YAML (a superset of JSON) and names the file and line on a syntax error. */
export function parseYamlFile(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    const where = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    const at = where ? `:${where.line}:${where.col}` : '';
    const first = String((error as Error).message).split('\n')[0];
    throw new GatehouseError('invalid_bundle', `${file}${at}: invalid YAML: ${first}`, { cause: error });
  }
}

/** The kind of model file, from its name: `dsl` (.fga), `json`, or `mod` (fga.mod). */
export function modelKind(path: string): 'dsl' | 'json' | 'mod' {
  if (basename(path) === 'fga.mod' || extname(path) === '.mod') return 'mod';
  return extname(path).toLowerCase() === '.json' ? 'json' : 'dsl';
}

/** Reads the files of a modular model: `fga.mod` and every module it lists. */
export async function readModularFiles(path: string): Promise<{ name: string; contents: string }[]> {
  const text = await readText(path);
  const doc = parseYamlFile(text, path) as { contents?: unknown } | null;
  const dir = dirname(path);
  const files = [{ name: 'fga.mod', contents: text }];
  const contents = doc && Array.isArray(doc.contents) ? doc.contents : [];
  for (const entry of contents) {
    if (typeof entry !== 'string') continue;
    files.push({ name: entry, contents: await readText(resolve(dir, entry)) });
  }
  return files;
}

/** Loads and validates a model file: DSL, JSON, or a modular `fga.mod`. */
export async function loadModel(path: string): Promise<AuthorizationModel> {
  const kind = modelKind(path);
  if (kind === 'mod') return parseModularModel(await readModularFiles(path));
  const text = await readText(path);
  if (kind === 'json') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new GatehouseError('invalid_authorization_model', `${path}: invalid JSON: ${(error as Error).message}`, { cause: error });
    }
    return parseModel(json);
  }
  return parseDSL(text, { fileName: path });
}

/** Checks that a parsed list holds tuple keys (`user`, `relation`, `object`, optional `condition`). */
export function toTuples(value: unknown, where: string): TupleKey[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new GatehouseError('invalid_tuple', `${where}: expected a list of tuples`);
  return value.map((t: unknown, i) => {
    const r = t as Record<string, unknown> | null;
    if (!r || typeof r.user !== 'string' || typeof r.relation !== 'string' || typeof r.object !== 'string') {
      throw new GatehouseError('invalid_tuple', `${where}[${i}]: a tuple needs string user, relation and object`);
    }
    const cond = r.condition as { name?: unknown; context?: unknown } | undefined;
    if (cond !== undefined && (cond === null || typeof cond.name !== 'string')) {
      throw new GatehouseError('invalid_tuple', `${where}[${i}]: condition needs a name`);
    }
    return {
      user: r.user,
      relation: r.relation,
      object: r.object,
      ...(cond ? { condition: { name: cond.name as string, ...(cond.context ? { context: cond.context as Record<string, unknown> } : {}) } } : {}),
    } as TupleKey;
  });
}

/** Parses `--context` JSON into an object. */
export function parseContext(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatehouseError('validation_error', `--context is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatehouseError('validation_error', '--context must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * Parses a `--contextual-tuple`: `object#relation@user`, optionally followed by ` with NAME` and a
 * JSON context for a conditional tuple, as the DSL writes `user with NAME`:
 * `document:1#viewer@user:anne with in_region {"allowed":["eu"]}`.
 */
export function parseTupleArg(text: string): TupleKey {
  const usage = `--contextual-tuple "${text}": expected object#relation@user [with CONDITION [JSON]], e.g. document:1#viewer@user:anne`;
  const withAt = text.search(/\s+with\s+/);
  const key = (withAt < 0 ? text : text.slice(0, withAt)).trim();
  const hash = key.indexOf('#');
  const at = key.indexOf('@', hash + 1);
  if (hash <= 0 || at <= hash + 1 || at === key.length - 1) throw new GatehouseError('invalid_tuple', usage);
  const tuple = { object: key.slice(0, hash), relation: key.slice(hash + 1, at), user: key.slice(at + 1) };
  if (withAt < 0) return tuple;
  const rest = text.slice(withAt).replace(/^\s+with\s+/, '');
  const space = rest.search(/\s/);
  const name = space < 0 ? rest : rest.slice(0, space);
  const json = space < 0 ? '' : rest.slice(space).trim();
  if (name === '') throw new GatehouseError('invalid_tuple', usage);
  if (json === '') return { ...tuple, condition: { name } };
  let context: unknown;
  try {
    context = JSON.parse(json);
  } catch (error) {
    throw new GatehouseError('invalid_tuple', `--contextual-tuple "${text}": the condition context is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new GatehouseError('invalid_tuple', `--contextual-tuple "${text}": the condition context must be a JSON object`);
  }
  return { ...tuple, condition: { name, context: context as Record<string, unknown> } };
}
