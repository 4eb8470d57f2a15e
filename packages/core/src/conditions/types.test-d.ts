import { describe, expectTypeOf, it } from 'vitest';
import type { ConditionContextOf, ConditionJsonValue, ConditionRefValue, ConditionResult, ConditionSet } from './index';

describe('condition types', () => {
  it('maps JSON parameter type references to context value types', () => {
    expectTypeOf<ConditionRefValue<{ type_name: 'TYPE_NAME_TIMESTAMP' }>>().toEqualTypeOf<Date | string>();
    expectTypeOf<ConditionRefValue<{ type_name: 'TYPE_NAME_DURATION' }>>().toEqualTypeOf<string>();
    expectTypeOf<ConditionRefValue<{ type_name: 'TYPE_NAME_INT' }>>().toEqualTypeOf<number | bigint>();
    expectTypeOf<ConditionRefValue<{ type_name: 'TYPE_NAME_DOUBLE' }>>().toEqualTypeOf<number>();
    expectTypeOf<ConditionRefValue<{ type_name: 'TYPE_NAME_ANY' }>>().toEqualTypeOf<ConditionJsonValue>();
    expectTypeOf<
      ConditionRefValue<{ type_name: 'TYPE_NAME_MAP'; generic_types: readonly [{ type_name: 'TYPE_NAME_BOOL' }] }>
    >().toEqualTypeOf<{ readonly [key: string]: boolean }>();
  });

  it('types a context from JSON parameter declarations', () => {
    const params = {
      x: { type_name: 'TYPE_NAME_INT' },
      ips: { type_name: 'TYPE_NAME_LIST', generic_types: [{ type_name: 'TYPE_NAME_IPADDRESS' }] },
    } as const;
    expectTypeOf<ConditionContextOf<typeof params>>().toEqualTypeOf<{
      readonly x?: number | bigint;
      readonly ips?: readonly string[];
    }>();
  });

  it('lets callers read missingParameters without narrowing', () => {
    expectTypeOf<ConditionResult['missingParameters']>().toEqualTypeOf<readonly string[] | undefined>();
    expectTypeOf<ConditionSet['evaluate']>().returns.toEqualTypeOf<ConditionResult>();
  });
});
