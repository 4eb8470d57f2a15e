// Test support only (imported by *.test.ts, never by the library). Models in rule tests are
// written in DSL, which reads far better than JSON; the tests pass in OpenFGA's transformer
// themselves, so nothing outside src/dsl imports the DSL parser (see test/architecture.test.ts).
import { parseModelStructure } from '../../src/model/schema';
import type { AuthorizationModel } from '../../src/model/types';
import type { Diagnostic } from '../../src/errors/index';
import { createValidationContext, type RelationRule, type ValidationContext } from '../../src/validation/context';

/** Builders of test models from DSL, given a DSL-to-JSON transform (parse only, no validation). */
export interface DslHelpers {
  /** The model the DSL describes, structurally checked. */
  readonly modelFromDsl: (dsl: string) => AuthorizationModel;
  /** The same model, indexed for a rule. */
  readonly contextFromDsl: (dsl: string) => ValidationContext;
}

/** Makes {@link DslHelpers} around `transform`, e.g. `transformer.transformDSLToJSONObject`. */
export function dslHelpers(transform: (dsl: string) => unknown): DslHelpers {
  const modelFromDsl = (dsl: string): AuthorizationModel => {
    const raw: unknown = JSON.parse(JSON.stringify(transform(dsl)));
    const result = parseModelStructure(raw);
    if (!result.ok) throw new Error(`test model is malformed: ${result.diagnostics.map((d) => d.message).join('; ')}`);
    return result.value;
  };
  return { modelFromDsl, contextFromDsl: (dsl) => createValidationContext(modelFromDsl(dsl)) };
}

/** `[code, symbol]` pairs, the part of a diagnostic OpenFGA's conformance data pins down. */
export function codesAndSymbols(diagnostics: readonly { code: string; symbol?: string }[]): [string, string | undefined][] {
  return diagnostics.map((d) => [d.code, d.symbol]);
}

/** Runs a relation rule over every relation of the model, in order. */
export function runRelationRule(ctx: ValidationContext, rule: RelationRule): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const type of ctx.types) for (const relation of type.relations.values()) rule(ctx, type, relation, out);
  return out;
}
