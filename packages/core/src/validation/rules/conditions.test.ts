import { describe, expect, it } from 'vitest';
import type { AuthorizationModel } from '../../model/types';
import { createValidationContext } from '../context';
import { conditionNames, unusedConditions } from './conditions';

const model = (conditions: AuthorizationModel['conditions'], used: string[]): AuthorizationModel => ({
  schema_version: '1.1',
  type_definitions: [
    { type: 'user' },
    {
      type: 'doc',
      relations: { viewer: { this: {} } },
      metadata: { relations: { viewer: { directly_related_user_types: used.map((condition) => ({ type: 'user', condition })) } } },
    },
  ],
  ...(conditions ? { conditions } : {}),
});

describe('conditionNames', () => {
  it('reports a condition whose name differs from its key, with the nested name as symbol', () => {
    const ctx = createValidationContext(model({ key: { name: 'other', expression: 'x < 1' } }, ['key']));
    expect(conditionNames(ctx)).toEqual([
      {
        code: 'different-nested-condition-name',
        message: 'condition key is `key` but nested name property is other',
        severity: 'error',
        path: ['conditions', 'key', 'name'],
        symbol: 'other',
        condition: 'key',
      },
    ]);
  });
});

describe('unusedConditions', () => {
  it('reports conditions no type restriction uses', () => {
    const ctx = createValidationContext(
      model(
        {
          less_than: { name: 'less_than', expression: 'x < 100' },
          less: { name: 'less', expression: 'x < 10', metadata: { module: 'm', source_info: { file: 'm.fga' } } },
        },
        ['less_than'],
      ),
    );
    expect(unusedConditions(ctx)).toEqual([
      {
        code: 'condition-not-used',
        message: '`less` condition is not used in the model.',
        severity: 'error',
        path: ['conditions', 'less'],
        symbol: 'less',
        condition: 'less',
        file: 'm.fga',
        module: 'm',
      },
    ]);
  });

  it('is quiet when every condition is used or there are none', () => {
    expect(unusedConditions(createValidationContext(model({ c: { name: 'c', expression: 'x' } }, ['c'])))).toEqual([]);
    expect(unusedConditions(createValidationContext(model(undefined, [])))).toEqual([]);
  });
});
