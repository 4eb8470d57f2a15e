import type { Diagnostic } from '../../errors/index';
import { problem, relationSite, type RelationRule } from '../context';

/**
 * The tuple-to-userset operands of a relation (`X from Y`):
 *
 * - `invalid-relation-type`: `Y` must be a relation of the type.
 * - `tupleuserset-not-direct`: `Y` must be purely direct (`define Y: [folder]`): no rewrite, and
 *   no userset (`folder#parent`) or wildcard (`folder:*`) among its types.
 * - `invalid-relation-on-tupleset`: `X` must be a relation of at least one of `Y`'s types; when
 *   none has it, each of them is reported.
 */
export const tuplesets: RelationRule = (ctx, type, relation, out) => {
  for (const { node, path } of relation.nodes) {
    if (node.kind !== 'ttu') continue;
    const operand = `${node.computed} from ${node.tupleset}`;
    const ttuPath = [...path, 'tupleToUserset'];
    const tupleset = type.relations.get(node.tupleset);
    if (!tupleset) {
      out.push(
        problem(
          'invalid-relation-type',
          `\`${node.tupleset}\` is not a valid relation for \`${type.name}\`.`,
          relationSite(type, relation, [...ttuPath, 'tupleset', 'relation'], operand),
        ),
      );
      continue;
    }

    const direct =
      tupleset.tree.node.kind === 'this' &&
      tupleset.restrictions.length > 0 &&
      tupleset.restrictions.every((ref) => !ref.relation && !ref.wildcard);
    if (!direct) {
      out.push(
        problem(
          'tupleuserset-not-direct',
          `\`${node.tupleset}\` relation used inside from allows only direct relation.`,
          relationSite(type, relation, [...ttuPath, 'tupleset', 'relation'], node.tupleset),
        ),
      );
      continue;
    }

    const lacking = tupleset.restrictions.filter((ref) => !ctx.typesByName.get(ref.type)?.relations.has(node.computed));
    if (lacking.length < tupleset.restrictions.length) continue;
    for (const ref of lacking) {
      out.push(
        problem(
          'invalid-relation-on-tupleset',
          `the \`${node.computed}\` relation definition on type \`${type.name}\` is not valid: \`${node.computed}\` does not exist on \`${node.tupleset}\`, which is of type \`${ref.type}\`.`,
          relationSite(type, relation, [...ttuPath, 'computedUserset', 'relation'], operand),
        ),
      );
    }
  }
};
