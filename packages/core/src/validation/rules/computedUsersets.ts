import type { Diagnostic } from '../../errors/index';
import { problem, relationSite, type RelationRule } from '../context';

/** `missing-definition`: a computed userset (`define viewer: editor`) must name a relation of the same type. */
export const computedUsersets: RelationRule = (_ctx, type, relation, out) => {
  for (const { node, path } of relation.nodes) {
    if (node.kind !== 'computed' || type.relations.has(node.relation)) continue;
    out.push(
      problem(
        'missing-definition',
        `the relation \`${node.relation}\` does not exist.`,
        relationSite(type, relation, [...path, 'computedUserset', 'relation'], node.relation),
      ),
    );
  }
};
