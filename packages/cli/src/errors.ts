/** A mistake in how the command was called (unknown command, missing argument, bad flag). */
export class UsageError extends Error {
  /** A literal name, so the error stays recognisable after bundling. */
  override readonly name = 'UsageError';
}

/** Exit codes of the `gatehouse` command. */
export const EXIT = {
  /** Success (a denied check is still a success). */
  ok: 0,
  /** The input is invalid or an assertion failed: bad model, bad YAML, missing file, failing test. */
  failure: 1,
  /** A bug in gatehouse: "internal error, please report". */
  internal: 2,
  /** The command line itself is wrong (BSD `EX_USAGE`). */
  usage: 64,
} as const;
