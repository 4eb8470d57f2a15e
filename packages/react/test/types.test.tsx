import { cleanup, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import type { RegisteredSchema } from '@gatehouse/react';
import { Can, GatehouseProvider, useCheck, useObjects } from '../src/index';
import { decisionsFor } from './fixtures';

// Registering the fixture model's schema types every relation and object below (and, being a
// declaration merge, in every test of this package, which all use the fixture model).
declare module '@gatehouse/react' {
  interface Register {
    schema: { user: never; label: 'member'; artist: 'label' | 'editor' | 'viewer' };
  }
}

afterEach(() => {
  cleanup();
});

describe('typed from the registered schema', () => {
  it('accepts the schema relations and objects, and rejects others at compile time', () => {
    expectTypeOf<RegisteredSchema>().toEqualTypeOf<{ user: never; label: 'member'; artist: 'label' | 'editor' | 'viewer' }>();
    function Probe(): ReactNode {
      const lists = useObjects('viewer', 'artist');
      expectTypeOf(lists).toEqualTypeOf<readonly `artist:${string}`[] | undefined>();
      const allowed = useCheck('member', 'label:l1');
      // @ts-expect-error artists have no member relation
      useCheck('member', 'artist:a1');
      // @ts-expect-error not a type of the schema
      useObjects('viewer', 'playlist');
      return (
        <>
          <span>{String(allowed)}</span>
          <Can relation="editor" object="artist:a1">
            <b>editor</b>
          </Can>
          {/* @ts-expect-error labels have no editor relation */}
          <Can relation="editor" object="label:l1">
            <b>label editor</b>
          </Can>
        </>
      );
    }
    render(
      <GatehouseProvider decisions={decisionsFor('user:ada', { 'artist:a1#editor': true, 'label:l1#member': true })}>
        <Probe />
      </GatehouseProvider>,
    );
    expect(screen.getByText('true')).toBeTruthy();
    expect(screen.getByText('editor')).toBeTruthy();
    expect(screen.queryByText('label editor')).toBeNull();
  });
});
