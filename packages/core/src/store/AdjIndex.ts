/**
 * An immutable multimap from integer keys to sorted integer lists, each value optionally tagged
 * with a slot (which relation restriction it belongs to) and a condition reference. The store
 * keeps one forward index per object type (object → every direct edge of that object, tagged
 * with its slot, so one lookup brings an object's whole neighbourhood into cache) and one reverse
 * index per slot (user → objects).
 *
 * The base is built once, in typed arrays (no Map or Set: V8 caps those at 2^24 entries, and typed
 * arrays cost 4 bytes a value), in one of three layouts picked from the data:
 * - dense single: every key has at most one value, keys are dense: `data[key]` (-1 for none);
 * - dense CSR: `offs[key]..offs[key+1]` into `data`;
 * - hashed: an open-addressing table (`hkeys`, `offs`, `hlens`) into `data`, for sparse keys.
 * Within a key, values are sorted by (slot, value).
 *
 * Changes never touch the base: {@link AdjIndex.withChanges} returns a new index sharing the base
 * arrays, with the changed keys' complete new lists in a {@link Patch} (copy-on-write). When the
 * patch grows past a fraction of the base, the index is rebuilt, so reads stay a few lookups deep.
 */

/** A patched key's complete list, sorted by (slot, value). */
export interface PatchEntry {
  /** Values. */
  readonly t: Int32Array;
  /** Condition references aligned with `t`, or null when none is conditioned. */
  readonly c: Int32Array | null;
  /** Slots aligned with `t`, or null for an untagged index. */
  readonly s: Uint16Array | null;
}

/**
 * Changed keys' complete lists, in three immutable layers probed newest first: `recent` (a few
 * hundred keys at most), `mid` (a few thousand) and `old` (the rest, until the index is rebuilt). A delta copies only `recent`; a full `recent` is merged into a copy of
 * `mid`, a full `mid` into a copy of `old`. Each merge costs the size of the layer it copies and
 * happens once per that layer's fill, so a delta costs O(delta) amortized, however many keys
 * have been patched since the last rebuild (copying one flat map of every patched key made a
 * delta's cost grow with them).
 */
export class Patch {
  /** Newest layer. */
  readonly recent: ReadonlyMap<number, PatchEntry>;
  /** Middle layer, or null when empty. */
  readonly mid: ReadonlyMap<number, PatchEntry> | null;
  /** Oldest layer, or null when empty. */
  readonly old: ReadonlyMap<number, PatchEntry> | null;
  /** Number of distinct patched keys. */
  readonly size: number;

  /** Takes ownership of the maps: none is changed afterwards. */
  constructor(
    recent: ReadonlyMap<number, PatchEntry>,
    mid: ReadonlyMap<number, PatchEntry> | null,
    old: ReadonlyMap<number, PatchEntry> | null,
    size: number,
  ) {
    this.recent = recent;
    this.mid = mid;
    this.old = old;
    this.size = size;
  }

  /** `key`'s newest list, or undefined when the key is not patched. */
  get(key: number): PatchEntry | undefined {
    const e = this.recent.get(key);
    if (e !== undefined) return e;
    if (this.mid !== null) {
      const m = this.mid.get(key);
      if (m !== undefined) return m;
    }
    return this.old === null ? undefined : this.old.get(key);
  }

  /** Whether `key` is patched. */
  has(key: number): boolean {
    return this.recent.has(key) || (this.mid !== null && this.mid.has(key)) || (this.old !== null && this.old.has(key));
  }

  /** Calls `fn` once per patched key with its newest list. */
  forEach(fn: (entry: PatchEntry, key: number) => void): void {
    const { recent, mid, old } = this;
    for (const [k, e] of recent) fn(e, k);
    if (mid !== null) for (const [k, e] of mid) if (!recent.has(k)) fn(e, k);
    if (old !== null) for (const [k, e] of old) if (!recent.has(k) && (mid === null || !mid.has(k))) fn(e, k);
  }
}

/** Changes to one key: `[value, slot, conditionRef]` to add, `[value, slot]` to remove. */
export interface KeyChange {
  /** Entries to add (an entry already present gets the new condition). */
  readonly add: Array<readonly [number, number, number]>;
  /** Entries to remove. */
  readonly remove: Array<readonly [number, number]>;
}

const MODE_EMPTY = 0;
const MODE_SINGLE = 1;
const MODE_CSR = 2;
const MODE_HASHED = 3;
const EMPTY = new Int32Array(0);
const EMPTY_U16 = new Uint16Array(0);
// A patch larger than this share of the base triggers a rebuild.
const PATCH_REBUILD_RATIO = 8;
const PATCH_REBUILD_MIN = 4096;
// Patch layer bounds (see Patch): a delta copies at most PATCH_RECENT_MAX entries, a merge into
// `mid` at most PATCH_MID_MAX; merges into `old` come once per PATCH_MID_MAX patched keys.
const PATCH_RECENT_MAX = 256;
const PATCH_MID_MAX = 8192;
// A patch this large is folded whatever the base's size (V8 caps a Map at 2^24 entries).
const PATCH_MAX_KEYS = 1 << 23;
const SLOT_SHIFT = 4294967296;

/** See the module comment. */
export class AdjIndex {
  /** Layout: one of the `MODE_*` constants. */
  readonly mode: number;
  /** Key bound of the dense layouts. */
  readonly n: number;
  /** Values (or `data[key]` in the dense-single layout). */
  readonly data: Int32Array;
  /** Condition references aligned with `data`, or null when no value is conditioned. */
  readonly cdata: Int32Array | null;
  /** Slots aligned with `data`, or null for an untagged index. */
  readonly sdata: Uint16Array | null;
  /** CSR offsets, or the hashed table's list starts. */
  readonly offs: Int32Array;
  /** Hashed table keys (-1 marks an empty slot). */
  readonly hkeys: Int32Array;
  /** Hashed table list lengths. */
  readonly hlens: Int32Array;
  /** Hashed table shift (32 - log2 capacity). */
  readonly shift: number;
  /** Changed keys' complete lists, or null. */
  readonly patch: Patch | null;
  /** Number of values in the base. */
  readonly baseCount: number;
  /** Number of values including the patch. */
  readonly count: number;
  private readonly tagged: boolean;

  // Result of the last lookup: `arr[lo..hi)` (with `carr`, `sarr`). Callers copy these out
  // before any nested lookup: evaluation is synchronous, so nothing else can interleave.
  /** Array holding the last lookup's values. */
  arr: Int32Array = EMPTY;
  /** Condition references for `arr`, or null. */
  carr: Int32Array | null = null;
  /** Slots for `arr`, or null. */
  sarr: Uint16Array | null = null;
  /** Start of the last lookup's values in `arr`. */
  lo = 0;
  /** End (exclusive) of the last lookup's values in `arr`. */
  hi = 0;

  private constructor(
    mode: number,
    n: number,
    data: Int32Array,
    cdata: Int32Array | null,
    sdata: Uint16Array | null,
    offs: Int32Array,
    hkeys: Int32Array,
    hlens: Int32Array,
    shift: number,
    patch: Patch | null,
    baseCount: number,
    count: number,
    tagged: boolean,
  ) {
    this.mode = mode;
    this.n = n;
    this.data = data;
    this.cdata = cdata;
    this.sdata = sdata;
    this.offs = offs;
    this.hkeys = hkeys;
    this.hlens = hlens;
    this.shift = shift;
    this.patch = patch;
    this.baseCount = baseCount;
    this.count = count;
    this.tagged = tagged;
  }

  /** The empty index (`tagged`: values carry slots). */
  static empty(tagged: boolean): AdjIndex {
    return new AdjIndex(MODE_EMPTY, 0, EMPTY, null, tagged ? EMPTY_U16 : null, EMPTY, EMPTY, EMPTY, 0, null, 0, 0, tagged);
  }

  /**
   * Builds an index from `count` parallel `(key, value, conditionRef, slot)` entries (`slots`
   * null for an untagged index). Keys must be in `[0, keyBound)`. Duplicate `(key, slot, value)`
   * entries are kept once (the first one's condition).
   */
  static build(
    keys: Int32Array,
    vals: Int32Array,
    conds: Int32Array | null,
    slots: Uint16Array | null,
    count: number,
    keyBound: number,
  ): AdjIndex {
    const tagged = slots !== null;
    if (count === 0) return AdjIndex.empty(tagged);
    // Entries are grouped by key, stably: a counting sort scatters them in one pass (a radix
    // sort orders them when keys are sparse). Each group (usually a few entries) is then sorted by
    // (slot, value) where it lies, and de-duplicated as the groups are packed together.
    const outKeys = new Int32Array(count);
    const outVals = new Int32Array(count);
    const outSlots = slots ? new Uint16Array(count) : null;
    const outConds = conds ? new Int32Array(count) : null;
    if (keyBound <= count * 4 + 1024) {
      const cursor = new Int32Array(keyBound + 1);
      for (let i = 0; i < count; i++) cursor[keys[i]! + 1]!++;
      for (let k = 0; k < keyBound; k++) cursor[k + 1]! += cursor[k]!;
      for (let i = 0; i < count; i++) {
        const key = keys[i]!;
        const at = cursor[key]!++;
        outKeys[at] = key;
        outVals[at] = vals[i]!;
        if (outSlots) outSlots[at] = slots![i]!;
        if (outConds) outConds[at] = conds![i]!;
      }
    } else {
      const order = radixSort(identity(count), keys, count);
      for (let i = 0; i < count; i++) {
        const idx = order[i]!;
        outKeys[i] = keys[idx]!;
        outVals[i] = vals[idx]!;
        if (outSlots) outSlots[i] = slots![idx]!;
        if (outConds) outConds[i] = conds![idx]!;
      }
    }
    let m = 0;
    let distinct = 0;
    let maxGroup = 0;
    for (let a = 0; a < count; ) {
      const key = outKeys[a]!;
      let b = a + 1;
      while (b < count && outKeys[b] === key) b++;
      if (b - a > 1) sortGroup(outVals, outSlots, outConds, a, b);
      const groupStart = m;
      let lastVal = -1;
      let lastSlot = -1;
      for (let i = a; i < b; i++) {
        const v = outVals[i]!;
        const sl = outSlots ? outSlots[i]! : 0;
        if (v === lastVal && sl === lastSlot) continue; // a duplicate: the first one (and its condition) wins
        lastVal = v;
        lastSlot = sl;
        outKeys[m] = key;
        outVals[m] = v;
        if (outSlots) outSlots[m] = sl;
        if (outConds) outConds[m] = outConds[i]!;
        m++;
      }
      distinct++;
      if (m - groupStart > maxGroup) maxGroup = m - groupStart;
      a = b;
    }
    let cdata = outConds;
    if (cdata) {
      let any = false;
      for (let k = 0; k < m; k++) {
        if (cdata[k] !== 0) {
          any = true;
          break;
        }
      }
      if (!any) cdata = null;
    }
    return AdjIndex.fromSorted(outKeys, outVals, cdata, outSlots, m, distinct, maxGroup, keyBound, tagged);
  }

  private static fromSorted(
    keys: Int32Array,
    vals: Int32Array,
    conds: Int32Array | null,
    slots: Uint16Array | null,
    m: number,
    distinct: number,
    maxGroup: number,
    keyBound: number,
    tagged: boolean,
  ): AdjIndex {
    if (m === 0) return AdjIndex.empty(tagged);
    const dense = keyBound <= 1024 || distinct * 4 >= keyBound;
    if (dense && maxGroup === 1) {
      const data = new Int32Array(keyBound).fill(-1);
      const cdata = conds ? new Int32Array(keyBound) : null;
      const sdata = slots ? new Uint16Array(keyBound) : null;
      for (let k = 0; k < m; k++) {
        const key = keys[k]!;
        data[key] = vals[k]!;
        if (cdata) cdata[key] = conds![k]!;
        if (sdata) sdata[key] = slots![k]!;
      }
      return new AdjIndex(MODE_SINGLE, keyBound, data, cdata, sdata, EMPTY, EMPTY, EMPTY, 0, null, m, m, tagged);
    }
    const data = vals.length === m ? vals : vals.slice(0, m);
    const cdata = conds ? (conds.length === m ? conds : conds.slice(0, m)) : null;
    const sdata = slots ? (slots.length === m ? slots : slots.slice(0, m)) : null;
    if (dense) {
      const offs = new Int32Array(keyBound + 1);
      for (let k = 0; k < m; k++) offs[keys[k]! + 1]!++;
      for (let k = 0; k < keyBound; k++) offs[k + 1]! += offs[k]!;
      return new AdjIndex(MODE_CSR, keyBound, data, cdata, sdata, offs, EMPTY, EMPTY, 0, null, m, m, tagged);
    }
    let bits = 4;
    while (1 << bits < distinct * 1.5) bits++;
    const cap = 1 << bits;
    const shift = 32 - bits;
    const mask = cap - 1;
    const hkeys = new Int32Array(cap).fill(-1);
    const offs = new Int32Array(cap);
    const hlens = new Int32Array(cap);
    let k = 0;
    while (k < m) {
      const key = keys[k]!;
      let j = k + 1;
      while (j < m && keys[j] === key) j++;
      let h = Math.imul(key, 0x9e3779b1) >>> shift;
      while (hkeys[h] !== -1) h = (h + 1) & mask;
      hkeys[h] = key;
      offs[h] = k;
      hlens[h] = j - k;
      k = j;
    }
    return new AdjIndex(MODE_HASHED, keyBound, data, cdata, sdata, offs, hkeys, hlens, shift, null, m, m, tagged);
  }

  /**
   * Looks `key` up; returns how many values it has and leaves them in `arr[lo..hi)` (conditions
   * in `carr`, slots in `sarr`). Negative and unknown keys have none.
   */
  find(key: number): number {
    if (this.patch !== null) {
      const p = this.patch.get(key);
      if (p !== undefined) {
        this.arr = p.t;
        this.carr = p.c;
        this.sarr = p.s;
        this.lo = 0;
        this.hi = p.t.length;
        return p.t.length;
      }
    }
    switch (this.mode) {
      case MODE_SINGLE: {
        if (key < 0 || key >= this.n || this.data[key] === -1) return 0;
        this.arr = this.data;
        this.carr = this.cdata;
        this.sarr = this.sdata;
        this.lo = key;
        this.hi = key + 1;
        return 1;
      }
      case MODE_CSR: {
        if (key < 0 || key >= this.n) return 0;
        const lo = this.offs[key]!;
        const hi = this.offs[key + 1]!;
        this.arr = this.data;
        this.carr = this.cdata;
        this.sarr = this.sdata;
        this.lo = lo;
        this.hi = hi;
        return hi - lo;
      }
      case MODE_HASHED: {
        if (key < 0) return 0;
        const hkeys = this.hkeys;
        const mask = hkeys.length - 1;
        let h = Math.imul(key, 0x9e3779b1) >>> this.shift;
        for (;;) {
          const k = hkeys[h]!;
          if (k === key) break;
          if (k === -1) return 0;
          h = (h + 1) & mask;
        }
        const lo = this.offs[h]!;
        const len = this.hlens[h]!;
        this.arr = this.data;
        this.carr = this.cdata;
        this.sarr = this.sdata;
        this.lo = lo;
        this.hi = lo + len;
        return len;
      }
      default:
        return 0;
    }
  }

  /** Like {@link AdjIndex.find}, narrowed to the values tagged `slot`. */
  findSlot(key: number, slot: number): number {
    const n = this.find(key);
    if (n === 0) return 0;
    const s = this.sarr;
    if (s === null) return n;
    let lo = this.lo;
    let hi = this.hi;
    if (n <= 8) {
      while (lo < hi && s[lo]! < slot) lo++;
      let end = lo;
      while (end < hi && s[end] === slot) end++;
      this.lo = lo;
      this.hi = end;
      return end - lo;
    }
    // First position with slot >= `slot`, then first with slot > `slot`.
    let a = lo;
    let b = hi;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (s[mid]! < slot) a = mid + 1;
      else b = mid;
    }
    let c = a;
    let d = hi;
    while (c < d) {
      const mid = (c + d) >>> 1;
      if (s[mid]! <= slot) c = mid + 1;
      else d = mid;
    }
    this.lo = a;
    this.hi = c;
    return c - a;
  }

  /**
   * The position of `value` among `key`'s values tagged `slot` (any slot for an untagged index)
   * in `arr` (after which `carr[pos]` is its condition), or -1.
   */
  indexOf(key: number, slot: number, value: number): number {
    const n = this.findSlot(key, slot);
    if (n === 0) return -1;
    const arr = this.arr;
    let lo = this.lo;
    let hi = this.hi;
    if (n <= 16) {
      for (let i = lo; i < hi; i++) if (arr[i] === value) return i;
      return -1;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = arr[mid]!;
      if (v === value) return mid;
      if (v < value) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }

  /** Every key with at least one value, base and patch merged. */
  keys(): number[] {
    const out: number[] = [];
    const patch = this.patch;
    const push = (k: number): void => {
      if (patch === null || !patch.has(k)) out.push(k);
    };
    switch (this.mode) {
      case MODE_SINGLE:
        for (let k = 0; k < this.n; k++) if (this.data[k] !== -1) push(k);
        break;
      case MODE_CSR:
        for (let k = 0; k < this.n; k++) if (this.offs[k + 1]! > this.offs[k]!) push(k);
        break;
      case MODE_HASHED:
        for (let h = 0; h < this.hkeys.length; h++) if (this.hkeys[h] !== -1) push(this.hkeys[h]!);
        break;
    }
    if (patch !== null)
      patch.forEach((p, k) => {
        if (p.t.length > 0) out.push(k);
      });
    return out;
  }

  /**
   * A new index with `changes` applied (this one is untouched). `keyBound` may have grown since
   * the base was built; keys past the base's bound live in the patch until the next rebuild.
   */
  withChanges(changes: ReadonlyMap<number, KeyChange>, keyBound: number): AdjIndex {
    const prev = this.patch;
    const recent = new Map<number, PatchEntry>(prev === null ? undefined : prev.recent);
    let size = prev === null ? 0 : prev.size;
    let count = this.count;
    const tagged = this.tagged;
    for (const [key, change] of changes) {
      const n = this.find(key);
      // (slot, value) packed into one number (exact below 2^53) → condition reference.
      const entries = new Map<number, number>();
      for (let i = this.lo; i < this.lo + n; i++) {
        const slot = this.sarr ? this.sarr[i]! : 0;
        entries.set(slot * SLOT_SHIFT + this.arr[i]!, this.carr ? this.carr[i]! : 0);
      }
      const before = entries.size;
      for (const [v, s] of change.remove) entries.delete((tagged ? s : 0) * SLOT_SHIFT + v);
      for (const [v, s, c] of change.add) entries.set((tagged ? s : 0) * SLOT_SHIFT + v, c);
      count += entries.size - before;
      const sorted = [...entries.keys()].sort((a, b) => a - b);
      const t = new Int32Array(sorted.length);
      const sl = tagged ? new Uint16Array(sorted.length) : null;
      let c: Int32Array | null = null;
      for (let i = 0; i < sorted.length; i++) {
        const packed = sorted[i]!;
        const slot = Math.floor(packed / SLOT_SHIFT);
        t[i] = packed - slot * SLOT_SHIFT;
        if (sl) sl[i] = slot;
        const ref = entries.get(packed)!;
        if (ref !== 0) {
          c ??= new Int32Array(sorted.length);
          c[i] = ref;
        }
      }
      if (prev === null ? !recent.has(key) : !recent.has(key) && !prev.has(key)) size++;
      recent.set(key, { t, c, s: sl });
    }
    let mid = prev === null ? null : prev.mid;
    let old = prev === null ? null : prev.old;
    let top: ReadonlyMap<number, PatchEntry> = recent;
    if (recent.size > PATCH_RECENT_MAX) {
      const merged = new Map<number, PatchEntry>(mid ?? []);
      for (const [k, e] of recent) merged.set(k, e);
      mid = merged;
      top = new Map();
      if (merged.size > PATCH_MID_MAX) {
        const all = new Map<number, PatchEntry>(old ?? []);
        for (const [k, e] of merged) all.set(k, e);
        old = all;
        mid = null;
      }
    }
    const patch = new Patch(top, mid, old, size);
    const next = new AdjIndex(
      this.mode,
      this.n,
      this.data,
      this.cdata,
      this.sdata,
      this.offs,
      this.hkeys,
      this.hlens,
      this.shift,
      patch,
      this.baseCount,
      count,
      tagged,
    );
    if (size > PATCH_REBUILD_MIN && (size * PATCH_REBUILD_RATIO > this.baseCount || size >= PATCH_MAX_KEYS)) return next.compact(keyBound);
    return next;
  }

  /** Rebuilds the base with the patch folded in. */
  compact(keyBound: number): AdjIndex {
    const keys = this.keys().sort((a, b) => a - b);
    let total = 0;
    for (const k of keys) total += this.find(k);
    const outKeys = new Int32Array(total);
    const outVals = new Int32Array(total);
    const outSlots = this.tagged ? new Uint16Array(total) : null;
    let outConds: Int32Array | null = null;
    let m = 0;
    let maxGroup = 0;
    for (const k of keys) {
      const n = this.find(k);
      const { arr, carr, sarr, lo } = this;
      for (let i = 0; i < n; i++) {
        outKeys[m] = k;
        outVals[m] = arr[lo + i]!;
        if (outSlots && sarr) outSlots[m] = sarr[lo + i]!;
        if (carr && carr[lo + i] !== 0) {
          outConds ??= new Int32Array(total);
          outConds[m] = carr[lo + i]!;
        }
        m++;
      }
      if (n > maxGroup) maxGroup = n;
    }
    return AdjIndex.fromSorted(outKeys, outVals, outConds, outSlots, m, keys.length, maxGroup, Math.max(keyBound, this.n), this.tagged);
  }
}

function identity(count: number): Int32Array {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  return order;
}

/** Stable two-pass LSD radix sort (16-bit digits) of `order` by non-negative `by[order[i]]`. */
function radixSort(order: Int32Array, by: Int32Array, count: number): Int32Array {
  let max = 0;
  for (let i = 0; i < count; i++) if (by[i]! > max) max = by[i]!;
  const counts = new Int32Array(65537);
  let src = order;
  for (let shift = 0; shift < 32 && max >>> shift > 0; shift += 16) {
    counts.fill(0);
    for (let i = 0; i < count; i++) counts[((by[src[i]!]! >>> shift) & 0xffff) + 1]!++;
    for (let d = 0; d < 65536; d++) counts[d + 1]! += counts[d]!;
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const idx = src[i]!;
      out[counts[(by[idx]! >>> shift) & 0xffff]!++] = idx;
    }
    src = out;
  }
  return src;
}

// Groups up to this size are insertion-sorted in place.
const SMALL_GROUP = 32;
const TWO_32 = 4294967296;

/**
 * Sorts entries `[a, b)` of the parallel arrays by (slot, value), stably (so among duplicates the
 * first one's condition stays first).
 */
function sortGroup(vals: Int32Array, slots: Uint16Array | null, conds: Int32Array | null, a: number, b: number): void {
  if (b - a <= SMALL_GROUP) {
    for (let i = a + 1; i < b; i++) {
      const v = vals[i]!;
      const sl = slots ? slots[i]! : 0;
      const c = conds ? conds[i]! : 0;
      let j = i - 1;
      for (; j >= a; j--) {
        const sj = slots ? slots[j]! : 0;
        if (sj < sl || (sj === sl && vals[j]! <= v)) break;
        vals[j + 1] = vals[j]!;
        if (slots) slots[j + 1] = sj;
        if (conds) conds[j + 1] = conds[j]!;
      }
      vals[j + 1] = v;
      if (slots) slots[j + 1] = sl;
      if (conds) conds[j + 1] = c;
    }
    return;
  }
  if (conds === null) {
    // Without conditions an entry is its (slot, value) pair: sort the pairs as numbers, natively.
    const packed = new Float64Array(b - a);
    for (let i = a; i < b; i++) packed[i - a] = (slots ? slots[i]! : 0) * TWO_32 + vals[i]!;
    packed.sort();
    for (let i = a; i < b; i++) {
      const p = packed[i - a]!;
      const sl = Math.floor(p / TWO_32);
      vals[i] = p - sl * TWO_32;
      if (slots) slots[i] = sl;
    }
    return;
  }
  // With conditions, sort positions (Array.prototype.sort is stable) and permute.
  const order: number[] = [];
  for (let i = a; i < b; i++) order.push(i);
  order.sort((x, y) => (slots ? slots[x]! - slots[y]! : 0) || vals[x]! - vals[y]!);
  const v = vals.slice(a, b);
  const c = conds.slice(a, b);
  const sl = slots ? slots.slice(a, b) : null;
  for (let i = 0; i < order.length; i++) {
    const from = order[i]! - a;
    vals[a + i] = v[from]!;
    conds[a + i] = c[from]!;
    if (slots) slots[a + i] = sl![from]!;
  }
}
