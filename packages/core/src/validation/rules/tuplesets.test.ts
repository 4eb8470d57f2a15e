import { transformer } from '@openfga/syntax-transformer';
import { describe, expect, it } from 'vitest';
import type { ValidationContext } from '../context';
import { codesAndSymbols, dslHelpers, runRelationRule } from '../../../test/helpers/testModel';
import { tuplesets } from './tuplesets';

const { contextFromDsl } = dslHelpers(transformer.transformDSLToJSONObject);

function run(ctx: ValidationContext) {
  return runRelationRule(ctx, tuplesets);
}

describe('tuplesets', () => {
  it('reports a tupleset that is not a relation of the type, with the whole operand as symbol', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype org\ntype group\n  relations\n    define parent: [group]\n    define viewer: viewer from org\n');
    const diagnostics = run(ctx);
    expect(codesAndSymbols(diagnostics)).toEqual([['invalid-relation-type', 'viewer from org']]);
    expect(diagnostics[0]?.message).toBe('`org` is not a valid relation for `group`.');
  });

  it('requires the tupleset to be a plain direct relation', () => {
    const cases = [
      'define parent: [folder] or parent from parent', // a rewrite
      'define parent: [folder, folder#parent]', // a userset type
      'define parent: [folder, folder:*]', // a wildcard type
    ];
    for (const parent of cases) {
      const ctx = contextFromDsl(`model\n  schema 1.1\ntype user\ntype folder\n  relations\n    ${parent}\n    define viewer: [user] or viewer from parent\n`);
      const viewer = run(ctx).filter((d) => d.relation === 'viewer');
      expect(codesAndSymbols(viewer), parent).toEqual([['tupleuserset-not-direct', 'parent']]);
      expect(viewer[0]?.message).toBe('`parent` relation used inside from allows only direct relation.');
    }
  });

  it('reports a computed tupleset (`define parent2: parent`)', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype folder\n  relations\n    define parent: [folder]\n    define parent2: parent\n    define viewer: [user] or viewer from parent2\n');
    expect(codesAndSymbols(run(ctx))).toEqual([['tupleuserset-not-direct', 'parent2']]);
  });

  it('reports each tupleset type when none of them has the relation', () => {
    const ctx = contextFromDsl(
      'model\n  schema 1.1\ntype user\ntype a\n  relations\n    define role: [user]\ntype b\n  relations\n    define role: [user]\n' +
        'type final\n  relations\n    define children: [a, b]\n    define x: u3 from children\n',
    );
    expect(run(ctx).map((d) => [d.code, d.symbol, d.message])).toEqual([
      ['invalid-relation-on-tupleset', 'u3 from children', 'the `u3` relation definition on type `final` is not valid: `u3` does not exist on `children`, which is of type `a`.'],
      ['invalid-relation-on-tupleset', 'u3 from children', 'the `u3` relation definition on type `final` is not valid: `u3` does not exist on `children`, which is of type `b`.'],
    ]);
  });

  it('accepts the relation when at least one tupleset type has it', () => {
    const ctx = contextFromDsl(
      'model\n  schema 1.1\ntype user\ntype a\n  relations\n    define role: [user]\ntype b\n' +
        'type final\n  relations\n    define children: [a, b]\n    define x: role from children\n',
    );
    expect(run(ctx)).toEqual([]);
  });
});
