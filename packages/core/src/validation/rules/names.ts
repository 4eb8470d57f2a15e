import type { Diagnostic } from '../../errors/index';
import { problem, relationSite, typeSite, type ModelRule } from '../context';

/** OpenFGA's naming rule for types (openfga/language `Rules.type`). */
export const TYPE_NAME_RULE = '^[^:#@\\*\\s]{1,254}$';
/** OpenFGA's naming rule for relations (openfga/language `Rules.relation`). */
export const RELATION_NAME_RULE = '^[^:#@\\*\\s]{1,50}$';

const TYPE_NAME = new RegExp(TYPE_NAME_RULE);
const RELATION_NAME = new RegExp(RELATION_NAME_RULE);
// `self` and `this` are DSL keywords, so neither may name a type or a relation.
const RESERVED = new Set(['self', 'this']);

/** `reserved-type-keywords` and `reserved-relation-keywords`: nothing may be named `self` or `this`. */
export const reservedNames: ModelRule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const type of ctx.types) {
    if (RESERVED.has(type.name)) {
      out.push(
        problem('reserved-type-keywords', "a type cannot be named 'self' or 'this'.", typeSite(type)),
      );
    }
    for (const relation of type.relations.values()) {
      if (RESERVED.has(relation.name)) {
        out.push(
          problem(
            'reserved-relation-keywords',
            "a relation cannot be named 'self' or 'this'.",
            relationSite(type, relation, relation.path, relation.name),
          ),
        );
      }
    }
  }
  return out;
};

/** `invalid-name`: type and relation names must follow OpenFGA's naming rules. */
export const nameFormat: ModelRule = (ctx) => {
  const out: Diagnostic[] = [];
  for (const type of ctx.types) {
    if (!TYPE_NAME.test(type.name)) {
      out.push(
        problem('invalid-name', `type '${type.name}' does not match naming rule: '${TYPE_NAME_RULE}'.`, typeSite(type)),
      );
    }
    for (const relation of type.relations.values()) {
      if (!RELATION_NAME.test(relation.name)) {
        out.push(
          problem(
            'invalid-name',
            `relation '${relation.name}' of type '${type.name}' does not match naming rule: '${RELATION_NAME_RULE}'.`,
            relationSite(type, relation, relation.path, relation.name),
          ),
        );
      }
    }
  }
  return out;
};
