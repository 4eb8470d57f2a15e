import type { Diagnostic } from '../../errors/index';
import { problem, relationSite, restrictionText, type RelationRule } from '../context';

/**
 * The type restrictions of a relation (`[user, group#member, user:*, user with cond]`):
 *
 * - `assignable-relation-must-have-type`: a directly assignable relation (`this`) needs at least
 *   one restriction, and a relation that is not directly assignable may have none (the OpenFGA
 *   server rejects both).
 * - `invalid-type`: each restriction's type must be defined.
 * - `type-wildcard-relation`: a restriction cannot be both `type:*` and `type#relation`.
 * - `invalid-relation-type`: in `group#member`, `member` must be a relation of `group`.
 * - `condition-not-defined`: `with cond` must name a condition of the model.
 */
export const typeRestrictions: RelationRule = (ctx, type, relation, out) => {
  const site = (path: readonly (string | number)[], symbol: string) => relationSite(type, relation, path, symbol);

  if (!relation.assignable) {
    if (relation.restrictions.length > 0) {
      out.push(
        problem(
          'assignable-relation-must-have-type',
          `relation '${relation.name}' of type '${type.name}' is not directly assignable, so it cannot have type restrictions`,
          site(relation.restrictionsPath, relation.name),
        ),
      );
    }
    return;
  }

  if (relation.restrictions.length === 0) {
    out.push(
      problem(
        'assignable-relation-must-have-type',
        `assignable relation '${relation.name}' must have types`,
        site(relation.path, relation.name),
      ),
    );
    return;
  }

  relation.restrictions.forEach((ref, index) => {
    const at = [...relation.restrictionsPath, index];
    const target = ctx.typesByName.get(ref.type);
    if (!target) {
      out.push(problem('invalid-type', `\`${ref.type}\` is not a valid type.`, site([...at, 'type'], ref.type)));
    } else if (ref.wildcard && ref.relation) {
      const text = restrictionText(ref);
      out.push(
        problem(
          'type-wildcard-relation',
          `type restriction \`${text}\` cannot contain both wildcard and relation`,
          site(at, text),
        ),
      );
    } else if (ref.relation && !target.relations.has(ref.relation)) {
      out.push(
        problem(
          'invalid-relation-type',
          `\`${ref.relation}\` is not a valid relation for \`${ref.type}\`.`,
          site([...at, 'relation'], `${ref.type}#${ref.relation}`),
        ),
      );
    }
    if (ref.condition && !ctx.conditions.has(ref.condition)) {
      out.push(
        problem('condition-not-defined', `\`${ref.condition}\` is not a defined condition in the model.`, {
          ...site([...at, 'condition'], ref.condition),
          condition: ref.condition,
        }),
      );
    }
  });
};
