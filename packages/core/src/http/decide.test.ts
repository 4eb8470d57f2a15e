import { describe, expect, it } from 'vitest';
import { createAuthorizer } from '../authorizer/index';
import { MemorySource } from '../sync/MemorySource';
import { parseModel } from '../validation/parseModel';
import { decidePermission, PROBLEM_JSON, problemFor, problemResponse } from './index';

const model = parseModel({
  schema_version: '1.1',
  type_definitions: [
    { type: 'user' },
    {
      type: 'track',
      relations: { viewer: { this: {} } },
      metadata: { relations: { viewer: { directly_related_user_types: [{ type: 'user', condition: 'before' }] } } },
    },
  ],
  conditions: {
    before: {
      name: 'before',
      expression: 'now < deadline',
      parameters: { now: { type_name: 'TYPE_NAME_INT' }, deadline: { type_name: 'TYPE_NAME_INT' } },
    },
  },
});
const tuples = [{ user: 'user:ada', relation: 'viewer', object: 'track:t1', condition: { name: 'before', context: { deadline: 10 } } }];
const authorizer = createAuthorizer({ source: new MemorySource({ model, tuples, revision: 1 }), cache: { max: 0 } });

describe('decidePermission', () => {
  it('allows, denies, and refuses anonymous or malformed requests without throwing', () => {
    expect(decidePermission(authorizer, { user: 'user:ada', relation: 'viewer', object: 'track:t1', context: { now: 1 } })).toEqual({ kind: 'allow', status: 200 });
    expect(decidePermission(authorizer, { user: 'user:bob', relation: 'viewer', object: 'track:t1', context: { now: 1 } })).toEqual({ kind: 'deny', status: 403 });
    expect(decidePermission(authorizer, { user: undefined, relation: 'viewer', object: 'track:t1' })).toEqual({ kind: 'unauthenticated', status: 401 });
    expect(decidePermission(authorizer, { user: 'user ada', relation: 'viewer', object: 'track:t1' })).toMatchObject({ kind: 'malformed', status: 400, detail: expect.stringContaining('"user ada"') });
    expect(decidePermission(authorizer, { user: 'user:ada', relation: 'viewer', object: 'track' })).toMatchObject({ kind: 'malformed', status: 400 });
  });

  it('fails closed on an evaluation error with the configured status', () => {
    const missing = { user: 'user:ada', relation: 'viewer', object: 'track:t1' } as const;
    expect(decidePermission(authorizer, missing)).toMatchObject({ kind: 'error', status: 403, error: { code: 'condition_evaluation_error' } });
    expect(decidePermission(authorizer, missing, 503)).toMatchObject({ kind: 'error', status: 503 });
  });
});

describe('problem details', () => {
  it('describes a denial and keeps internals out of error bodies', async () => {
    const request = { relation: 'viewer', object: 'track:t1' };
    expect(problemFor({ kind: 'deny', status: 403 }, request, '/tracks/t1')).toEqual({
      type: 'https://gatehouse.dev/problems/deny',
      title: 'Forbidden',
      status: 403,
      instance: '/tracks/t1',
      detail: 'Missing the "viewer" permission on track:t1.',
    });
    const decision = decidePermission(authorizer, { user: 'user:ada', ...request });
    if (decision.kind !== 'error') throw new Error('expected an evaluation error');
    const response = problemResponse(decision, request);
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe(PROBLEM_JSON);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body['code']).toBe('condition_evaluation_error');
    expect(String(body['detail'])).not.toContain('missing context parameters');
  });
});
