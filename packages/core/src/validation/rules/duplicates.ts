import type { Diagnostic } from '../../errors/index';
import { operandText, problem, relationSite, restrictionText, typeSite, type ModelRule, type RelationRule } from '../context';

/** `duplicated-error`: each type is defined once; every repeat is reported. */
export const duplicateTypes: ModelRule = (ctx) => {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const type of ctx.types) {
    if (seen.has(type.name)) {
      out.push(
        problem('duplicated-error', `the type \`${type.name}\` is a duplicate.`, typeSite(type)),
      );
    }
    seen.add(type.name);
  }
  return out;
};

/** `duplicated-error`: a relation lists each type restriction (`user`, `group#member with c`...) once. */
export const duplicateTypeRestrictions: RelationRule = (_ctx, type, relation, out) => {
  const refs = relation.restrictions;
  if (refs.length < 2) return;
  const texts = refs.map(restrictionText);
  forEachRepeat(texts, (text, index) =>
    out.push(
      problem(
        'duplicated-error',
        `the type restriction \`${text}\` is a duplicate in the relation \`${relation.name}\`.`,
        relationSite(type, relation, [...relation.restrictionsPath, index], text),
      ),
    ),
  );
};

/**
 * `duplicated-error`: an operator does not repeat an operand (`viewer or viewer`,
 * `x from p but not x from p`). Checked at every level of the rewrite, not just the top.
 */
export const duplicateOperands: RelationRule = (_ctx, type, relation, out) => {
  for (const { operands } of relation.nodes) {
    if (operands.length < 2) continue;
    const texts = operands.map((operand) => operandText(operand.node));
    // Union and intersection operands alike; for `a but not a`, the subtracted one is reported.
    forEachRepeat(texts, (text, index) =>
      out.push(
        problem(
          'duplicated-error',
          `the partial relation definition \`${text}\` is a duplicate in the relation \`${relation.name}\`.`,
          relationSite(type, relation, operands[index]?.path ?? relation.path, text),
        ),
      ),
    );
  }
};

// Calls `repeat` for every entry equal to an earlier one. Lists are usually a handful of
// restrictions or operands, where comparing pairs beats building a set.
function forEachRepeat(texts: readonly (string | undefined)[], repeat: (text: string, index: number) => void): void {
  if (texts.length > 16) {
    const seen = new Set<string>();
    texts.forEach((text, index) => {
      if (text === undefined) return;
      if (seen.has(text)) repeat(text, index);
      seen.add(text);
    });
    return;
  }
  for (let i = 1; i < texts.length; i++) {
    const text = texts[i];
    if (text === undefined) continue;
    for (let j = 0; j < i; j++) {
      if (texts[j] === text) {
        repeat(text, i);
        break;
      }
    }
  }
}
