import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { useEffect, useLayoutEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { renderToString } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { computeDecisions } from '@gatehouse/core/http';
import type { DecisionSet } from '@gatehouse/core/http';
import { decisionsFor, fixtureAuthorizer, TUPLES } from '../test/fixtures';
import { Can, GatehouseProvider, useCheck, useDecision, useGatehouse, useObjects } from './index';

afterEach(() => {
  cleanup();
});

const ada = decisionsFor('user:ada', { 'artist:a1#editor': true, 'artist:a2#editor': false }, { 'artist#viewer': ['artist:a1', 'artist:public'] });

function Panel(): ReactNode {
  const decision = useDecision('editor', 'artist:a2');
  const unknown = useDecision('editor', 'artist:zz');
  const objects = useObjects('viewer', 'artist');
  const notListed = useObjects('editor', 'artist');
  return (
    <ul>
      <li>
        <Can relation="editor" object="artist:a1" fallback={<span>a1: read only</span>}>
          <button>edit a1</button>
        </Can>
      </li>
      <li>
        <Can relation="editor" object="artist:a2" fallback={<span>a2: read only</span>}>
          <button>edit a2</button>
        </Can>
      </li>
      <li>
        <Can relation="editor" object="artist:zz">
          <button>edit zz</button>
        </Can>
      </li>
      <li>a2 is {decision}</li>
      <li>zz is {unknown}</li>
      <li>objects: {objects === undefined ? 'not computed' : objects.join(',')}</li>
      <li>editor list: {notListed === undefined ? 'not computed' : notListed.join(',')}</li>
    </ul>
  );
}

describe('<Can> and the hooks', () => {
  it('renders children iff allowed, the fallback otherwise, and treats an unknown decision as denied', () => {
    render(
      <GatehouseProvider decisions={ada}>
        <Panel />
      </GatehouseProvider>,
    );
    expect(screen.getByRole('button', { name: 'edit a1' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'edit a2' })).toBeNull();
    expect(screen.getByText('a2: read only')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'edit zz' })).toBeNull();
    expect(screen.queryByText('a1: read only')).toBeNull();
    expect(screen.getByText('a2 is denied')).toBeTruthy();
    expect(screen.getByText('zz is unknown')).toBeTruthy();
    expect(screen.getByText('objects: artist:a1,artist:public')).toBeTruthy();
    expect(screen.getByText('editor list: not computed')).toBeTruthy();
  });

  it('denies everything for an anonymous user', () => {
    render(
      <GatehouseProvider decisions={decisionsFor(null, { 'artist:a1#editor': false }, { 'artist#viewer': [] })}>
        <Panel />
      </GatehouseProvider>,
    );
    expect(screen.queryByRole('button')).toBeNull();
    expect(screen.getByText('objects:')).toBeTruthy();
  });

  it('fails closed on a value that is not a boolean', () => {
    const odd = JSON.parse('{"user":"user:ada","revision":"1","modelId":"m","checks":{"artist:a1#editor":"true"},"lists":{"artist#viewer":"artist:a1"}}') as DecisionSet;
    function Probe(): ReactNode {
      return (
        <span>
          {String(useCheck('editor', 'artist:a1'))} {String(useObjects('viewer', 'artist'))}
        </span>
      );
    }
    render(
      <GatehouseProvider decisions={odd}>
        <Probe />
      </GatehouseProvider>,
    );
    expect(screen.getByText('false undefined')).toBeTruthy();
  });

  it('refuses to answer outside a provider', () => {
    function Orphan(): ReactNode {
      return <span>{String(useCheck('editor', 'artist:a1'))}</span>;
    }
    expect(() => renderToString(<Orphan />)).toThrow(/useDecision must be used inside <GatehouseProvider>/);
  });
});

describe('updates', () => {
  it('re-renders consumers when the decisions prop changes', () => {
    const renders = { count: 0 };
    function Counted(): ReactNode {
      renders.count++;
      return <span>{useCheck('editor', 'artist:a1') ? 'can edit' : 'cannot edit'}</span>;
    }
    const view = render(
      <GatehouseProvider decisions={ada}>
        <Counted />
      </GatehouseProvider>,
    );
    expect(screen.getByText('can edit')).toBeTruthy();
    const revoked = decisionsFor('user:ada', { 'artist:a1#editor': false }, {}, '2');
    view.rerender(
      <GatehouseProvider decisions={revoked}>
        <Counted />
      </GatehouseProvider>,
    );
    expect(screen.getByText('cannot edit')).toBeTruthy();
    // The same answers in a new object (a server re-render): nothing changes.
    const before = renders.count;
    view.rerender(
      <GatehouseProvider decisions={{ ...revoked, checks: { ...revoked.checks } }}>
        <Counted />
      </GatehouseProvider>,
    );
    expect(renders.count).toBe(before + 1); // the parent's own re-render, no store-driven one
    expect(screen.getByText('cannot edit')).toBeTruthy();
  });

  it("never renders, nor runs effects with, the previous user's answers when the decisions prop changes", () => {
    // ada signs out (router.refresh after the session cookie is cleared): the server now sends
    // anonymous decisions. No consumer may see ada's answers after that prop arrives, not even in
    // a render that is never painted: layout effects and effects of that render would act on them.
    const rendered: string[] = [];
    const effects: string[] = [];
    function Spy(): ReactNode {
      const { decisions } = useGatehouse();
      const canEdit = useCheck('editor', 'artist:a1');
      const listed = useObjects('viewer', 'artist');
      const seen = `${String(decisions.user)} ${String(canEdit)} ${listed?.join(',') ?? '-'}`;
      rendered.push(seen);
      useLayoutEffect(() => {
        effects.push(`layout ${seen}`);
      });
      useEffect(() => {
        effects.push(`effect ${seen}`);
      });
      return <span>{seen}</span>;
    }
    const view = render(
      <GatehouseProvider decisions={ada}>
        <Spy />
      </GatehouseProvider>,
    );
    expect(screen.getByText('user:ada true artist:a1,artist:public')).toBeTruthy();
    rendered.length = 0;
    effects.length = 0;
    const signedOut = decisionsFor(null, { 'artist:a1#editor': false }, { 'artist#viewer': [] });
    view.rerender(
      <GatehouseProvider decisions={signedOut}>
        <Spy />
      </GatehouseProvider>,
    );
    expect(screen.getByText('null false')).toBeTruthy();
    expect(rendered).toEqual(['null false ']);
    expect(effects).toEqual(['layout null false ', 'effect null false ']);
    // And another user signing in on the same page gets only their own answers.
    rendered.length = 0;
    const ben = decisionsFor('user:ben', { 'artist:a1#editor': false }, { 'artist#viewer': ['artist:public'] }, '2');
    view.rerender(
      <GatehouseProvider decisions={ben}>
        <Spy />
      </GatehouseProvider>,
    );
    expect(rendered).toEqual(['user:ben false artist:public']);
  });

  it('drops a refresh that was asked before a new decisions prop arrived', async () => {
    const pending: ((set: DecisionSet) => void)[] = [];
    const refresh = () => new Promise<DecisionSet>((resolve) => pending.push(resolve));
    let api: ReturnType<typeof useGatehouse> | undefined;
    function Probe(): ReactNode {
      api = useGatehouse();
      return <span>{`${String(api.decisions.user)} ${useCheck('editor', 'artist:a1') ? 'can edit' : 'cannot edit'}`}</span>;
    }
    const view = render(
      <GatehouseProvider decisions={ada} refresh={refresh}>
        <Probe />
      </GatehouseProvider>,
    );
    let inFlight!: Promise<void>;
    act(() => {
      inFlight = (api as NonNullable<typeof api>).refresh();
    });
    // ada signs out while her refresh is on its way.
    view.rerender(
      <GatehouseProvider decisions={decisionsFor(null, { 'artist:a1#editor': false })} refresh={refresh}>
        <Probe />
      </GatehouseProvider>,
    );
    await act(async () => {
      pending[0]?.(decisionsFor('user:ada', { 'artist:a1#editor': true }, {}, '4'));
      await inFlight;
    });
    expect(screen.getByText('null cannot edit')).toBeTruthy();
    // A refresh asked after the new prop is held.
    await act(async () => {
      const next = (api as NonNullable<typeof api>).refresh();
      pending[1]?.(decisionsFor('user:ben', { 'artist:a1#editor': true }, {}, '5'));
      await next;
    });
    expect(screen.getByText('user:ben can edit')).toBeTruthy();
  });

  it('hands out frozen decisions: a consumer cannot change what the others see', () => {
    let objects: readonly string[] | undefined;
    let held: DecisionSet | undefined;
    function Probe(): ReactNode {
      objects = useObjects('viewer', 'artist');
      held = useGatehouse().decisions;
      return null;
    }
    render(
      <GatehouseProvider decisions={decisionsFor('user:ada', { 'artist:a1#editor': true }, { 'artist#viewer': ['artist:a1'] })}>
        <Probe />
      </GatehouseProvider>,
    );
    expect(() => (objects as string[]).push('artist:secret')).toThrow(TypeError);
    expect(() => {
      (held?.checks as Record<string, boolean>)['artist:a2#editor'] = true;
    }).toThrow(TypeError);
    expect(objects).toEqual(['artist:a1']);
    expect(held?.checks).toEqual({ 'artist:a1#editor': true });
  });

  it('re-renders when refresh() brings new decisions, and a slower older refresh loses', async () => {
    const pending: ((set: DecisionSet) => void)[] = [];
    const refresh = () => new Promise<DecisionSet>((resolve) => pending.push(resolve));
    let api: ReturnType<typeof useGatehouse> | undefined;
    function Probe(): ReactNode {
      api = useGatehouse();
      return (
        <span>
          {api.decisions.revision}: {useCheck('editor', 'artist:a2') ? 'can edit a2' : 'cannot edit a2'}
        </span>
      );
    }
    render(
      <GatehouseProvider decisions={ada} refresh={refresh}>
        <Probe />
      </GatehouseProvider>,
    );
    expect(screen.getByText('1: cannot edit a2')).toBeTruthy();
    let first!: Promise<void>;
    let second!: Promise<void>;
    act(() => {
      first = (api as NonNullable<typeof api>).refresh();
      second = (api as NonNullable<typeof api>).refresh();
    });
    await act(async () => {
      pending[1]?.(decisionsFor('user:ada', { 'artist:a2#editor': true }, {}, '3'));
      await second;
    });
    expect(screen.getByText('3: can edit a2')).toBeTruthy();
    await act(async () => {
      pending[0]?.(decisionsFor('user:ada', { 'artist:a2#editor': false }, {}, '2'));
      await first;
    });
    expect(screen.getByText('3: can edit a2')).toBeTruthy();
  });

  it('keeps refreshed decisions when the parent re-renders with the same answers in a new object', async () => {
    const fresh = decisionsFor('user:ada', { 'artist:a2#editor': true }, {}, '5');
    let api: ReturnType<typeof useGatehouse> | undefined;
    let bump: () => void = () => undefined;
    function Parent(): ReactNode {
      const [n, setN] = useState(0);
      bump = () => setN(n + 1);
      return (
        <GatehouseProvider decisions={{ ...ada }} refresh={() => Promise.resolve(fresh)}>
          <Probe n={n} />
        </GatehouseProvider>
      );
    }
    function Probe({ n }: { n: number }): ReactNode {
      api = useGatehouse();
      return <span>{`${n} ${api.decisions.revision}`}</span>;
    }
    render(<Parent />);
    await act(() => (api as NonNullable<typeof api>).refresh());
    expect(screen.getByText('0 5')).toBeTruthy();
    act(() => bump());
    expect(screen.getByText('1 5')).toBeTruthy();
  });

  it('refreshes every refreshInterval ms and reports failures without dropping the held decisions', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const refresh = () => {
      calls++;
      return calls === 1 ? Promise.reject(new Error('offline')) : Promise.resolve(decisionsFor('user:ada', { 'artist:a2#editor': true }, {}, '9'));
    };
    function Probe(): ReactNode {
      return <span>{useCheck('editor', 'artist:a2') ? 'can edit a2' : 'cannot edit a2'}</span>;
    }
    const view = render(
      <GatehouseProvider decisions={ada} refresh={refresh} refreshInterval={5} onRefreshError={(e) => errors.push(e)}>
        <Probe />
      </GatehouseProvider>,
    );
    await waitFor(() => expect(screen.getByText('can edit a2')).toBeTruthy());
    expect(errors).toEqual([new Error('offline')]);
    view.unmount();
    const after = calls;
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(after);
  });

  it('never overlaps timed refreshes: a tick during a slow refresh is skipped', async () => {
    let calls = 0;
    let running = 0;
    let most = 0;
    const refresh = async () => {
      calls++;
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 40));
      running--;
      return ada;
    };
    const view = render(<GatehouseProvider decisions={ada} refresh={refresh} refreshInterval={5} />);
    await waitFor(() => expect(calls).toBeGreaterThanOrEqual(2), { timeout: 1000 });
    view.unmount();
    expect(most).toBe(1);
  });

  it('resolves refresh() at once without a refresh prop', async () => {
    let api: ReturnType<typeof useGatehouse> | undefined;
    function Probe(): ReactNode {
      api = useGatehouse();
      return null;
    }
    render(
      <GatehouseProvider decisions={ada}>
        <Probe />
      </GatehouseProvider>,
    );
    await expect((api as NonNullable<typeof api>).refresh()).resolves.toBeUndefined();
    expect(api?.decisions).toEqual(ada);
  });
});

describe('server rendering', () => {
  it('renders the allowed children and the fallbacks with renderToString', () => {
    const html = renderToString(
      <GatehouseProvider decisions={ada}>
        <Panel />
      </GatehouseProvider>,
    );
    expect(html).toContain('<button>edit a1</button>');
    expect(html).toContain('a2: read only');
    expect(html).not.toContain('edit a2</button>');
    expect(html).not.toContain('edit zz');
  });
});

describe('the browser never needs tuples', () => {
  it('sends only the asked answers for the user, nothing of the policy or other users', async () => {
    const authorizer = await fixtureAuthorizer();
    const decisions = computeDecisions(authorizer, 'user:ada', {
      checks: [
        { relation: 'editor', object: 'artist:a1' },
        { relation: 'editor', object: 'artist:a3' },
      ],
      lists: [{ relation: 'viewer', type: 'artist' }],
    });
    const json = JSON.stringify(decisions);
    expect(JSON.parse(json)).toEqual({
      user: 'user:ada',
      revision: '3',
      modelId: authorizer.modelId,
      checks: { 'artist:a1#editor': true, 'artist:a3#editor': false },
      lists: { 'artist#viewer': ['artist:a1', 'artist:public'] },
    });
    // No other user, no label, no wildcard grant, no tuple fields: only what was asked, answered.
    for (const tuple of TUPLES) {
      if (tuple.user !== 'user:ada') expect(json).not.toContain(tuple.user);
    }
    for (const leak of ['user:ben', 'secret-label', 'label:', 'member', 'user:*', '"relation"', '"object"', '"condition"', 'artist:a2']) {
      expect(json).not.toContain(leak);
    }
    await authorizer.stop();

    render(
      <GatehouseProvider decisions={JSON.parse(json) as DecisionSet}>
        <Can relation="editor" object="artist:a1">
          <button>edit a1</button>
        </Can>
        <Can relation="editor" object="artist:a3" fallback={<span>a3: read only</span>}>
          <button>edit a3</button>
        </Can>
      </GatehouseProvider>,
    );
    expect(screen.getByRole('button', { name: 'edit a1' })).toBeTruthy();
    expect(screen.getByText('a3: read only')).toBeTruthy();
  });
});

describe('timers', () => {
  it('uses no timers of its own without refreshInterval', () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    render(
      <GatehouseProvider decisions={ada} refresh={() => Promise.resolve(ada)}>
        <Panel />
      </GatehouseProvider>,
    );
    expect(spy).not.toHaveBeenCalled();
  });
});
