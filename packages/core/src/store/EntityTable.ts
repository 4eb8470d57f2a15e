import { GatehouseError } from '../errors/index';

const EMPTY = -1;
// OpenFGA's object id characters (openfga/language): letters, digits and `_ | * @ . + / -`.
const ID_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_|*@.+/-') ID_CHAR[c.charCodeAt(0)] = 1;
const MAX_ID_LENGTH = 256;

/**
 * Interns the ids of one type to dense integers, in insertion order, in typed arrays: the id
 * characters back to back in one byte buffer, and an open-addressing hash table of
 * `(hash, number)` pairs. About 20 bytes an id, off the JS heap, with no per-id object for the
 * garbage collector, and no Map (V8 caps a Map at 2^24 entries; this table only needs memory).
 *
 * Lookups take the full `type:id` string and read the id from `prefixLength` on, so callers
 * never slice. Ids are ASCII (OpenFGA's id rule allows letters, digits and `_|*@.+/-` only; the
 * store validates every new id before interning it).
 *
 * Append-only: an id keeps its number forever, so every store version built from the same table
 * can share it; a version simply never looks past the numbers it knows.
 */
export class EntityTable {
  /** `type:`, prepended to ids to form names. */
  readonly prefix: string;
  private readonly prefixLength: number;
  private bytes: Uint8Array = new Uint8Array(1024);
  private byteLength = 0;
  private offsets: Int32Array = new Int32Array(257);
  private count = 0;
  // Interleaved (hash, number) pairs; capacity is a power of two, at most half full.
  private table: Int32Array = new Int32Array(2 * 256).fill(EMPTY);
  private mask = 255;
  private readonly seed: number;
  // The last miss of `get`, so `add` right after it does not hash again.
  private missName = '';
  private missHash = 0;

  constructor(typeName: string) {
    this.prefix = `${typeName}:`;
    this.prefixLength = this.prefix.length;
    // A per-table seed, so ids cannot be chosen to collide everywhere.
    this.seed = (Math.random() * 0x7fffffff) | 0;
  }

  /** How many ids are interned. */
  get size(): number {
    return this.count;
  }

  private hashOf(name: string, from: number): number {
    let h = this.seed ^ 0x811c9dc5;
    for (let i = from; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    return h ^ (h >>> 13);
  }

  private equals(id: number, name: string, from: number): boolean {
    const start = this.offsets[id]!;
    const len = this.offsets[id + 1]! - start;
    if (name.length - from !== len) return false;
    const bytes = this.bytes;
    for (let i = 0; i < len; i++) if (bytes[start + i] !== name.charCodeAt(from + i)) return false;
    return true;
  }

  /** The number of `name` (`type:id`, of this table's type), or -1. */
  get(name: string): number {
    return name.startsWith(this.prefix) ? this.lookup(name) : -1;
  }

  /** {@link EntityTable.get} for a name the caller has already matched to this table's type. */
  lookup(name: string): number {
    const from = this.prefixLength;
    const h = this.hashOf(name, from);
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const id = table[2 * slot + 1]!;
      if (id === EMPTY) {
        this.missName = name;
        this.missHash = h;
        return -1;
      }
      if (table[2 * slot] === h && this.equals(id, name, from)) return id;
      slot = (slot + 1) & mask;
    }
  }

  /**
   * The number of `name`, interning it if new.
   *
   * @throws {GatehouseError} `invalid_object_format` when a new id breaks OpenFGA's id rule.
   */
  intern(name: string): number {
    const existing = this.get(name);
    if (existing >= 0) return existing;
    const id = this.add(name);
    if (id < 0) throw new GatehouseError('invalid_object_format', `invalid object id in '${name}'`);
    return id;
  }

  /**
   * Interns `name`, known to be absent, after checking its id against OpenFGA's id rule (the
   * check rides on the copy, so new ids cost no separate validation). Returns -1, interning
   * nothing, when the id is not valid.
   */
  add(name: string): number {
    const from = this.prefixLength;
    const len = name.length - from;
    if (len <= 0 || len > MAX_ID_LENGTH || !name.startsWith(this.prefix)) return -1;
    if (this.byteLength + len > this.bytes.length) this.bytes = grow8(this.bytes, this.byteLength + len);
    const bytes = this.bytes;
    let at = this.byteLength;
    for (let i = from; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c > 127 || ID_CHAR[c] !== 1) return -1;
      bytes[at++] = c;
    }
    if (bytes[this.byteLength] === 42) return -1; // `*` may not start an id: it reads as a wildcard
    const id = this.count;
    if (id + 2 > this.offsets.length) this.offsets = grow32(this.offsets, id + 2);
    this.offsets[id] = this.byteLength;
    this.offsets[id + 1] = at;
    this.byteLength = at;
    this.count = id + 1;
    if (2 * this.count > this.mask + 1) this.rehash();
    this.place(name === this.missName ? this.missHash : this.hashOf(name, from), id);
    return id;
  }

  private place(h: number, id: number): void {
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    while (table[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
    table[2 * slot] = h;
    table[2 * slot + 1] = id;
  }

  private rehash(): void {
    const old = this.table;
    const capacity = 2 * (this.mask + 1);
    this.table = new Int32Array(2 * capacity).fill(EMPTY);
    this.mask = capacity - 1;
    for (let slot = 0; slot < old.length; slot += 2) {
      const id = old[slot + 1]!;
      if (id !== EMPTY) this.place(old[slot]!, id);
    }
  }

  /** The name (`type:id`) of number `id`. */
  name(id: number): string {
    const start = this.offsets[id]!;
    const end = this.offsets[id + 1]!;
    let s = '';
    const bytes = this.bytes;
    // Ids are short: building the string char by char beats a decoder call.
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return this.prefix + s;
  }

  /** Bytes held (ids, offsets and the hash table), for memory reports. */
  get byteSize(): number {
    return this.bytes.byteLength + this.offsets.byteLength + this.table.byteLength;
  }
}

function grow8(a: Uint8Array, need: number): Uint8Array {
  let size = a.length * 2;
  while (size < need) size *= 2;
  const b = new Uint8Array(size);
  b.set(a);
  return b;
}

function grow32(a: Int32Array, need: number): Int32Array {
  let size = a.length * 2;
  while (size < need) size *= 2;
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
