import { GatehouseError } from '../errors/index';

// OpenFGA's object id characters (openfga/language): letters, digits and `_ | * @ . + / -`.
const ID_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_|*@.+/-') ID_CHAR[c.charCodeAt(0)] = 1;
const MAX_ID_LENGTH = 256;
// The low bits of a stored tag hold the id's length (at most 256, so 9 bits).
const LENGTH_BITS = 0x1ff;
// Ids up to this many characters sit whole in their hash table entry (7 bits a character: ids
// are ASCII).
const INLINE = 9;
const INITIAL_BITS = 8;

/**
 * True when `s[from, end)` is a valid object id under OpenFGA's rule (as `isValidObjectId`), read
 * in place.
 */
export function isValidIdRange(s: string, from: number, end: number): boolean {
  if (end <= from || end - from > MAX_ID_LENGTH || end > s.length || s.charCodeAt(from) === 42) return false;
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || ID_CHAR[c] !== 1) return false;
  }
  return true;
}

/**
 * Interns the ids of one type to dense integers, in insertion order, in typed arrays: the id
 * characters back to back in one byte buffer, and an open-addressing hash table of 16-byte
 * entries `(tag, ref, key0, key1)`. The tag is the id's hash with its length in the low bits; the
 * key words hold its first nine characters, seven bits each (ids are ASCII). The ref is the
 * number + 1 for an id of at most nine characters, which the entry alone identifies; for a longer
 * id it is `-(record + 1)`, the place in the byte buffer of a record holding the number and then
 * every character.
 *
 * So a lookup reads one cache line of the table for a short id, and one more (the record) for a
 * long one; four entries share a line, so linear probing rarely leaves it. No Map (V8 caps a Map
 * at 2^24 entries; this table only needs memory), and no per-id object for the garbage collector.
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
  // Four Int32 per entry; capacity is a power of two, at most half full. Ref 0 marks a free entry.
  private table: Int32Array = new Int32Array(4 << INITIAL_BITS);
  private mask = (1 << INITIAL_BITS) - 1;
  private shift = 32 - INITIAL_BITS;
  private readonly seed: number;
  /** The key of the last {@link EntityTable.hashKey} call (no allocation for a multi-value result). @internal */
  kTag = 0;
  /** See {@link EntityTable.kTag}. @internal */
  kW0 = 0;
  /** See {@link EntityTable.kTag}. @internal */
  kW1 = 0;

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
   * Hashes `name[prefixLength, end)` (murmur3 over the key words, then four characters a word)
   * into `kTag`, with its first nine characters packed into `kW0`/`kW1`. False when it cannot be
   * an interned id (empty, too long, or a character outside ASCII). @internal
   */
  hashKey(name: string, end: number): boolean {
    const from = this.prefixLength;
    const len = end - from;
    if (len <= 0 || len > MAX_ID_LENGTH || end > name.length) return false;
    let any = 0;
    let w0 = 0;
    let w1 = 0;
    const head = from + (len < INLINE ? len : INLINE);
    for (let i = from, bit = 0; i < head; i++, bit += 7) {
      const c = name.charCodeAt(i);
      any |= c;
      if (bit < 28) w0 |= c << bit;
      else if (bit === 28) {
        w0 |= c << 28;
        w1 = c >>> 4;
      } else w1 |= c << (bit - 32);
    }
    let h = mix(mix(this.seed, w0), w1);
    for (let i = head; i < end; ) {
      const stop = i + 4 < end ? i + 4 : end;
      let w = 0;
      for (let bit = 0; i < stop; i++, bit += 8) {
        const c = name.charCodeAt(i);
        any |= c;
        w |= c << bit;
      }
      h = mix(h, w);
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

  // The number in the long-id record at `record` if its characters past the inline nine equal
  // `name[prefixLength + 9, end)` (lengths already match), else -1.
  private recordMatch(record: number, name: string, end: number): number {
    const bytes = this.bytes;
    let at = record + 4 + INLINE;
    for (let i = this.prefixLength + INLINE; i < end; i++, at++) if (bytes[at] !== name.charCodeAt(i)) return -1;
    return bytes[record]! | (bytes[record + 1]! << 8) | (bytes[record + 2]! << 16) | (bytes[record + 3]! << 24);
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
    return this.hashKey(name, end) ? this.findKey(name, end, this.kTag, this.kW0, this.kW1) : -1;
  }

  /** {@link EntityTable.lookupRange} with the key {@link EntityTable.hashKey} computed. @internal */
  findKey(name: string, end: number, tag: number, w0: number, w1: number): number {
    const table = this.table;
    const mask = this.mask;
    let slot = tag >>> this.shift;
    for (;;) {
      const at = slot << 2;
      const ref = table[at + 1]!;
      if (ref === 0) return -1;
      if (table[at] === tag && table[at + 2] === w0 && table[at + 3] === w1) {
        if (ref > 0) return ref - 1;
        const id = this.recordMatch(-ref - 1, name, end);
        if (id >= 0) return id;
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Reads the table word a lookup of key `tag` starts at. A bulk load reads the words of a whole
   * batch of names first, in a tight loop, so their cache misses overlap. @internal
   */
  probe(tag: number): number {
    return this.table[((tag >>> this.shift) << 2) + 1]!;
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
    return this.hashKey(name, end) ? this.addKey(name, end, this.kTag, this.kW0, this.kW1) : -1;
  }

  /** {@link EntityTable.addRange} with the key {@link EntityTable.hashKey} computed. @internal */
  addKey(name: string, end: number, tag: number, w0: number, w1: number): number {
    const from = this.prefixLength;
    const len = end - from;
    if (len <= 0 || len > MAX_ID_LENGTH || end > name.length || !name.startsWith(this.prefix)) return -1;
    const long = len > INLINE;
    const need = this.byteLength + len + (long ? 4 : 0);
    if (need > this.bytes.length) this.bytes = grow8(this.bytes, need);
    const bytes = this.bytes;
    const id = this.count;
    const record = this.byteLength;
    let at = record;
    if (long) {
      bytes[at++] = id & 0xff;
      bytes[at++] = (id >>> 8) & 0xff;
      bytes[at++] = (id >>> 16) & 0xff;
      bytes[at++] = id >>> 24;
    }
    const start = at;
    for (let i = from; i < end; i++) {
      const c = name.charCodeAt(i);
      if (c > 127 || ID_CHAR[c] !== 1) return -1;
      bytes[at++] = c;
    }
    if (bytes[start] === 42) return -1; // `*` may not start an id: it reads as a wildcard
    if (id + 2 > this.offsets.length) this.offsets = grow32(this.offsets, id + 2);
    this.offsets[id] = record;
    this.offsets[id + 1] = at;
    this.byteLength = at;
    this.count = id + 1;
    if (2 * this.count > this.mask + 1) this.rehash();
    this.place(tag, long ? -record - 1 : id + 1, w0, w1);
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
    let start = this.offsets[id]!;
    const end = this.offsets[id + 1]!;
    // A record longer than an inline id is a long id's: its number comes first.
    if (end - start > INLINE) start += 4;
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

// One murmur3 round: `h` absorbs the word `w`.
function mix(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
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
