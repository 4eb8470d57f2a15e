import { transformer } from '@openfga/syntax-transformer';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../errors/index';
import type { ValidationContext } from '../context';
import { codesAndSymbols, dslHelpers } from '../../../test/helpers/testModel';
import { duplicateOperands, duplicateTypeRestrictions, duplicateTypes } from './duplicates';

const { contextFromDsl } = dslHelpers(transformer.transformDSLToJSONObject);

function perRelation(ctx: ValidationContext) {
  const out: Diagnostic[] = [];
  for (const type of ctx.types) {
    for (const relation of type.relations.values()) {
      duplicateTypeRestrictions(ctx, type, relation, out);
      duplicateOperands(ctx, type, relation, out);
    }
  }
  return out;
}

describe('duplicateTypes', () => {
  it('reports every repeat of a type name at the repeated definition', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype user\ntype doc\ntype user\n');
    const diagnostics = duplicateTypes(ctx);
    expect(diagnostics.map((d) => [d.symbol, d.path])).toEqual([
      ['user', ['type_definitions', 1, 'type']],
      ['user', ['type_definitions', 3, 'type']],
    ]);
    expect(diagnostics[0]?.message).toBe('the type `user` is a duplicate.');
  });
});

describe('duplicate restrictions and operands', () => {
  it('reports a repeated restriction, conditions included in its text', () => {
    const ctx = contextFromDsl(
      'model\n  schema 1.1\ntype user\ntype group\n  relations\n    define member: [user]\n' +
        'type doc\n  relations\n    define viewer: [user:*, user:*, group#member, user with c, group#member, user with c, user]\n' +
        'condition c(x: int) {\n  x < 1\n}\n',
    );
    const diagnostics = perRelation(ctx);
    expect(codesAndSymbols(diagnostics)).toEqual([
      ['duplicated-error', 'user:*'],
      ['duplicated-error', 'group#member'],
      ['duplicated-error', 'user with c'],
    ]);
    expect(diagnostics[0]?.message).toBe('the type restriction `user:*` is a duplicate in the relation `viewer`.');
  });

  it('reports repeated operands of union, intersection and exclusion', () => {
    for (const [rewrite, symbol] of [
      ['viewer or viewer', 'viewer'],
      ['viewer and viewer', 'viewer'],
      ['viewer but not viewer', 'viewer'],
      ['viewer from parent or viewer from parent', 'viewer from parent'],
    ] as const) {
      const ctx = contextFromDsl(`model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define parent: [doc]\n    define viewer: [user]\n    define editor: ${rewrite}\n`);
      const diagnostics = perRelation(ctx);
      expect(codesAndSymbols(diagnostics), rewrite).toEqual([['duplicated-error', symbol]]);
      expect(diagnostics[0]?.message).toBe(`the partial relation definition \`${symbol}\` is a duplicate in the relation \`editor\`.`);
    }
  });

  it('looks inside nested operators too', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define a: [user]\n    define b: [user]\n    define c: b and (a or a)\n');
    expect(codesAndSymbols(perRelation(ctx))).toEqual([['duplicated-error', 'a']]);
  });

  it('accepts distinct operands', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define a: [user]\n    define b: [user]\n    define c: [user] or a or b\n');
    expect(perRelation(ctx)).toEqual([]);
  });
});
