import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, relative, resolve } from 'node:path';
import { GatehouseError, assertTupleKey, decodeBundle, detectFormat } from '@gatehouse/core';
import type { AuthorizationModel, Revision, SnapshotData } from '@gatehouse/core';
import { YAMLParseError, parse as parseYaml } from 'yaml';
import { parseCsv } from './csv';

/** A relationship tuple, as snapshots carry it (core's `TupleKey`). */
type TupleKey = SnapshotData['tuples'][number];

/** Everything one load read: the policy, and the files it came from. */
export interface LoadedPolicy {
  /** `bundle` for a Gatehouse bundle file, `store` for an OpenFGA store file. */
  readonly kind: 'bundle' | 'store';
  /** The model. */
  readonly model: AuthorizationModel;
  /** The model id: the bundle's, the JSON model's `id`, or a hash of the model (same model, same id). */
  readonly modelId: string;
  /** Every tuple. */
  readonly tuples: readonly TupleKey[];
  /** The bundle's own revision (bundles only). */
  readonly revision?: Revision;
  /** Every file read, absolute. */
  readonly files: readonly string[];
  /** SHA-256 over the names and bytes of every file read. */
  readonly hash: string;
  /** The newest modification time among the files, in ms. */
  readonly mtimeMs: number;
}

/**
 * A file changed while it was being read (a write in progress): read it again shortly. Code
 * `source_unavailable`; `FileSource` retries after its debounce without reporting it.
 */
export class UnstableReadError extends GatehouseError {
  /** The file that moved. */
  readonly path: string;

  /** @param path - The file that changed during the read. */
  constructor(path: string) {
    super('source_unavailable', `${path} changed while it was being read; try again`);
    this.name = 'UnstableReadError';
    this.path = path;
  }
}

/** Reads files once each, remembering their bytes (for the content hash) and times. */
class Reader {
  readonly files = new Map<string, Buffer>();
  mtimeMs = 0;

  constructor(private readonly display: (path: string) => string) {}

  async text(path: string): Promise<string> {
    return (await this.bytes(path)).toString('utf8');
  }

  async bytes(path: string): Promise<Buffer> {
    const cached = this.files.get(path);
    if (cached) return cached;
    let before;
    let data: Buffer;
    let after;
    try {
      before = await stat(path);
      data = await readFile(path);
      after = await stat(path);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      throw new GatehouseError('source_unavailable', `cannot read ${this.display(path)}: ${reason}`, { cause: error });
    }
    // A writer still at work shows as a size or time that moved under us: read again later rather
    // than parse half a file.
    if (before.mtimeMs !== after.mtimeMs || before.size !== after.size || data.length !== after.size) {
      throw new UnstableReadError(path);
    }
    this.files.set(path, data);
    this.mtimeMs = Math.max(this.mtimeMs, after.mtimeMs);
    return data;
  }

  hash(): string {
    const h = createHash('sha256');
    for (const [path, data] of [...this.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      h.update(path).update('\0').update(data).update('\0');
    }
    return h.digest('hex');
  }
}

/**
 * The hash of the given files' current contents, or `undefined` if one cannot be read. A cheap
 * first look: when it matches the last load's hash, nothing changed and nothing is parsed.
 */
export async function hashFiles(files: readonly string[]): Promise<string | undefined> {
  const reader = new Reader((p) => p);
  try {
    for (const file of files) await reader.bytes(file);
  } catch {
    return undefined;
  }
  return reader.hash();
}

/**
 * Loads a policy file: a Gatehouse bundle (`format: "gatehouse.bundle"`, JSON) or an OpenFGA store
 * file (`.fga.yaml`: `model` or `model_file`, and `tuples` / `tuple_file` / `tuple_files`;
 * `tests` is ignored). Paths inside a store file are relative to it, as for the OpenFGA CLI.
 *
 * @throws {GatehouseError} `source_unavailable` (unreadable file), `invalid_bundle` (bad bundle,
 * YAML, JSON or CSV, or a store file without a model), the tuple id codes (naming file and entry),
 * or `ModelValidationError` (invalid DSL); {@link UnstableReadError} while a file is being written.
 */
export async function loadPolicyFile(path: string): Promise<LoadedPolicy> {
  const file = resolve(path);
  const base = dirname(file);
  const display = (p: string) => relative(base, p) || basename(p);
  const reader = new Reader(display);
  const text = await reader.text(file);
  if (text.trim() === '') throw invalid(`${display(file)} is empty`);

  const ext = extname(file).toLowerCase();
  const doc = ext === '.json' ? parseJson(text, display(file)) : parseYamlText(text, display(file));
  if (detectFormat(doc) === 'gatehouse.bundle') {
    let data: SnapshotData;
    try {
      data = decodeBundle(doc as object);
    } catch (error) {
      throw withFile(error, display(file));
    }
    return { kind: 'bundle', ...data, files: [...reader.files.keys()], hash: reader.hash(), mtimeMs: reader.mtimeMs };
  }
  if (!isRecord(doc)) throw invalid(`${display(file)}: expected a Gatehouse bundle or an OpenFGA store file (a mapping with model and tuples)`);

  const { model, modelId } = await loadModel(doc, file, reader, display);
  const tuples = await loadTuples(doc, file, reader, display);
  return { kind: 'store', model, modelId, tuples, files: [...reader.files.keys()], hash: reader.hash(), mtimeMs: reader.mtimeMs };
}

async function loadModel(
  doc: Record<string, unknown>,
  file: string,
  reader: Reader,
  display: (p: string) => string,
): Promise<{ model: AuthorizationModel; modelId: string }> {
  const where = display(file);
  // As the OpenFGA CLI: an inline `model` wins over `model_file`.
  if (typeof doc.model === 'string' && doc.model.trim() !== '') {
    const { parseDSL } = await import('@gatehouse/core/dsl');
    const model = parseDSL(doc.model, { fileName: `${where} (model)` });
    return { model, modelId: hashModelId(model) };
  }
  if (doc.model !== undefined && doc.model !== null && typeof doc.model !== 'string') {
    throw invalid(`${where}: model must be DSL text; use model_file for a JSON model`);
  }
  if (typeof doc.model_file !== 'string' || doc.model_file === '') {
    throw invalid(`${where}: no model: set model (DSL text) or model_file`);
  }
  const modelFile = resolve(dirname(file), doc.model_file);
  const name = display(modelFile);
  if (basename(modelFile) === 'fga.mod') return loadModularModel(modelFile, reader, display);
  const text = await reader.text(modelFile);
  if (extname(modelFile).toLowerCase() === '.json') {
    const model = parseJson(text, name);
    if (!isRecord(model) || typeof model.schema_version !== 'string' || !Array.isArray(model.type_definitions)) {
      throw invalid(`${name}: expected an OpenFGA JSON model with schema_version and type_definitions`);
    }
    // The sink compiles and validates the model fully before accepting it.
    const json = model as unknown as AuthorizationModel;
    return { model: json, modelId: typeof json.id === 'string' && json.id !== '' ? json.id : hashModelId(json) };
  }
  const { parseDSL } = await import('@gatehouse/core/dsl');
  const model = parseDSL(text, { fileName: name });
  return { model, modelId: hashModelId(model) };
}

async function loadModularModel(
  modFile: string,
  reader: Reader,
  display: (p: string) => string,
): Promise<{ model: AuthorizationModel; modelId: string }> {
  const modText = await reader.text(modFile);
  const mod = parseYamlText(modText, display(modFile));
  const contents = isRecord(mod) && Array.isArray(mod.contents) ? mod.contents : [];
  const root = dirname(modFile);
  const files = [{ name: 'fga.mod', contents: modText }];
  for (const entry of contents) {
    if (typeof entry !== 'string') continue; // parseModularModel reports the bad entry
    files.push({ name: entry, contents: await reader.text(resolve(root, entry)) });
  }
  const { parseModularModel } = await import('@gatehouse/core/dsl');
  const model = parseModularModel(files);
  return { model, modelId: hashModelId(model) };
}

async function loadTuples(doc: Record<string, unknown>, file: string, reader: Reader, display: (p: string) => string): Promise<TupleKey[]> {
  const where = display(file);
  const tuples: TupleKey[] = [];
  if (doc.tuples !== undefined && doc.tuples !== null) {
    if (!Array.isArray(doc.tuples)) throw invalid(`${where}: tuples must be a list`);
    tuples.push(...checkTuples(doc.tuples, `${where}: tuples`));
  }
  const files: unknown[] = [];
  if (doc.tuple_file !== undefined && doc.tuple_file !== null && doc.tuple_file !== '') files.push(doc.tuple_file);
  if (doc.tuple_files !== undefined && doc.tuple_files !== null) {
    if (!Array.isArray(doc.tuple_files)) throw invalid(`${where}: tuple_files must be a list of paths`);
    files.push(...doc.tuple_files);
  }
  for (const entry of files) {
    if (typeof entry !== 'string' || entry === '') throw invalid(`${where}: tuple file paths must be non-empty strings, got ${JSON.stringify(entry)}`);
    const path = resolve(dirname(file), entry);
    tuples.push(...readTupleFile(await reader.text(path), display(path)));
  }
  return tuples;
}

/**
 * Loads one tuple file the way the OpenFGA CLI reads them, by extension: `.yaml` / `.yml` /
 * `.json` (a list of tuples, or `{ tuples: [...] }`), `.jsonl` (one tuple per line) or `.csv`
 * (the CLI's columns: `user_type,user_id,user_relation,relation,object_type,object_id,condition_name,condition_context`).
 *
 * @throws {GatehouseError} `source_unavailable` (unreadable file), `invalid_bundle` (empty file,
 * bad YAML/JSON/CSV, unsupported extension), or the tuple id codes naming the file and entry.
 * @example
 * const tuples = await loadTupleFile('./policy/tuples.csv');
 */
export async function loadTupleFile(path: string): Promise<TupleKey[]> {
  const file = resolve(path);
  const display = relative(process.cwd(), file) || basename(file);
  const reader = new Reader(() => display);
  return readTupleFile(await reader.text(file), display);
}

/** Parses an OpenFGA CLI tuple file by extension: `.yaml`/`.yml`/`.json` (a list), `.jsonl`, `.csv`. */
function readTupleFile(text: string, name: string): TupleKey[] {
  const ext = extname(name).toLowerCase();
  // The CLI rejects empty tuple files; here that also catches a file truncated by a writer.
  if (text.trim() === '') throw invalid(`${name} is empty`);
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') {
    const doc = ext === '.json' ? parseJson(text, name) : parseYamlText(text, name);
    // `{ tuples: [...] }` as well as a bare list: the shape of a store file's own `tuples` key.
    const list = isRecord(doc) && Array.isArray(doc.tuples) ? doc.tuples : doc;
    if (!Array.isArray(list)) throw invalid(`${name}: expected a list of tuples`);
    return checkTuples(list, name);
  }
  if (ext === '.jsonl') {
    const out: TupleKey[] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      out.push(...checkTuples([parseJson(line, `${name}:${i + 1}`)], `${name}:${i + 1}`, false));
    });
    return out;
  }
  if (ext === '.csv') return readCsvTuples(text, name);
  throw invalid(`${name}: unsupported tuple file type '${ext}' (use .yaml, .yml, .json, .jsonl or .csv)`);
}

const CSV_COLUMNS = ['user_type', 'user_id', 'user_relation', 'relation', 'object_type', 'object_id', 'condition_name', 'condition_context'] as const;

/** The OpenFGA CLI's CSV layout: a header naming the columns above, in any order. */
function readCsvTuples(text: string, name: string): TupleKey[] {
  let rows;
  try {
    rows = parseCsv(text);
  } catch (error) {
    throw invalid(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [header, ...body] = rows;
  if (!header) throw invalid(`${name} is empty`);
  const column = new Map<string, number>();
  header.fields.forEach((h, i) => {
    const key = h.trim();
    if (!(CSV_COLUMNS as readonly string[]).includes(key)) throw invalid(`${name}: invalid header "${key}", valid headers are ${CSV_COLUMNS.join(',')}`);
    column.set(key, i);
  });
  for (const required of ['user_type', 'user_id', 'relation', 'object_type', 'object_id']) {
    if (!column.has(required)) throw invalid(`${name}: missing required header "${required}"`);
  }
  if (column.has('condition_context') && !column.has('condition_name')) {
    throw invalid(`${name}: a "condition_context" column needs a "condition_name" column`);
  }
  const get = (fields: string[], key: string) => {
    const i = column.get(key);
    return i === undefined ? '' : (fields[i] ?? '');
  };
  return body.map(({ fields, line }) => {
    const where = `${name}:${line}`;
    const userRelation = get(fields, 'user_relation');
    const tuple: Record<string, unknown> = {
      user: `${get(fields, 'user_type')}:${get(fields, 'user_id')}${userRelation ? `#${userRelation}` : ''}`,
      relation: get(fields, 'relation'),
      object: `${get(fields, 'object_type')}:${get(fields, 'object_id')}`,
    };
    const conditionName = get(fields, 'condition_name');
    if (conditionName) {
      const raw = get(fields, 'condition_context');
      const context = raw.trim() === '' ? undefined : parseJson(raw, `${where} condition_context`);
      tuple.condition = context === undefined ? { name: conditionName } : { name: conditionName, context };
    }
    return checkTuples([tuple], where, false)[0] as TupleKey;
  });
}

function checkTuples(list: readonly unknown[], where: string, indexed = true): TupleKey[] {
  return list.map((value, i) => {
    const at = indexed ? `${where}[${i}]` : where;
    // YAML writes an absent condition as `condition: null`; OpenFGA treats that as none.
    if (isRecord(value) && value.condition === null) {
      const { condition: _, ...rest } = value;
      value = rest;
    }
    assertTupleKey(value, at);
    const { user, relation, object, condition } = value;
    return condition === undefined ? { user, relation, object } : { user, relation, object, condition };
  });
}

/** A model id that depends only on the model: reloading the same model keeps its id. */
export function hashModelId(model: AuthorizationModel): string {
  const digest = createHash('sha256').update(JSON.stringify(model)).digest();
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let id = '';
  for (let i = 0; i < 26; i++) id += alphabet[(digest[i] as number) % 32];
  return id;
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalid(`${name} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

function parseYamlText(text: string, name: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const pos = error.linePos?.[0];
      const at = pos ? `:${pos.line}:${pos.col}` : '';
      throw invalid(`${name}${at} is not valid YAML: ${error.message.split('\n')[0] ?? ''}`, error);
    }
    throw invalid(`${name} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`, error);
  }
}

function withFile(error: unknown, name: string): unknown {
  if (error instanceof GatehouseError) return new GatehouseError(error.code, `${name}: ${error.message}`, { cause: error });
  return error;
}

function invalid(message: string, cause?: unknown): GatehouseError {
  return new GatehouseError('invalid_bundle', message, cause === undefined ? {} : { cause });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
