import { transformer } from '@openfga/syntax-transformer';
import { describe, expect, it } from 'vitest';
import { dslHelpers } from '../../../test/helpers/testModel';
import { entryPoints } from './entryPoints';

const { contextFromDsl } = dslHelpers(transformer.transformDSLToJSONObject);

const header = 'model\n  schema 1.1\ntype user\n';
const messages = (dsl: string) => entryPoints(contextFromDsl(header + dsl)).map((d) => d.message);

describe('entryPoints', () => {
  it('accepts relations that reach a direct assignment', () => {
    expect(messages('type doc\n  relations\n    define editor: [user]\n    define viewer: [doc#viewer] or editor\n    define can_view: viewer but not editor\n')).toEqual([]);
  });

  it('reports a tuple-to-userset chain that never reaches a user as having no entry point', () => {
    expect(messages('type folder\n  relations\n    define parent: [folder]\n    define viewer: viewer from parent\n')).toEqual([
      '`viewer` is an impossible relation for `folder` (no entrypoint).',
    ]);
  });

  it('reports an intersection whose operand only refers to itself', () => {
    const [d] = entryPoints(contextFromDsl(header + 'type document\n  relations\n    define editor: [user]\n    define viewer: [document#viewer] and editor\n'));
    expect(d).toEqual({
      code: 'relation-no-entry-point',
      message: '`viewer` is an impossible relation for `document` (no entrypoint).',
      severity: 'error',
      path: ['type_definitions', 1, 'relations', 'viewer'],
      symbol: 'viewer',
      type: 'document',
      relation: 'viewer',
    });
  });

  it('calls computed relations that only refer to each other a potential loop', () => {
    expect(messages('type doc\n  relations\n    define reader: writer\n    define writer: reader\n')).toEqual([
      '`reader` is an impossible relation for `doc` (potential loop).',
      '`writer` is an impossible relation for `doc` (potential loop).',
    ]);
    expect(
      messages('type doc\n  relations\n    define admin: [user]\n    define a1: admin and a2\n    define a2: admin but not a1\n'),
    ).toEqual(['`a1` is an impossible relation for `doc` (potential loop).', '`a2` is an impossible relation for `doc` (potential loop).']);
  });

  it('rejects cycles of computed relations even when they have entry points, as the OpenFGA server does', () => {
    expect(messages('type doc\n  relations\n    define x: [user] or y\n    define y: [user] or x\n    define z: [user]\n')).toEqual([
      '`x` is an impossible relation for `doc` (potential loop).',
      '`y` is an impossible relation for `doc` (potential loop).',
    ]);
  });

  it('allows recursion through tuple-to-userset and usersets (tuple cycles)', () => {
    expect(messages('type folder\n  relations\n    define parent: [folder]\n    define viewer: [user, folder#viewer] or viewer from parent\n')).toEqual([]);
  });

  it('finds entry points across types and through usersets', () => {
    const dsl =
      'type group\n  relations\n    define member: [user, group#member]\n' +
      'type team\n  relations\n    define parent: [group]\n    define member: member from parent\n' +
      'type doc\n  relations\n    define viewer: [team#member]\n';
    expect(messages(dsl)).toEqual([]);
  });

  it('validates a large model in linear time', () => {
    const types = Array.from({ length: 500 }, (_, i) => {
      const parent = `t${Math.max(0, i - 1)}`;
      return (
        `type t${i}\n  relations\n    define parent: [${parent}]\n    define owner: [user]\n    define editor: [user, t${i}#member] or owner\n` +
        `    define member: [user, t${i}#member]\n    define viewer: [user, user:*] or editor or viewer from parent\n` +
        `    define blocked: [user]\n    define can_view: viewer but not blocked\n    define can_edit: editor and can_view\n` +
        `    define admin: owner or admin from parent\n    define deep: can_edit from parent\n`
      );
    });
    const ctx = contextFromDsl(header + types.join(''));
    const started = performance.now();
    expect(entryPoints(ctx)).toEqual([]);
    // Generous bound for slow CI machines; the point is to catch accidental exponential search.
    expect(performance.now() - started).toBeLessThan(500);
  });
});
