import type { Diagnostic } from '../../errors/index';
import type { Condition } from '../../model/types';
import { problem, type DiagnosticSite, type ModelRule } from '../context';

function conditionSite(key: string, condition: Condition | undefined, path: readonly (string | number)[], symbol: string): DiagnosticSite {
  const file = condition?.metadata?.source_info?.file || undefined;
  const module = condition?.metadata?.module || undefined;
  return {
    path,
    symbol,
    condition: key,
    ...(file !== undefined ? { file } : {}),
    ...(module !== undefined ? { module } : {}),
  };
}

/** `different-nested-condition-name`: a condition's `name` must equal its key in `conditions`. */
export const conditionNames: ModelRule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const [key, condition] of ctx.conditions) {
    const name = typeof condition?.name === 'string' ? condition.name : '';
    if (name === key) continue;
    out.push(
      problem(
        'different-nested-condition-name',
        `condition key is \`${key}\` but nested name property is ${name}`,
        conditionSite(key, condition, ['conditions', key, 'name'], name),
      ),
    );
  }
  return out;
};

/** `condition-not-used`: every condition is referenced by at least one type restriction. */
export const unusedConditions: ModelRule = (ctx) => {
  if (ctx.conditions.size === 0) return [];
  const used = new Set<string>();
  for (const type of ctx.types) {
    const relations = type.definition?.metadata?.relations;
    if (!relations || typeof relations !== 'object') continue;
    for (const meta of Object.values(relations)) {
      const refs = meta?.directly_related_user_types;
      if (!Array.isArray(refs)) continue;
      for (const ref of refs) if (ref?.condition) used.add(ref.condition);
    }
  }
  const out: Diagnostic[] = [];
  for (const [key, condition] of ctx.conditions) {
    if (used.has(key)) continue;
    out.push(
      problem('condition-not-used', `\`${key}\` condition is not used in the model.`, conditionSite(key, condition, ['conditions', key], key)),
    );
  }
  return out;
};
