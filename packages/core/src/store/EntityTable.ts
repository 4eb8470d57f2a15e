import { GatehouseError } from '../errors/index';

// OpenFGA's object id characters (openfga/language): letters, digits and `_ | * @ . + / -`.
const ID_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_|*@.+/-') ID_CHAR[c.charCodeAt(0)] = 1;
const MAX_ID_LENGTH = 256;
// The low bits of a stored tag hold the id's length (at most 256, so 9 bits).
const LENGTH_BITS = 0x1ff;
// Ids up to this many characters sit whole in their hash table entry.
const INLINE = 8;
const INITIAL_BITS = 8;

/**
 * Interns the ids of one type to dense integers, in insertion order, in typed arrays: the id
 * characters back to back in one byte buffer, and an open-addressing hash table of 16-byte
 * entries `(tag, number + 1, first 4 characters, next 4 characters)`, where the tag is the hash
 * with the id's length in its low bits. Off the JS heap, with no per-id object for the garbage
 * collector, and no Map (V8 caps a Map at 2^24 entries; this table only needs memory).
 *
 * An id of at most 8 characters is compared inside its entry, so a lookup usually reads one
 * cache line of the table and nothing else; longer ids compare their tail with the byte buffer.
 * Four entries share a cache line, so linear probing rarely leaves it.
 *
 * Lookups take the full `type:id` string and read the id from `prefixLength` on (up to an end
 * index, so `type:id#relation` needs no slice either). Ids are ASCII (OpenFGA's id rule allows
 * letters, digits and `_|*@.+/-` only; the store validates every new id before interning it), so
 * a name with any other character is simply absent.
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
  // Four Int32 per entry; capacity is a power of two, at most half full. Number 0 marks a free entry.
  private table: Int32Array = new Int32Array(4 << INITIAL_BITS);
  private mask = (1 << INITIAL_BITS) - 1;
  private shift = 32 - INITIAL_BITS;
  private readonly seed: number;
  // The key of the last `hashKey` call (no allocation for a multi-value result).
  private kTag = 0;
  private kW0 = 0;
  private kW1 = 0;

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

  /**
   * Hashes `name[prefixLength, end)` (murmur3, four characters at a time) into `kTag`, with its
   * first eight characters packed into `kW0`/`kW1`. False when it cannot be an interned id (empty,
   * too long, or a character outside ASCII).
   */
  private hashKey(name: string, end: number): boolean {
    const from = this.prefixLength;
    const len = end - from;
    if (len <= 0 || len > MAX_ID_LENGTH || end > name.length) return false;
    let h = this.seed;
    let w0 = 0;
    let w1 = 0;
    let any = 0;
    let i = from;
    for (let word = 0; i < end; word++) {
      const stop = i + 4 < end ? i + 4 : end;
      let w = 0;
      for (let bit = 0; i < stop; i++, bit += 8) {
        const c = name.charCodeAt(i);
        any |= c;
        w |= c << bit;
      }
      if (word === 0) w0 = w;
      else if (word === 1) w1 = w;
      let k = Math.imul(w, 0xcc9e2d51);
      k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
      h ^= k;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    if (any > 127) return false;
    h ^= len;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    this.kTag = (h & ~LENGTH_BITS) | len;
    this.kW0 = w0;
    this.kW1 = w1;
    return true;
  }

  // The characters past the inline eight of id `id` against `name[from + 8, end)` (lengths already match).
  private tailEquals(id: number, name: string, end: number): boolean {
    const bytes = this.bytes;
    let at = this.offsets[id]! + INLINE;
    for (let i = this.prefixLength + INLINE; i < end; i++, at++) if (bytes[at] !== name.charCodeAt(i)) return false;
    return true;
  }

  /** The number of `name` (`type:id`, of this table's type), or -1. */
  get(name: string): number {
    return name.startsWith(this.prefix) ? this.lookupRange(name, name.length) : -1;
  }

  /** {@link EntityTable.get} for a name the caller has already matched to this table's type. */
  lookup(name: string): number {
    return this.lookupRange(name, name.length);
  }

  /** {@link EntityTable.lookup} of `name[0, end)` (e.g. the object of `type:id#relation`). */
  lookupRange(name: string, end: number): number {
    if (!this.hashKey(name, end)) return -1;
    const tag = this.kTag;
    const w0 = this.kW0;
    const w1 = this.kW1;
    const table = this.table;
    const mask = this.mask;
    let slot = tag >>> this.shift;
    for (;;) {
      const at = slot << 2;
      const n = table[at + 1]!;
      if (n === 0) return -1;
      if (table[at] === tag && table[at + 2] === w0 && table[at + 3] === w1 && ((tag & LENGTH_BITS) <= INLINE || this.tailEquals(n - 1, name, end))) {
        return n - 1;
      }
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
    return this.addRange(name, name.length);
  }

  /** {@link EntityTable.add} of `name[0, end)`. */
  addRange(name: string, end: number): number {
    const from = this.prefixLength;
    const len = end - from;
    if (len <= 0 || len > MAX_ID_LENGTH || end > name.length || !name.startsWith(this.prefix)) return -1;
    if (this.byteLength + len > this.bytes.length) this.bytes = grow8(this.bytes, this.byteLength + len);
    const bytes = this.bytes;
    let at = this.byteLength;
    for (let i = from; i < end; i++) {
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
    this.hashKey(name, end);
    this.place(this.kTag, id + 1, this.kW0, this.kW1);
    return id;
  }

  private place(tag: number, n: number, w0: number, w1: number): void {
    const table = this.table;
    const mask = this.mask;
    let slot = tag >>> this.shift;
    while (table[(slot << 2) + 1] !== 0) slot = (slot + 1) & mask;
    const at = slot << 2;
    table[at] = tag;
    table[at + 1] = n;
    table[at + 2] = w0;
    table[at + 3] = w1;
  }

  private rehash(): void {
    const old = this.table;
    const bits = 33 - this.shift;
    this.table = new Int32Array(4 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    for (let at = 0; at < old.length; at += 4) {
      const n = old[at + 1]!;
      if (n !== 0) this.place(old[at]!, n, old[at + 2]!, old[at + 3]!);
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
