/**
 * `@gatehouse/cli`: the `gatehouse` command, also callable in-process through {@link run}.
 *
 * @packageDocumentation
 */
export { run } from './run';
export type { CliIO } from './run';
export { EXIT, UsageError } from './errors';
export { generateTypes } from './commands/types';
export { runStoreTest } from './commands/storeTest';
export type { AssertionResult } from './commands/storeTest';
