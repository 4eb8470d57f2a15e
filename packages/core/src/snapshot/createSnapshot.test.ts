import { describe, expect, it } from 'vitest';
import { model } from '../authorizer/authorizer.fixture';
import { GatehouseError, ModelValidationError } from '../errors/index';
import type { AuthorizationModel } from '../model/types';
import type { TupleKey } from '../store/types';
import { createSnapshot } from './createSnapshot';

const t = (user: string, relation: string, object: string): TupleKey => ({ user, relation, object });
const now = () => 1_700_000_000_000;

describe('createSnapshot', () => {
  it('builds a frozen snapshot that answers checks at its revision', () => {
    const s = createSnapshot({ model, modelId: 'm1', revision: '7', tuples: [t('user:u1', 'owner', 'doc:d1'), t('folder:f1', 'parent', 'doc:d1'), t('user:u2', 'viewer', 'folder:f1')] }, { now });
    expect(s).toMatchObject({ revision: '7', modelId: 'm1', loadedAt: now(), tupleCount: 3, ignoredCount: 0 });
    expect(Object.isFrozen(s)).toBe(true);
    expect(s.evaluator.check({ user: 'user:u1', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(true);
    expect(s.evaluator.check({ user: 'user:u2', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(true);
    expect(s.evaluator.check({ user: 'user:u3', relation: 'viewer', object: 'doc:d1' }).allowed).toBe(false);
    expect(s.store.compiled).toBe(s.compiled);
  });

  it('keeps tuples the model does not allow aside instead of failing, as OpenFGA ignores them', () => {
    const s = createSnapshot({ model, modelId: 'm1', revision: '1', tuples: [t('user:u1', 'reader', 'doc:d1'), t('user:u1', 'owner', 'album:a1'), t('user:u1', 'owner', 'doc:d1')] });
    expect(s.tupleCount).toBe(1);
    expect(s.ignoredCount).toBe(2);
    expect(s.evaluator.check({ user: 'user:u1', relation: 'owner', object: 'doc:d1' }).allowed).toBe(true);
  });

  it('lets the later of two entries for one tuple win, as a second write would', () => {
    const cond = (expires: string): TupleKey => ({ user: 'user:*', relation: 'viewer', object: 'doc:d1', condition: { name: 'not_expired', context: { expires } } });
    const request = { user: 'user:u1', relation: 'viewer', object: 'doc:d1', context: { now: '2025-01-01T00:00:00Z' } };
    const laterOpen = createSnapshot({ model, modelId: 'm1', revision: '1', tuples: [cond('2020-01-01T00:00:00Z'), cond('2030-01-01T00:00:00Z')] });
    expect(laterOpen.tupleCount).toBe(1);
    expect(laterOpen.evaluator.check(request).allowed).toBe(true);
    const laterClosed = createSnapshot({ model, modelId: 'm1', revision: '1', tuples: [cond('2030-01-01T00:00:00Z'), cond('2020-01-01T00:00:00Z')] });
    expect(laterClosed.evaluator.check(request).allowed).toBe(false);
  });

  it('refuses a semantically invalid model with every diagnostic', () => {
    const bad: AuthorizationModel = {
      schema_version: '1.1',
      type_definitions: [{ type: 'user' }, { type: 'doc', relations: { viewer: { computedUserset: { relation: 'missing' } } } }],
    };
    const error = catchError(() => createSnapshot({ model: bad, modelId: 'm1', revision: '1', tuples: [] }));
    expect(error).toBeInstanceOf(ModelValidationError);
    expect(error.code).toBe('invalid_authorization_model');
    expect(error.message).toMatch(/missing/);
  });

  it.each([
    ['a non-object payload', null, /snapshot: expected an object/],
    ['a non-canonical revision', { model, modelId: 'm1', revision: '07', tuples: [] }, /snapshot: invalid revision "07"/],
    ['a numeric revision', { model, modelId: 'm1', revision: 7, tuples: [] }, /snapshot: invalid revision number 7/],
    ['an empty model id', { model, modelId: '', revision: '1', tuples: [] }, /snapshot 1: invalid modelId ""/],
    ['tuples that are not an array', { model, modelId: 'm1', revision: '1', tuples: {} }, /snapshot 1: tuples: expected an array of tuples, got an object/],
    ['a null tuple', { model, modelId: 'm1', revision: '1', tuples: [t('user:u1', 'owner', 'doc:d1'), null] }, /tuples\[1\]: expected a tuple \{ user, relation, object \} of strings, got null/],
    ['a tuple with a numeric user', { model, modelId: 'm1', revision: '1', tuples: [{ user: 1, relation: 'owner', object: 'doc:d1' }] }, /tuples\[0\]: expected a tuple/],
    ['a condition without a name', { model, modelId: 'm1', revision: '1', tuples: [{ ...t('user:*', 'viewer', 'doc:d1'), condition: {} }] }, /tuples\[0\]: the condition of 'doc:d1#viewer@user:\*' must be an object with a name/],
    ['a condition context that is an array', { model, modelId: 'm1', revision: '1', tuples: [{ ...t('user:*', 'viewer', 'doc:d1'), condition: { name: 'not_expired', context: [] } }] }, /the condition context of .* must be an object/],
  ])('refuses %s as invalid_bundle, naming the field', (_, input, message) => {
    const error = catchError(() => createSnapshot(input as never));
    expect(error.code).toBe('invalid_bundle');
    expect(error.message).toMatch(message);
  });

  it('refuses a structurally broken model with a typed error, never a TypeError', () => {
    const error = catchError(() => createSnapshot({ model: { schema_version: '1.1', type_definitions: 42 } as unknown as AuthorizationModel, modelId: 'm1', revision: '1', tuples: [] }));
    expect(error).toBeInstanceOf(GatehouseError);
    expect(error.code).toBe('invalid_authorization_model');
  });
});

function catchError(fn: () => unknown): GatehouseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatehouseError) return error;
    throw error;
  }
  throw new Error('expected an error');
}
