import { transformer } from '@openfga/syntax-transformer';
import { describe, expect, it } from 'vitest';
import type { AuthorizationModel } from '../../model/types';
import { createValidationContext, type ValidationContext } from '../context';
import { codesAndSymbols, dslHelpers, runRelationRule } from '../../../test/helpers/testModel';
import { typeRestrictions } from './typeRestrictions';

const { contextFromDsl } = dslHelpers(transformer.transformDSLToJSONObject);

function run(ctx: ValidationContext) {
  return runRelationRule(ctx, typeRestrictions);
}

describe('typeRestrictions', () => {
  it('reports an undefined type with its restriction path', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype group\n  relations\n    define parent: [user, unknown]\n');
    expect(run(ctx)).toEqual([
      {
        code: 'invalid-type',
        message: '`unknown` is not a valid type.',
        severity: 'error',
        path: ['type_definitions', 1, 'metadata', 'relations', 'parent', 'directly_related_user_types', 1, 'type'],
        symbol: 'unknown',
        type: 'group',
        relation: 'parent',
      },
    ]);
  });

  it('reports `type#relation` when the relation is not on the type', () => {
    const ctx = contextFromDsl(
      'model\n  schema 1.1\ntype user\ntype org\ntype group\n  relations\n    define parent: [group, group#org, org]\n',
    );
    const diagnostics = run(ctx);
    expect(codesAndSymbols(diagnostics)).toEqual([['invalid-relation-type', 'group#org']]);
    expect(diagnostics[0]?.message).toBe('`org` is not a valid relation for `group`.');
  });

  it('reports conditions that are not defined, with the condition named', () => {
    const ctx = contextFromDsl(
      'model\n  schema 1.1\ntype user\ntype doc\n  relations\n    define viewer: [user with allowed_ip, user with ok]\n' +
        'condition ok(x: int) {\n  x < 1\n}\n',
    );
    expect(run(ctx)).toMatchObject([
      { code: 'condition-not-defined', symbol: 'allowed_ip', condition: 'allowed_ip', message: '`allowed_ip` is not a defined condition in the model.' },
    ]);
  });

  it('requires types on a directly assignable relation and none on the others', () => {
    const model: AuthorizationModel = {
      schema_version: '1.1',
      type_definitions: [
        { type: 'user' },
        {
          type: 'doc',
          relations: { owner: { this: {} }, viewer: { computedUserset: { relation: 'owner' } } },
          metadata: { relations: { owner: { directly_related_user_types: [] }, viewer: { directly_related_user_types: [{ type: 'user' }] } } },
        },
      ],
    };
    const diagnostics = run(createValidationContext(model));
    expect(codesAndSymbols(diagnostics)).toEqual([
      ['assignable-relation-must-have-type', 'owner'],
      ['assignable-relation-must-have-type', 'viewer'],
    ]);
    expect(diagnostics[0]?.message).toBe("assignable relation 'owner' must have types");
  });

  it('rejects a restriction that is both a wildcard and a userset', () => {
    const model: AuthorizationModel = {
      schema_version: '1.1',
      type_definitions: [
        { type: 'group', relations: { member: { this: {} } }, metadata: { relations: { member: { directly_related_user_types: [{ type: 'group', relation: 'member', wildcard: {} }] } } } },
      ],
    };
    expect(codesAndSymbols(run(createValidationContext(model)))).toEqual([['type-wildcard-relation', 'group:*']]);
  });

  it('accepts plain, wildcard, userset and conditional restrictions that resolve', () => {
    const ctx = contextFromDsl(
      'model\n  schema 1.1\ntype user\ntype group\n  relations\n    define member: [user, user:*, group#member, user with c]\n' +
        'condition c(x: int) {\n  x < 1\n}\n',
    );
    expect(run(ctx)).toEqual([]);
  });
});
