import * as z from 'zod';
import { GatehouseError, formatDiagnostics, formatPath } from '../errors/index';
import { parseModelStructure } from '../model/schema';
import type { AuthorizationModel } from '../model/types';
import { isValidObjectId, isValidRelationName, isValidTypeName } from '../tuples/ids';
import { compareRevisions, isRevision } from './revision';
import type { Revision } from './revision';
import { assertTupleKey, describe, isPlainObject, isValidConditionName, tupleKeyId } from './tupleKey';
import type { RelationshipCondition, TupleKey } from '../store/types';
import type { ChangeSet, SnapshotData, TupleKeyWithoutCondition } from './types';

/** The `format` of a full snapshot bundle. */
export const BUNDLE_FORMAT = 'gatehouse.bundle';
/** The `format` of a change set. */
export const CHANGES_FORMAT = 'gatehouse.changes';
/** The wire version this library reads and writes. */
export const BUNDLE_VERSION = 1;

/** Numbers per tuple row: object type, object id, relation, user type, user id, user relation. */
export const ROW_WIDTH = 6;

/**
 * A condition attached to one row of a {@link TupleBlock}: `[row, nameIndex]` or
 * `[row, nameIndex, context]`. Rows are numbered from 0 and listed in increasing order.
 */
export type ConditionEntry = readonly [row: number, name: number] | readonly [row: number, name: number, context: Readonly<Record<string, unknown>>];

/**
 * Tuples in columnar form. Row `r` is `rows[6r .. 6r+5]`: indexes into the document's `strings`
 * for object type, object id, relation, user type, user id and user relation (0, the empty
 * string, when the user is not a userset). A wildcard user has the user id `*`.
 */
export interface TupleBlock {
  /** The number of rows; `rows.length === count * 6`. */
  readonly count: number;
  /** The row data, six string indexes per tuple. */
  readonly rows: readonly number[];
  /** Conditions of the rows that have one; omitted when none has. */
  readonly conditions?: readonly ConditionEntry[];
}

/**
 * A full snapshot on the wire (`format: "gatehouse.bundle"`, `version: 1`). Readers ignore fields
 * they do not know; a change old readers could not ignore gets a new `version`.
 *
 * @see docs/reference/bundle-format.md
 */
export interface BundleDocument {
  /** Always `gatehouse.bundle`. */
  readonly format: typeof BUNDLE_FORMAT;
  /** Always `1`. */
  readonly version: typeof BUNDLE_VERSION;
  /** The snapshot's revision. */
  readonly revision: Revision;
  /** The model's id. */
  readonly modelId: string;
  /** The OpenFGA JSON authorization model. */
  readonly model: AuthorizationModel;
  /** The string table; entry 0 is always the empty string. */
  readonly strings: readonly string[];
  /** Every tuple. */
  readonly tuples: TupleBlock;
}

/**
 * A change set on the wire (`format: "gatehouse.changes"`, `version: 1`): the net changes from
 * `from` to `to`, sharing one string table between writes and deletes.
 *
 * @see docs/reference/bundle-format.md
 */
export interface ChangesDocument {
  /** Always `gatehouse.changes`. */
  readonly format: typeof CHANGES_FORMAT;
  /** Always `1`. */
  readonly version: typeof BUNDLE_VERSION;
  /** The revision the changes apply to. */
  readonly from: Revision;
  /** The revision they produce. */
  readonly to: Revision;
  /** The new model's id, when the model changed. */
  readonly modelId?: string;
  /** The new model, when it changed. */
  readonly model?: AuthorizationModel;
  /** The string table; entry 0 is always the empty string. */
  readonly strings: readonly string[];
  /** Tuples written (added or replaced). */
  readonly writes: TupleBlock;
  /** Tuples deleted; never carries conditions. */
  readonly deletes: TupleBlock;
}

// ---------------------------------------------------------------------------------------------
// Encoding

// Encoding numbers each distinct string on first sight, then renumbers the table by descending
// frequency so types, relations and busy objects get one- or two-digit indexes, and rewrites the
// rows through that permutation. The table's order is the encoder's choice; readers only follow
// indexes.
interface PendingBlock {
  readonly count: number;
  readonly rows: number[];
  readonly conditions: { readonly row: number; readonly name: number; readonly context?: Readonly<Record<string, unknown>> }[];
}

class BlockEncoder {
  private readonly index = new Map<string, number>([['', 0]]);
  private readonly strings: string[] = [''];
  private counts = new Uint32Array(1024);
  // Whole object, user and relation strings seen so far, already validated, mapped to a slot in
  // `parts` (their string numbers): most tuples hit here, so each distinct string is parsed and
  // hashed in pieces once. Slots are plain numbers to keep a million entries cheap for the GC.
  private readonly objects = new Map<string, number>();
  private readonly users = new Map<string, number>();
  private readonly relations = new Map<string, number>();
  private readonly parts: number[] = [];

  split(tuples: unknown, where: string, allowConditions: boolean): PendingBlock {
    if (!Array.isArray(tuples)) throw new GatehouseError('invalid_tuple', `${where}: expected an array of tuples, got ${describe(tuples)}`);
    // Grown by push: `new Array(n)` past ~100k elements gives V8 a slow dictionary-mode array.
    const rows: number[] = [];
    const conditions: PendingBlock['conditions'][number][] = [];
    const parts = this.parts;
    for (let i = 0; i < tuples.length; i++) {
      const tuple: unknown = tuples[i];
      if (!isPlainObject(tuple)) assertTupleKey(tuple, `${where}[${i}]`, allowConditions);
      const { object, relation, user, condition } = tuple as Record<string, unknown>;
      let o = typeof object === 'string' ? this.objects.get(object) : undefined;
      let u = typeof user === 'string' ? this.users.get(user) : undefined;
      let r = typeof relation === 'string' ? this.relations.get(relation) : undefined;
      if (o === undefined || u === undefined || r === undefined || condition !== undefined) {
        assertTupleKey(tuple, `${where}[${i}]`, allowConditions);
        o ??= this.addObject(tuple.object);
        u ??= this.addUser(tuple.user);
        r ??= this.addRelation(tuple.relation);
      }
      const ot = parts[o] as number;
      const oi = parts[o + 1] as number;
      const ut = parts[u] as number;
      const ui = parts[u + 1] as number;
      const ur = parts[u + 2] as number;
      rows.push(ot, oi, r, ut, ui, ur);
      const c = this.counts;
      c[ot] = (c[ot] as number) + 1;
      c[oi] = (c[oi] as number) + 1;
      c[r] = (c[r] as number) + 1;
      c[ut] = (c[ut] as number) + 1;
      c[ui] = (c[ui] as number) + 1;
      c[ur] = (c[ur] as number) + 1;
      if (tuple.condition) {
        const { name, context } = tuple.condition as { name: string; context?: Readonly<Record<string, unknown>> };
        const n = this.of(name);
        c[n] = (c[n] as number) + 1;
        conditions.push(context === undefined ? { row: i, name: n } : { row: i, name: n, context });
      }
    }
    return { count: tuples.length, rows, conditions };
  }

  private addObject(object: string): number {
    const colon = object.indexOf(':');
    const slot = this.parts.length;
    this.parts.push(this.of(object.slice(0, colon)), this.of(object.slice(colon + 1)));
    this.objects.set(object, slot);
    return slot;
  }

  private addUser(user: string): number {
    const hash = user.indexOf('#');
    const head = hash < 0 ? user : user.slice(0, hash);
    const colon = head.indexOf(':');
    const slot = this.parts.length;
    this.parts.push(this.of(head.slice(0, colon)), this.of(head.slice(colon + 1)), hash < 0 ? 0 : this.of(user.slice(hash + 1)));
    this.users.set(user, slot);
    return slot;
  }

  private addRelation(relation: string): number {
    const i = this.of(relation);
    this.relations.set(relation, i);
    return i;
  }

  /** The frequency-ordered table, and the permutation from first-sight numbers to its indexes. */
  table(): { readonly strings: string[]; readonly remap: Uint32Array } {
    const n = this.strings.length;
    const order = Array.from({ length: n - 1 }, (_, i) => i + 1);
    // Array#sort is stable, so equal counts keep first-sight order and the output is deterministic.
    order.sort((a, b) => (this.counts[b] as number) - (this.counts[a] as number));
    const remap = new Uint32Array(n);
    const strings = [''];
    for (const old of order) {
      remap[old] = strings.length;
      strings.push(this.strings[old] as string);
    }
    return { strings, remap };
  }

  private of(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(value);
      this.index.set(value, i);
      if (i >= this.counts.length) {
        const grown = new Uint32Array(this.counts.length * 2);
        grown.set(this.counts);
        this.counts = grown;
      }
    }
    return i;
  }
}

function finishBlock(block: PendingBlock, remap: Uint32Array): TupleBlock {
  const { rows } = block;
  for (let i = 0; i < rows.length; i++) rows[i] = remap[rows[i] as number] as number;
  if (block.conditions.length === 0) return { count: block.count, rows };
  const conditions = block.conditions.map(
    (c): ConditionEntry => (c.context === undefined ? [c.row, remap[c.name] as number] : [c.row, remap[c.name] as number, c.context]),
  );
  return { count: block.count, rows, conditions };
}

/**
 * Encodes a snapshot as a version 1 bundle (JSON text). Tuples keep their order; each distinct
 * string is stored once, the most frequent first so the rows stay short.
 *
 * @throws {GatehouseError} `invalid_bundle` when the revision, model id or model shape is invalid;
 * `invalid_object_format`, `invalid_user` or `invalid_tuple` naming the first bad tuple (`tuples[3]`).
 * @example
 * const text = encodeBundle({ model, modelId: '01JD8X', revision: '42', tuples: [{ user: 'user:anne', relation: 'viewer', object: 'track:t1' }] });
 * decodeBundle(text).revision; // '42'
 * @see docs/reference/bundle-format.md
 */
export function encodeBundle(data: SnapshotData): string {
  if (!isPlainObject(data)) throw failure('bundle', `expected snapshot data, got ${describe(data)}`);
  checkRevision(data.revision, 'bundle', 'revision');
  checkModel(data.model, data.modelId, 'bundle');
  const encoder = new BlockEncoder();
  const pending = encoder.split(data.tuples, 'tuples', true);
  const { strings, remap } = encoder.table();
  const doc: BundleDocument = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    revision: data.revision,
    modelId: data.modelId,
    model: data.model,
    strings,
    tuples: finishBlock(pending, remap),
  };
  return JSON.stringify(doc);
}

/**
 * Encodes a change set as a version 1 change document (JSON text).
 *
 * @throws {GatehouseError} `invalid_bundle` when the revisions, model or the write/delete
 * disjointness are wrong; `invalid_object_format`, `invalid_user` or `invalid_tuple` naming the
 * first bad tuple (`writes[2]`).
 * @see docs/reference/bundle-format.md
 */
export function encodeChanges(changes: ChangeSet): string {
  if (!isPlainObject(changes)) throw failure('change set', `expected a change set, got ${describe(changes)}`);
  checkRevision(changes.from, 'change set', 'from');
  checkRevision(changes.to, 'change set', 'to');
  if ((changes.model === undefined) !== (changes.modelId === undefined)) throw failure('change set', 'model and modelId must be present together');
  if (changes.model !== undefined) checkModel(changes.model, changes.modelId, 'change set');
  const encoder = new BlockEncoder();
  const writes = encoder.split(changes.writes, 'writes', true);
  const deletes = encoder.split(changes.deletes, 'deletes', false);
  const { strings, remap } = encoder.table();
  checkChangeShape(changes, 'change set');
  checkDisjoint(changes.writes, changes.deletes);
  const doc: ChangesDocument = {
    format: CHANGES_FORMAT,
    version: BUNDLE_VERSION,
    from: changes.from,
    to: changes.to,
    ...(changes.model !== undefined ? { modelId: changes.modelId, model: changes.model } : {}),
    strings,
    writes: finishBlock(writes, remap),
    deletes: finishBlock(deletes, remap),
  };
  return JSON.stringify(doc);
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * What the decoders accept: JSON text, UTF-8 bytes of it, or an already parsed JSON value.
 */
export type BundleInput = string | Uint8Array | ArrayBuffer | object;

/**
 * Decodes and validates a version 1 bundle. Nothing partial ever comes out: either every part
 * (envelope, model shape, string table, every row against OpenFGA's id rules) is valid, or it
 * throws naming the offending part (`tuples row 17: invalid object id '*x'`).
 *
 * Checking tuples against the model (does `track` define `viewer`?) is left to the engine: a
 * bundle may hold tuples of types the model no longer defines, as an OpenFGA store may.
 *
 * @throws {GatehouseError} `invalid_bundle`.
 * @see docs/reference/bundle-format.md
 */
export function decodeBundle(input: BundleInput): SnapshotData {
  const value = parseInput(input, 'bundle');
  checkHeader(value, BUNDLE_FORMAT, 'bundle');
  const doc = validate(BundleSchema, value, 'bundle');
  const model = checkModel(doc.model, doc.modelId, 'bundle');
  const strings = checkStrings(doc.strings, 'bundle');
  const tuples = new BlockDecoder(strings, 'bundle').decode(doc.tuples, 'tuples', true);
  return { model, modelId: doc.modelId, revision: doc.revision, tuples };
}

/**
 * Decodes and validates a version 1 change document, with the same guarantees as
 * {@link decodeBundle}. It also checks that `to >= from`, that an empty range changes nothing, and
 * that no tuple is both written and deleted.
 *
 * @throws {GatehouseError} `invalid_bundle`.
 * @see docs/reference/bundle-format.md
 */
export function decodeChanges(input: BundleInput): ChangeSet {
  const value = parseInput(input, 'change set');
  checkHeader(value, CHANGES_FORMAT, 'change set');
  const doc = validate(ChangesSchema, value, 'change set');
  if ((doc.model === undefined) !== (doc.modelId === undefined)) throw failure('change set', 'model and modelId must be present together');
  const model = doc.model === undefined ? undefined : checkModel(doc.model, doc.modelId, 'change set');
  const strings = checkStrings(doc.strings, 'change set');
  const decoder = new BlockDecoder(strings, 'change set');
  const writes = decoder.decode(doc.writes, 'writes', true);
  const deletes: TupleKeyWithoutCondition[] = decoder.decode(doc.deletes, 'deletes', false);
  const changes: ChangeSet = {
    from: doc.from,
    to: doc.to,
    writes,
    deletes,
    ...(model !== undefined ? { model, modelId: doc.modelId } : {}),
  };
  checkChangeShape(changes, 'change set');
  checkDisjoint(writes, deletes);
  return changes;
}

/**
 * Tells a bundle from a change document by its `format` field, for endpoints that may answer
 * with either. Returns `undefined` for anything else.
 */
export function detectFormat(value: unknown): typeof BUNDLE_FORMAT | typeof CHANGES_FORMAT | undefined {
  if (!isPlainObject(value)) return undefined;
  return value.format === BUNDLE_FORMAT || value.format === CHANGES_FORMAT ? value.format : undefined;
}

const REVISION_MESSAGE = 'expected a revision: a non-negative integer as a canonical decimal string, e.g. "42"';

// Zod checks the envelope and the model's shape. The large arrays (strings, rows) are checked by
// hand in the pass that decodes them: it must name the offending row and check string-table
// bounds anyway, and it is several times faster than a schema walk over a million numbers.
const RevisionSchema = z.string().refine(isRevision, REVISION_MESSAGE);
const ArraySchema = z.custom<readonly unknown[]>((v) => Array.isArray(v), 'expected an array');
const BlockSchema = z.looseObject({
  count: z.number().int().nonnegative(),
  rows: ArraySchema,
  conditions: ArraySchema.optional(),
});
const BundleSchema = z.looseObject({
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  revision: RevisionSchema,
  modelId: z.string().min(1),
  model: z.unknown(),
  strings: ArraySchema,
  tuples: BlockSchema,
});
const ChangesSchema = z.looseObject({
  format: z.literal(CHANGES_FORMAT),
  version: z.literal(BUNDLE_VERSION),
  from: RevisionSchema,
  to: RevisionSchema,
  modelId: z.string().min(1).optional(),
  model: z.unknown().optional(),
  strings: ArraySchema,
  writes: BlockSchema,
  deletes: BlockSchema,
});

type BlockValue = z.infer<typeof BlockSchema>;

const decoder = new TextDecoder('utf-8', { fatal: true });

function parseInput(input: BundleInput, what: 'bundle' | 'change set'): unknown {
  let text: string;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    try {
      text = decoder.decode(input);
    } catch (cause) {
      throw failure(what, `${what} is not valid UTF-8`, cause);
    }
  } else return input;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw failure(what, `${what} is not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`, cause);
  }
}

function checkHeader(value: unknown, format: string, what: 'bundle' | 'change set'): void {
  if (!isPlainObject(value)) throw failure(what, `expected a ${what} object, got ${describe(value)}`);
  if (value.format !== format) {
    const other = value.format === BUNDLE_FORMAT ? 'a bundle' : value.format === CHANGES_FORMAT ? 'a change set' : undefined;
    throw failure(
      what,
      other
        ? `expected ${what === 'bundle' ? 'a bundle' : 'a change set'} (format "${format}"), got ${other}`
        : `format must be "${format}", got ${JSON.stringify(value.format)}`,
    );
  }
  if (value.version !== BUNDLE_VERSION) {
    throw failure(what, `unsupported ${what} version ${JSON.stringify(value.version)} (this reader supports version ${BUNDLE_VERSION})`);
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, what: 'bundle' | 'change set'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const path = formatPath(issue.path.map((p) => (typeof p === 'number' ? p : String(p))));
    return `${path || '(root)'}: ${issue.message}`;
  });
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
  throw failure(what, `${problems.join('; ')}${more}`);
}

function checkStrings(strings: readonly unknown[], what: 'bundle' | 'change set'): readonly string[] {
  if (strings[0] !== '') throw failure(what, 'strings[0] must be the empty string');
  for (let i = 1; i < strings.length; i++) {
    if (typeof strings[i] !== 'string') throw failure(what, `strings[${i}]: expected a string, got ${describe(strings[i])}`);
  }
  return strings as readonly string[];
}

// What a string-table entry has been checked as, so each entry is validated once per role.
const AS_TYPE = 1;
const AS_OBJECT_ID = 2;
const AS_RELATION = 4;
const AS_CONDITION = 8;

const COLUMNS = ['object type', 'object id', 'relation', 'user type', 'user id', 'user relation'] as const;

class BlockDecoder {
  private readonly checked: Uint8Array;
  // `type:id` strings by id index (an id nearly always belongs to one type), so objects that recur
  // across rows (every track of an album names `album:…`) share one string without hashing.
  private readonly pairType: Int32Array;
  private readonly pairText: (string | undefined)[];
  private readonly otherPairs = new Map<string, string>();

  constructor(
    private readonly strings: readonly string[],
    private readonly what: 'bundle' | 'change set',
  ) {
    this.checked = new Uint8Array(strings.length);
    this.pairType = new Int32Array(strings.length).fill(-1);
    this.pairText = [];
  }

  decode(block: BlockValue, name: string, allowConditions: boolean): TupleKey[] {
    const { strings, what, checked } = this;
    const { count, rows } = block;
    if (rows.length !== count * ROW_WIDTH) {
      throw failure(what, `${name}: rows holds ${rows.length} numbers but count ${count} needs ${count * ROW_WIDTH} (${ROW_WIDTH} per row)`);
    }
    const conditions = this.conditions(block, name, allowConditions);
    const size = strings.length;
    // Grown by push: `new Array(n)` past ~100k elements gives V8 a slow dictionary-mode array.
    const out: TupleKey[] = [];
    for (let r = 0; r < count; r++) {
      const base = r * ROW_WIDTH;
      const ot = rows[base] as number;
      const oi = rows[base + 1] as number;
      const rel = rows[base + 2] as number;
      const ut = rows[base + 3] as number;
      const ui = rows[base + 4] as number;
      const ur = rows[base + 5] as number;
      // `v >>> 0 === v` holds only for integers in [0, 2^32): it rejects strings, floats, negatives, NaN.
      if (
        ot >>> 0 !== ot || ot >= size || oi >>> 0 !== oi || oi >= size || rel >>> 0 !== rel || rel >= size ||
        ut >>> 0 !== ut || ut >= size || ui >>> 0 !== ui || ui >= size || ur >>> 0 !== ur || ur >= size
      ) {
        throw this.badIndex(rows, base, name, r);
      }
      if (((checked[ot] as number) & AS_TYPE) === 0) this.check(ot, AS_TYPE, isValidTypeName, name, r, 'object type');
      if (((checked[oi] as number) & AS_OBJECT_ID) === 0) this.check(oi, AS_OBJECT_ID, isValidObjectId, name, r, 'object id');
      if (((checked[rel] as number) & AS_RELATION) === 0) this.check(rel, AS_RELATION, isValidRelationName, name, r, 'relation');
      if (((checked[ut] as number) & AS_TYPE) === 0) this.check(ut, AS_TYPE, isValidTypeName, name, r, 'user type');
      let user: string;
      if (strings[ui] === '*') {
        if (ur !== 0) throw this.rowError(name, r, `a wildcard user (${strings[ut]}:*) cannot have a relation`);
        user = `${strings[ut]}:*`;
      } else {
        if (((checked[ui] as number) & AS_OBJECT_ID) === 0) this.check(ui, AS_OBJECT_ID, isValidObjectId, name, r, 'user id');
        user = this.pair(ut, ui);
        if (ur !== 0) {
          if (((checked[ur] as number) & AS_RELATION) === 0) this.check(ur, AS_RELATION, isValidRelationName, name, r, 'user relation');
          user = `${user}#${strings[ur]}`;
        }
      }
      const object = this.pair(ot, oi);
      const relation = strings[rel] as string;
      const condition = conditions?.get(r);
      out.push(condition ? { user, relation, object, condition } : { user, relation, object });
    }
    return out;
  }

  private conditions(block: BlockValue, name: string, allowed: boolean): Map<number, RelationshipCondition> | undefined {
    const entries = block.conditions;
    if (entries === undefined || entries.length === 0) return undefined;
    if (!allowed) throw failure(this.what, `${name}: deletes name tuples by object, relation and user and carry no conditions`);
    const out = new Map<number, RelationshipCondition>();
    let previous = -1;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const where = `${name}.conditions[${i}]`;
      if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) {
        throw failure(this.what, `${where}: expected [row, nameIndex] or [row, nameIndex, context]`);
      }
      const [row, nameIndex, context] = entry as unknown[];
      if (typeof row !== 'number' || !Number.isInteger(row) || row <= previous || row >= block.count) {
        throw failure(this.what, `${where}: row ${JSON.stringify(row)} must be a row number below ${block.count}, greater than the previous entry's`);
      }
      if (typeof nameIndex !== 'number' || !Number.isInteger(nameIndex) || nameIndex <= 0 || nameIndex >= this.strings.length) {
        throw this.rowError(name, row, `condition name index ${JSON.stringify(nameIndex)} is not a valid index into the string table (${this.strings.length} entries)`);
      }
      if (((this.checked[nameIndex] as number) & AS_CONDITION) === 0) this.check(nameIndex, AS_CONDITION, isValidConditionName, name, row, 'condition name');
      if (context !== undefined && !isPlainObject(context)) {
        throw this.rowError(name, row, `the context of condition '${this.strings[nameIndex]}' must be an object, got ${describe(context)}`);
      }
      const conditionName = this.strings[nameIndex] as string;
      out.set(row, context === undefined ? { name: conditionName } : { name: conditionName, context });
      previous = row;
    }
    return out;
  }

  private check(index: number, role: number, valid: (s: string) => boolean, name: string, row: number, column: string): void {
    const value = this.strings[index] as string;
    if (!valid(value)) throw this.rowError(name, row, `invalid ${column} ${JSON.stringify(value)} (string ${index})`);
    this.checked[index] = (this.checked[index] as number) | role;
  }

  private pair(type: number, id: number): string {
    if (this.pairType[id] === type) return this.pairText[id] as string;
    const text = `${this.strings[type]}:${this.strings[id]}`;
    if (this.pairType[id] === -1) {
      this.pairType[id] = type;
      this.pairText[id] = text;
      return text;
    }
    const shared = this.otherPairs.get(text);
    if (shared !== undefined) return shared;
    this.otherPairs.set(text, text);
    return text;
  }

  private badIndex(rows: readonly unknown[], base: number, name: string, row: number): GatehouseError {
    for (let c = 0; c < ROW_WIDTH; c++) {
      const v = rows[base + c];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= this.strings.length) {
        return this.rowError(name, row, `${COLUMNS[c]} index ${JSON.stringify(v)} is not a valid index into the string table (${this.strings.length} entries)`);
      }
    }
    return this.rowError(name, row, 'invalid row');
  }

  private rowError(name: string, row: number, message: string): GatehouseError {
    return failure(this.what, `${name} row ${row}: ${message}`);
  }
}

function checkRevision(value: unknown, what: 'bundle' | 'change set', field: string): void {
  if (!isRevision(value)) throw failure(what, `${field}: ${REVISION_MESSAGE}, got ${describe(value)}`);
}

function checkModel(model: unknown, modelId: unknown, what: 'bundle' | 'change set'): AuthorizationModel {
  if (typeof modelId !== 'string' || modelId.length === 0) throw failure(what, `modelId: expected a non-empty string, got ${describe(modelId)}`);
  // Structure only (shapes, rewrites, schema version); semantic validation is the engine's, which
  // compiles the model before a sink accepts it.
  const result = parseModelStructure(model);
  if (result.ok) return result.value;
  const shown = result.diagnostics.slice(0, 5).map((d) => ({ ...d, path: ['model', ...(d.path ?? [])] }));
  const more = result.diagnostics.length > 5 ? ` (and ${result.diagnostics.length - 5} more)` : '';
  throw failure(what, `invalid model: ${formatDiagnostics(shown).replace(/\n/g, '; ')}${more}`);
}

function checkChangeShape(changes: ChangeSet, what: 'change set'): void {
  const order = compareRevisions(changes.to, changes.from);
  if (order < 0) throw failure(what, `to (${changes.to}) is lower than from (${changes.from})`);
  if ((changes.model === undefined) !== (changes.modelId === undefined)) {
    throw failure(what, 'model and modelId must be present together');
  }
  if (order === 0 && (changes.writes.length > 0 || changes.deletes.length > 0 || changes.model !== undefined)) {
    throw failure(what, `an empty range (from = to = ${changes.from}) cannot carry changes`);
  }
}

function checkDisjoint(writes: readonly TupleKeyWithoutCondition[], deletes: readonly TupleKeyWithoutCondition[]): void {
  if (writes.length === 0 || deletes.length === 0) return;
  const written = new Map<string, number>();
  writes.forEach((t, i) => written.set(tupleKeyId(t), i));
  deletes.forEach((t, i) => {
    const w = written.get(tupleKeyId(t));
    if (w !== undefined) {
      throw failure('change set', `deletes row ${i} (${t.object} ${t.relation} ${t.user}) is also written (writes row ${w}); a change set holds the net effect`);
    }
  });
}

function failure(what: 'bundle' | 'change set', message: string, cause?: unknown): GatehouseError {
  return new GatehouseError('invalid_bundle', `invalid ${what}: ${message}`, cause === undefined ? {} : { cause });
}

