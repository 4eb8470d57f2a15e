import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors/index';

// docs/reference/errors.md promises every code with its cause and fix: keep it complete.
const here = dirname(fileURLToPath(import.meta.url));
const errorsDoc = readFileSync(resolve(here, '../../../docs/reference/errors.md'), 'utf8');
const diagnosticsSource = readFileSync(resolve(here, '../src/errors/diagnostics.ts'), 'utf8');

describe('docs/reference/errors.md', () => {
  it.each(Object.entries(ERROR_CODES))('documents error code %s with its OpenFGA number and HTTP status', (code, { openfga, status }) => {
    expect(errorsDoc).toContain(`| \`${code}\` | ${openfga} | ${status} |`);
  });

  const union = diagnosticsSource.slice(diagnosticsSource.indexOf('export type DiagnosticCode'), diagnosticsSource.indexOf(';', diagnosticsSource.indexOf('export type DiagnosticCode')));
  const diagnosticCodes = [...union.matchAll(/'([a-z0-9-]+)'/g)].map((m) => m[1]);

  it('finds the diagnostic codes to check', () => {
    expect(diagnosticCodes.length).toBeGreaterThan(15);
  });

  it.each(diagnosticCodes)('documents diagnostic code %s', (code) => {
    expect(errorsDoc).toContain(`| \`${code}\` |`);
  });
});
