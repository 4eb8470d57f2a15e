import { describe, expect, it } from 'vitest';
import type { AuthorizationModel } from '../../model/types';
import { createValidationContext } from '../context';
import { modulesPerFile } from './modules';

describe('modulesPerFile', () => {
  it('reports a file holding several modules, listing them types first, then relations, then conditions', () => {
    const model: AuthorizationModel = {
      schema_version: '1.2',
      type_definitions: [
        { type: 'user', metadata: { module: 'core', source_info: { file: 'core.fga' } } },
        {
          type: 'org',
          relations: { member: { this: {} } },
          metadata: {
            module: 'other',
            source_info: { file: 'core.fga' },
            relations: {
              member: {
                directly_related_user_types: [{ type: 'user', condition: 'c' }],
                module: 'relationmodule',
                source_info: { file: 'core.fga' },
              },
            },
          },
        },
      ],
      conditions: { c: { name: 'c', expression: 'x', metadata: { module: 'conditionmodule', source_info: { file: 'core.fga' } } } },
    };
    expect(modulesPerFile(createValidationContext(model))).toEqual([
      {
        code: 'multiple-modules-in-file',
        message:
          'file core.fga would contain multiple module definitions (core, other, relationmodule, conditionmodule) when transforming to DSL. Only one module can be defined per file.',
        severity: 'error',
        path: ['type_definitions', 1, 'metadata', 'module'],
        symbol: 'core.fga',
        file: 'core.fga',
      },
    ]);
  });

  it('accepts one module per file, and relations inheriting their type module', () => {
    const model: AuthorizationModel = {
      schema_version: '1.2',
      type_definitions: [
        { type: 'user', metadata: { module: 'core', source_info: { file: 'core.fga' } } },
        {
          type: 'doc',
          relations: { viewer: { this: {} } },
          metadata: { module: 'docs', source_info: { file: 'docs.fga' }, relations: { viewer: { directly_related_user_types: [{ type: 'user' }] } } },
        },
      ],
    };
    expect(modulesPerFile(createValidationContext(model))).toEqual([]);
  });
});
