import { transformer } from '@openfga/syntax-transformer';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../errors/index';
import { dslHelpers } from '../../../test/helpers/testModel';
import { computedUsersets } from './computedUsersets';

const { contextFromDsl } = dslHelpers(transformer.transformDSLToJSONObject);

describe('computedUsersets', () => {
  it('reports each undefined relation at any depth, with the path of its operand', () => {
    const ctx = contextFromDsl(
      'model\n  schema 1.1\ntype user\ntype group\n  relations\n    define member: [user]\n    define reader: member or (allowed and member) or (member but not banned)\n',
    );
    const group = ctx.types[1]!;
    const reader = group.relations.get('reader')!;
    const diagnostics: Diagnostic[] = [];
    computedUsersets(ctx, group, reader, diagnostics);
    expect(diagnostics.map((d) => [d.symbol, d.message])).toEqual([
      ['allowed', 'the relation `allowed` does not exist.'],
      ['banned', 'the relation `banned` does not exist.'],
    ]);
    expect(diagnostics[0]).toMatchObject({ code: 'missing-definition', type: 'group', relation: 'reader' });
    // The path leads to the operand, so tools can point at it.
    const path = diagnostics[1]?.path ?? [];
    expect(path.slice(0, 4)).toEqual(['type_definitions', 1, 'relations', 'reader']);
    expect(path.slice(-2)).toEqual(['computedUserset', 'relation']);
  });

  it('accepts references to relations of the same type', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define owner: [user]\n    define viewer: owner\n');
    const doc = ctx.types[1]!;
    const out: Diagnostic[] = [];
    computedUsersets(ctx, doc, doc.relations.get('viewer')!, out);
    expect(out).toEqual([]);
  });
});
