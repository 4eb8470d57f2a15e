// Past this many entries a visit set switches from a Map to a byte per id: V8 caps a Map at 2^24
// entries, and a listObjects over a huge fan-out must still complete.
const DENSE_AT = 1 << 20;

/**
 * The best mode (a small number) each object was reached with, for one relation of a
 * listObjects expansion: a Map, then one byte per id once it holds `denseAt` entries.
 */
export class VisitSet {
  private map: Map<number, number> | null = new Map();
  private readonly denseAt: number;
  private dense: Uint8Array | null = null;
  // Negative (request-local) ids always stay in the map.
  private readonly negatives = new Map<number, number>();

  constructor(denseAt = DENSE_AT) {
    this.denseAt = denseAt;
  }

  /** The mode `o` was reached with, or -1. */
  get(o: number): number {
    if (o < 0) return this.negatives.get(o) ?? -1;
    if (this.dense !== null) return o < this.dense.length ? this.dense[o]! - 1 : -1;
    return this.map!.get(o) ?? -1;
  }

  /** Records that `o` was reached with `mode`. */
  set(o: number, mode: number): void {
    if (o < 0) {
      this.negatives.set(o, mode);
      return;
    }
    if (this.dense === null && this.map!.size >= this.denseAt) {
      let max = o;
      for (const k of this.map!.keys()) if (k > max) max = k;
      this.dense = new Uint8Array(Math.max(max + 1, 2 * this.denseAt));
      for (const [k, m] of this.map!) this.dense[k] = m + 1;
      this.map = null;
    }
    if (this.dense !== null) {
      if (o >= this.dense.length) {
        const grown = new Uint8Array(Math.max(o + 1, this.dense.length * 2));
        grown.set(this.dense);
        this.dense = grown;
      }
      this.dense[o] = mode + 1;
      return;
    }
    this.map!.set(o, mode);
  }

  /** Calls `fn` for every object with its mode. */
  forEach(fn: (o: number, mode: number) => void): void {
    for (const [k, m] of this.negatives) fn(k, m);
    if (this.dense !== null) {
      const d = this.dense;
      for (let k = 0; k < d.length; k++) if (d[k] !== 0) fn(k, d[k]! - 1);
    } else {
      for (const [k, m] of this.map!) fn(k, m);
    }
  }
}
