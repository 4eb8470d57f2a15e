import * as z from 'zod';
import { GatehouseError } from '../errors/index';
import type { SnapshotSource } from '../sync/source';
import type { AuthorizerOptions } from './types';

// Each rule's message is what the option must be; parseAuthorizerOptions names the option and the
// value it got. Durations accept Infinity (no limit), which z.number() refuses, hence z.custom.
const ms = z.custom<number>((v) => typeof v === 'number' && v >= 0, { error: 'a non-negative number of ms' });
const isFunction = (v: unknown): boolean => typeof v === 'function';

const authorizerOptionsSchema = z.object(
  {
    source: z
      .custom<SnapshotSource>(
        (v) => typeof v === 'object' && v !== null && isFunction((v as SnapshotSource).start) && isFunction((v as SnapshotSource).stop),
        { error: 'a snapshot source (an object with start() and stop())' },
      )
      .optional(),
    autoStart: z.boolean({ error: 'a boolean' }).optional(),
    readyTimeoutMs: ms.optional(),
    consistencyTimeoutMs: ms.optional(),
    maxStaleness: ms.optional(),
    onStale: z.enum(['deny', 'serve'], { error: "'deny' or 'serve'" }).optional(),
    cache: z
      .object(
        { max: z.int({ error: 'a non-negative integer' }).nonnegative({ error: 'a non-negative integer' }).optional() },
        { error: 'an object' },
      )
      .optional(),
    decisionLog: z
      .object(
        {
          sampleRate: z
            .number({ error: 'a number from 0 to 1' })
            .min(0, { error: 'a number from 0 to 1' })
            .max(1, { error: 'a number from 0 to 1' })
            .optional(),
          random: z.custom<() => number>(isFunction, { error: 'a function' }).optional(),
        },
        { error: 'an object' },
      )
      .optional(),
    allowRevisionRollback: z.boolean({ error: 'a boolean' }).optional(),
    maxDepth: z.int({ error: 'a positive integer' }).positive({ error: 'a positive integer' }).optional(),
    now: z.custom<() => number>(isFunction, { error: 'a function' }).optional(),
  },
  { error: 'an object' },
);

/**
 * Validates {@link AuthorizerOptions} with zod and returns them, or throws `validation_error`
 * naming every offending option: `createAuthorizer: cache.max must be a non-negative integer, got -1`.
 */
export function parseAuthorizerOptions(input: unknown): AuthorizerOptions {
  const result = authorizerOptionsSchema.safeParse(input);
  if (result.success) return input as AuthorizerOptions;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.length === 0 ? 'options' : issue.path.join('.');
    return `${name} must be ${issue.message}, got ${describe(valueAt(input, issue.path))}`;
  });
  return fail(problems);
}

function fail(problems: readonly string[]): never {
  throw new GatehouseError('validation_error', `createAuthorizer: ${problems.join('; ')}`);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
