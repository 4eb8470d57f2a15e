import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AuthzHelpers } from '../src/index';

type S = { user: never; album: 'viewer'; track: 'album' | 'editor' | 'viewer' };

describe('AuthzHelpers typed from a schema', () => {
  it('restricts relations and objects to the schema', () => {
    const helpers: AuthzHelpers<S> = { user: 'user:ada', can: () => true, listObjects: () => [] };
    expectTypeOf(helpers.listObjects<'track'>).returns.toEqualTypeOf<readonly `track:${string}`[]>();
    expect(helpers.can('editor', 'track:t1')).toBe(true);
    // @ts-expect-error albums have no editor relation
    helpers.can<'album'>('editor', 'album:a1');
    // @ts-expect-error not a type of the schema
    helpers.listObjects('viewer', 'playlist');
  });
});
