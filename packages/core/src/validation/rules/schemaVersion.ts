import { schemaVersionDiagnostic } from '../../model/schema';
import type { ModelRule } from '../context';

/**
 * `schema-version-required` and `invalid-schema`: the model must declare a schema version Gatehouse
 * supports (1.1, or 1.2 for modular models).
 */
export const schemaVersion: ModelRule = (ctx) => {
  const diagnostic = schemaVersionDiagnostic(ctx.model.schema_version);
  return diagnostic ? [diagnostic] : [];
};
