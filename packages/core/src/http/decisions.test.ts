import { describe, expect, it, vi } from 'vitest';
import { createAuthorizer } from '../authorizer/index';
import type { EvaluationErrorEvent } from '../authorizer/index';
import { MemorySource } from '../sync/MemorySource';
import { parseModel } from '../validation/parseModel';
import { isGatehouseError } from '../errors/index';
import { computeDecisions, decisionKey, listKey } from './index';

const model = parseModel({
  schema_version: '1.1',
  type_definitions: [
    { type: 'user' },
    {
      type: 'artist',
      relations: { editor: { this: {} }, viewer: { union: { child: [{ this: {} }, { computedUserset: { relation: 'editor' } }] } } },
      metadata: {
        relations: {
          editor: { directly_related_user_types: [{ type: 'user' }] },
          viewer: { directly_related_user_types: [{ type: 'user' }, { type: 'user', condition: 'before' }] },
        },
      },
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
const tuples = [
  { user: 'user:ada', relation: 'editor', object: 'artist:a1' },
  { user: 'user:ada', relation: 'viewer', object: 'artist:a2' },
  { user: 'user:ben', relation: 'editor', object: 'artist:a3' },
  { user: 'user:cleo', relation: 'viewer', object: 'artist:a4', condition: { name: 'before', context: { deadline: 10 } } },
];

async function ready() {
  const authorizer = createAuthorizer({ source: new MemorySource({ model, tuples, revision: 7 }) });
  await authorizer.ready();
  return authorizer;
}

describe('decision keys', () => {
  it('write a check as a userset and a list as type#relation', () => {
    expect(decisionKey('editor', 'artist:a1')).toBe('artist:a1#editor');
    expect(listKey('viewer', 'artist')).toBe('artist#viewer');
  });
});

describe('computeDecisions', () => {
  it('answers the asked checks and lists for the user, stamped with the revision', async () => {
    const authorizer = await ready();
    const set = computeDecisions(authorizer, 'user:ada', {
      checks: [
        { relation: 'editor', object: 'artist:a1' },
        { relation: 'editor', object: 'artist:a2' },
        { relation: 'viewer', object: 'artist:a1' },
      ],
      lists: [{ relation: 'viewer', type: 'artist' }],
    });
    expect(set).toEqual({
      user: 'user:ada',
      revision: '7',
      modelId: authorizer.modelId,
      checks: { 'artist:a1#editor': true, 'artist:a2#editor': false, 'artist:a1#viewer': true },
      lists: { 'artist#viewer': ['artist:a1', 'artist:a2'] },
    });
    expect(JSON.parse(JSON.stringify(set))).toEqual(set);
  });

  it('answers duplicates once', async () => {
    const authorizer = await ready();
    const set = computeDecisions(authorizer, 'user:ada', {
      checks: [
        { relation: 'editor', object: 'artist:a1' },
        { relation: 'editor', object: 'artist:a1' },
      ],
      lists: [
        { relation: 'viewer', type: 'artist' },
        { relation: 'viewer', type: 'artist' },
      ],
    });
    expect(Object.keys(set.checks)).toEqual(['artist:a1#editor']);
    expect(Object.keys(set.lists)).toEqual(['artist#viewer']);
  });

  it('fails closed on malformed objects, relations and users', async () => {
    const authorizer = await ready();
    const errors: EvaluationErrorEvent[] = [];
    authorizer.on('error', (e) => errors.push(e));
    const set = computeDecisions(authorizer, 'user:ada', {
      checks: [
        { relation: 'editor', object: 'artist:a 1' },
        { relation: 'editor', object: 'artist' },
        { relation: 'owner', object: 'artist:a1' },
        { relation: 'editor', object: 'artist:a1' },
      ],
      lists: [{ relation: 'viewer', type: 'song' }],
    });
    expect(set.checks).toEqual({ 'artist:a 1#editor': false, 'artist#editor': false, 'artist:a1#owner': false, 'artist:a1#editor': true });
    expect(set.lists).toEqual({ 'song#viewer': [] });
    expect(errors.length).toBeGreaterThanOrEqual(3);
    const bad = computeDecisions(authorizer, 'not a user', { checks: [{ relation: 'editor', object: 'artist:a1' }] });
    expect(bad.checks).toEqual({ 'artist:a1#editor': false });
  });

  it('fails closed on an evaluation error and still answers the other checks', async () => {
    const authorizer = await ready();
    const query = {
      checks: [
        { relation: 'viewer', object: 'artist:a4' },
        { relation: 'viewer', object: 'artist:a3' },
      ],
      lists: [{ relation: 'viewer', type: 'artist' }],
    };
    // `now` is missing: the conditional grant cannot be evaluated.
    const missing = computeDecisions(authorizer, 'user:cleo', query);
    expect(missing.checks).toEqual({ 'artist:a4#viewer': false, 'artist:a3#viewer': false });
    expect(missing.lists).toEqual({ 'artist#viewer': [] });
    const withContext = computeDecisions(authorizer, 'user:cleo', query, { context: { now: 1 } });
    expect(withContext.checks).toEqual({ 'artist:a4#viewer': true, 'artist:a3#viewer': false });
    expect(withContext.lists).toEqual({ 'artist#viewer': ['artist:a4'] });
  });

  it('uses contextual tuples', async () => {
    const authorizer = await ready();
    const set = computeDecisions(authorizer, 'user:zoe', { checks: [{ relation: 'editor', object: 'artist:a9' }] }, {
      contextualTuples: [{ user: 'user:zoe', relation: 'editor', object: 'artist:a9' }],
    });
    expect(set.checks).toEqual({ 'artist:a9#editor': true });
  });

  it('answers every check false and every list empty for an anonymous user', async () => {
    const authorizer = await ready();
    const query = { checks: [{ relation: 'viewer', object: 'artist:a1' }], lists: [{ relation: 'viewer', type: 'artist' }] };
    for (const user of [undefined, '']) {
      expect(computeDecisions(authorizer, user, query)).toEqual({
        user: null,
        revision: '7',
        modelId: authorizer.modelId,
        checks: { 'artist:a1#viewer': false },
        lists: { 'artist#viewer': [] },
      });
    }
  });

  it('answers every check false before the first snapshot or without an authorizer', () => {
    const query = { checks: [{ relation: 'viewer', object: 'artist:a1' }], lists: [{ relation: 'viewer', type: 'artist' }] };
    const notReady = createAuthorizer({});
    const expected = { user: 'user:ada', revision: '', modelId: '', checks: { 'artist:a1#viewer': false }, lists: { 'artist#viewer': [] } };
    expect(computeDecisions(notReady, 'user:ada', query)).toEqual(expected);
    expect(computeDecisions(undefined, 'user:ada', query)).toEqual(expected);
  });

  it('ignores entries that are not checks or lists', async () => {
    const authorizer = await ready();
    const query = JSON.parse('{"checks":[null,{"relation":1,"object":"artist:a1"},{"relation":"editor","object":"artist:a1"}],"lists":[7]}') as Parameters<typeof computeDecisions>[2];
    expect(computeDecisions(authorizer, 'user:ada', query)).toMatchObject({ checks: { 'artist:a1#editor': true }, lists: {} });
  });

  it('refuses a query larger than maxChecks / maxLists before evaluating anything', async () => {
    const authorizer = await ready();
    const batchCheck = vi.spyOn(authorizer, 'batchCheck');
    const listObjects = vi.spyOn(authorizer, 'listObjects');
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        if (isGatehouseError(error)) return { code: error.code, message: error.message };
      }
      throw new Error('expected a GatehouseError');
    };
    // A query can come from the client (a refresh server action): 100 000 checks must not cost
    // 100 000 evaluations, nor 50 000 lists as many listObjects.
    const checks = Array.from({ length: 100_000 }, (_, i) => ({ relation: 'viewer', object: `artist:a${i}` }));
    expect(refusal(() => computeDecisions(authorizer, 'user:ada', { checks }))).toEqual({
      code: 'validation_error',
      message: 'computeDecisions: query.checks asks 100000 checks, more than maxChecks (1000)',
    });
    const lists = Array.from({ length: 51 }, (_, i) => ({ relation: 'viewer', type: `t${i}` }));
    expect(refusal(() => computeDecisions(authorizer, 'user:ada', { lists }))).toEqual({
      code: 'validation_error',
      message: 'computeDecisions: query.lists asks 51 lists, more than maxLists (50)',
    });
    // Anonymous or not: the size is refused before anything else.
    expect(refusal(() => computeDecisions(authorizer, undefined, { checks })).code).toBe('validation_error');
    expect(batchCheck).not.toHaveBeenCalled();
    expect(listObjects).not.toHaveBeenCalled();
    // Limits are options; at the limit, everything is answered.
    expect(Object.keys(computeDecisions(authorizer, 'user:ada', { checks: checks.slice(0, 1000), lists: lists.slice(0, 50) }).checks)).toHaveLength(1000);
    expect(refusal(() => computeDecisions(authorizer, 'user:ada', { checks: checks.slice(0, 3) }, { maxChecks: 2 })).message).toBe(
      'computeDecisions: query.checks asks 3 checks, more than maxChecks (2)',
    );
    expect(computeDecisions(authorizer, 'user:ada', { checks: checks.slice(0, 2000) }, { maxChecks: 2000 }).checks['artist:a1#viewer']).toBe(true);
    expect(refusal(() => computeDecisions(authorizer, 'user:ada', {}, { maxLists: -1 })).message).toBe('computeDecisions: maxLists must be a non-negative integer, got -1');
  });

  it('refuses a query that is not one, instead of throwing a TypeError or reading characters', async () => {
    const authorizer = await ready();
    for (const [query, message] of [
      [null, 'computeDecisions: query must be an object with checks and/or lists'],
      ['checks', 'computeDecisions: query must be an object with checks and/or lists'],
      [{ checks: 'artist:a1#editor' }, 'computeDecisions: query.checks must be an array'],
      [{ checks: { length: 1, 0: { relation: 'editor', object: 'artist:a1' } } }, 'computeDecisions: query.checks must be an array'],
      [{ lists: 7 }, 'computeDecisions: query.lists must be an array'],
    ] as const) {
      expect(() => computeDecisions(authorizer, 'user:ada', query as unknown as Parameters<typeof computeDecisions>[2])).toThrow(message);
    }
  });
});
