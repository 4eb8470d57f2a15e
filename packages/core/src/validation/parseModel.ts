import { ModelValidationError, type SafeResult } from '../errors/index';
import { parseModelStructure } from '../model/schema';
import type { AuthorizationModel } from '../model/types';
import { validateModel } from './validateModel';

/**
 * Reads an OpenFGA JSON authorization model (an object, or a JSON string) and validates it fully:
 * its structure first, then OpenFGA's semantic rules ({@link validateModel}). Never throws; every
 * problem is in `diagnostics`.
 *
 * @example
 * const result = safeParseModel(json);
 * if (!result.ok) console.error(formatDiagnostics(result.diagnostics));
 */
export function safeParseModel(input: unknown): SafeResult<AuthorizationModel> {
  const structure = parseModelStructure(input);
  if (!structure.ok) return structure;
  const diagnostics = validateModel(structure.value);
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  return { ok: true, value: structure.value, warnings: diagnostics };
}

/**
 * Reads and validates an OpenFGA JSON authorization model (an object, or a JSON string), returning
 * it as an {@link AuthorizationModel}.
 *
 * @throws {ModelValidationError} `invalid_authorization_model`, holding every diagnostic found.
 * @example
 * const model = parseModel(await readFile('model.json', 'utf8'));
 */
export function parseModel(input: unknown): AuthorizationModel {
  const result = safeParseModel(input);
  if (!result.ok) throw new ModelValidationError(result.diagnostics);
  return result.value;
}
