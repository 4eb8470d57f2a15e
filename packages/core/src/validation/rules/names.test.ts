import { transformer } from '@openfga/syntax-transformer';
import { describe, expect, it } from 'vitest';
import { createValidationContext } from '../context';
import { dslHelpers } from '../../../test/helpers/testModel';
import { nameFormat, reservedNames } from './names';

const { contextFromDsl } = dslHelpers(transformer.transformDSLToJSONObject);

describe('reservedNames', () => {
  it('rejects a type named self or this', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype self\n  relations\n    define member: [user]\n');
    expect(reservedNames(ctx)).toEqual([
      {
        code: 'reserved-type-keywords',
        message: "a type cannot be named 'self' or 'this'.",
        severity: 'error',
        path: ['type_definitions', 1, 'type'],
        symbol: 'self',
        type: 'self',
      },
    ]);
  });

  it('rejects a relation named this, naming its type and relation', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype group\n  relations\n    define this: [user]\n');
    const [d] = reservedNames(ctx);
    expect(d).toMatchObject({
      code: 'reserved-relation-keywords',
      symbol: 'this',
      type: 'group',
      relation: 'this',
      path: ['type_definitions', 1, 'relations', 'this'],
    });
  });

  it('accepts names that merely contain a keyword', () => {
    const ctx = contextFromDsl('model\n  schema 1.1\ntype user\ntype thisdoc\n  relations\n    define myself: [user]\n');
    expect(reservedNames(ctx)).toEqual([]);
  });
});

describe('nameFormat', () => {
  const model = (type: string, relation: string) =>
    createValidationContext({
      schema_version: '1.1',
      type_definitions: [{ type, relations: { [relation]: { this: {} } }, metadata: { relations: { [relation]: { directly_related_user_types: [{ type }] } } } }],
    });

  it('reports a type name over 254 characters with the naming rule', () => {
    const long = 'a'.repeat(255);
    const [d] = nameFormat(model(long, 'viewer'));
    expect(d).toMatchObject({ code: 'invalid-name', symbol: long, path: ['type_definitions', 0, 'type'] });
    expect(d?.message).toBe(`type '${long}' does not match naming rule: '^[^:#@\\*\\s]{1,254}$'.`);
  });

  it('reports relation names over 50 characters or with forbidden characters', () => {
    expect(nameFormat(model('doc', 'r'.repeat(51))).map((d) => d.message)).toEqual([
      `relation '${'r'.repeat(51)}' of type 'doc' does not match naming rule: '^[^:#@\\*\\s]{1,50}$'.`,
    ]);
    for (const bad of ['a:b', 'a#b', 'a@b', 'a*b', 'a b', '']) {
      expect(nameFormat(model('doc', bad)), bad).toHaveLength(1);
    }
  });

  it('accepts the characters OpenFGA allows, such as / . - _', () => {
    expect(nameFormat(model('acme/doc.v2-x', 'can_view'))).toEqual([]);
    expect(nameFormat(model('t', 'r'.repeat(50)))).toEqual([]);
  });
});
