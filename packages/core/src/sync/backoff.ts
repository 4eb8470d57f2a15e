/** How a source spaces its retries after failures: exponential growth with jitter. */
export interface BackoffOptions {
  /** The delay after the first failure, in ms. Default `500`. */
  readonly initial?: number;
  /** The longest delay, in ms. Default `30_000`. */
  readonly max?: number;
  /** The growth per consecutive failure. Default `2`. */
  readonly factor?: number;
  /**
   * The share of the delay that is randomised, from 0 (none) to 1 (anywhere between 0 and the
   * delay). Default `0.5`: a delay lands between half and all of its nominal value, so clients
   * that failed together do not retry together.
   */
  readonly jitter?: number;
  /** The random source, `[0, 1)`. Default `Math.random`; tests pass a fixed one. */
  readonly random?: () => number;
}

/**
 * The delay before retry number `failures` (1 for the first retry): `initial × factor^(failures-1)`,
 * capped at `max`, minus a random share of up to `jitter` of it.
 *
 * @example
 * backoffDelay(1, { random: () => 0 }); // 500
 * backoffDelay(4, { random: () => 0 }); // 4000
 * backoffDelay(20, { random: () => 0.999 }); // just over 15000: half of max, the jitter floor
 */
export function backoffDelay(failures: number, options: BackoffOptions = {}): number {
  const initial = Math.max(0, options.initial ?? 500);
  const max = Math.max(initial, options.max ?? 30_000);
  const factor = Math.max(1, options.factor ?? 2);
  const jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
  const random = options.random ?? Math.random;
  const base = Math.min(max, initial * factor ** Math.max(0, failures - 1));
  return Math.round(base * (1 - jitter * random()));
}
