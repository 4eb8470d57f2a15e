import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Where OpenFGA's published conformance data lives: `GATEHOUSE_CONFORMANCE_DIR`, else the
 * workspace's sibling `shared/conformance/openfga` folder.
 */
export const conformanceDir = resolve(
  process.env.GATEHOUSE_CONFORMANCE_DIR ?? join(here, '../../../../shared/conformance/openfga'),
);

/** True when the data is present. In CI its absence is an error, never a silent skip. */
export function conformanceAvailable(): boolean {
  const present = existsSync(conformanceDir);
  if (!present && process.env.CI) {
    throw new Error(
      `conformance data not found at ${conformanceDir}: set GATEHOUSE_CONFORMANCE_DIR (required in CI)`,
    );
  }
  if (!present) {
    process.stderr.write(`[conformance] data not found at ${conformanceDir}; suite skipped\n`);
  }
  return present;
}

/** Absolute path of a file inside the conformance folder. */
export function conformancePath(...parts: string[]): string {
  return join(conformanceDir, ...parts);
}
