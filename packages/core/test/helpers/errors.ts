// Test support: capture the GatehouseError a call throws or a promise rejects with. Anything else
// (or no error at all) fails the test.
import { GatehouseError } from '../../src/errors/index';

/** The GatehouseError `fn` throws. */
export function thrown(fn: () => unknown): GatehouseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

/** The GatehouseError `promise` rejects with. */
export async function rejection(promise: Promise<unknown>): Promise<GatehouseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
