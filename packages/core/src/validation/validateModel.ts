import type { Diagnostic } from '../errors/index';
import { diagnoseConditions } from '../conditions/index';
import { tooDeep } from '../model/schema';
import type { AuthorizationModel } from '../model/types';
import { createValidationContext, type RelationRule, type ValidationContext } from './context';
import { computedUsersets } from './rules/computedUsersets';
import { conditionNames, unusedConditions } from './rules/conditions';
import { duplicateOperands, duplicateTypeRestrictions, duplicateTypes } from './rules/duplicates';
import { entryPoints } from './rules/entryPoints';
import { modulesPerFile } from './rules/modules';
import { nameFormat, reservedNames } from './rules/names';
import { schemaVersion } from './rules/schemaVersion';
import { tuplesets } from './rules/tuplesets';
import { typeRestrictions } from './rules/typeRestrictions';

const REFERENCE_RULES: readonly RelationRule[] = [typeRestrictions, computedUsersets, tuplesets];
const DUPLICATE_RULES: readonly RelationRule[] = [duplicateTypeRestrictions, duplicateOperands];

function perRelation(ctx: ValidationContext, rules: readonly RelationRule[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const type of ctx.types) {
    for (const relation of type.relations.values()) {
      for (const rule of rules) rule(ctx, type, relation, out);
    }
  }
  return out;
}

/**
 * Checks an authorization model against OpenFGA's semantic rules (schema 1.1 and 1.2) and returns
 * every problem found, as {@link Diagnostic}s with OpenFGA's error codes, its messages, a JSON
 * `path`, and `symbol` / `type` / `relation` / `condition` metadata. An empty array means the model
 * is valid.
 *
 * Rules run in OpenFGA's order, and a stage runs only when the stages it depends on passed, so
 * one mistake is reported once rather than with its consequences:
 *
 * 1. names (`reserved-*-keywords`, `invalid-name`) and the schema version;
 * 2. references (`missing-definition`, `invalid-type`, `invalid-relation-type`,
 *    `invalid-relation-on-tupleset`, `tupleuserset-not-direct`, `condition-not-defined`,
 *    `type-wildcard-relation`, `assignable-relation-must-have-type`) and duplicates
 *    (`duplicated-error`);
 * 3. entry points and cycles (`relation-no-entry-point`), only for a model that passed 1 and 2;
 * 4. conditions (`different-nested-condition-name`, `condition-not-used`), after 1, then each
 *    condition's CEL expression compiled and type-checked against its parameters
 *    (`invalid-condition`);
 * 5. modules (`multiple-modules-in-file`), always.
 *
 * The model is assumed to be structurally sound (see `parseModel`), but malformed parts are
 * skipped rather than crashing the validator.
 *
 * @example
 * const diagnostics = validateModel({
 *   schema_version: '1.1',
 *   type_definitions: [{ type: 'doc', relations: { viewer: { computedUserset: { relation: 'editor' } } } }],
 * });
 * // [{ code: 'missing-definition', message: 'the relation `editor` does not exist.', symbol: 'editor', ... }]
 */
export function validateModel(model: AuthorizationModel): Diagnostic[] {
  try {
    return runRules(model);
  } catch (error) {
    // Rewrites nested thousands deep exhaust the stack; report that rather than crash.
    if (error instanceof RangeError) return [tooDeep()];
    throw error;
  }
}

function runRules(model: AuthorizationModel): Diagnostic[] {
  const ctx = createValidationContext(model);
  const names = [...reservedNames(ctx), ...nameFormat(ctx)];
  const schema = schemaVersion(ctx);
  const out: Diagnostic[] = [...names, ...schema];

  if (names.length === 0 && schema.length === 0) {
    const references = perRelation(ctx, REFERENCE_RULES);
    const duplicates = [...duplicateTypes(ctx), ...perRelation(ctx, DUPLICATE_RULES)];
    out.push(...references, ...duplicates);
    // Entry points are meaningless over dangling references, and a duplicated type makes a
    // relation ambiguous, so that analysis waits for a model that is otherwise sound.
    if (references.length === 0 && duplicates.length === 0) out.push(...entryPoints(ctx));
    const conditionProblems = [...conditionNames(ctx), ...unusedConditions(ctx)];
    out.push(...conditionProblems);
    // CEL is compiled only when condition keys and names agree, so a misnamed condition is
    // reported once, as OpenFGA reports it, and not again as a compile failure.
    if (!conditionProblems.some((d) => d.code === 'different-nested-condition-name')) {
      out.push(...diagnoseConditions(model));
    }
  }

  out.push(...modulesPerFile(ctx));
  return out;
}
