import { createContext, useCallback, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { ReactNode } from 'react';
import { decisionKey, listKey } from '@gatehouse/core/http';
import type { DecisionSet } from '@gatehouse/core/http';
import { createDecisionStore, sameDecisions } from './store';
import type { DecisionStore } from './store';
import type { ObjectArg, RelationArg, TypeArg } from './types';

/** Props of {@link GatehouseProvider}. */
export interface GatehouseProviderProps {
  /**
   * The decisions the server computed for this user (`computeDecisions`, or `decisions()` of
   * `@gatehouse/next`). A new value (after `router.refresh()`, a sign-in) replaces the held
   * decisions and re-renders the consumers whose answers changed.
   */
  readonly decisions: DecisionSet;
  /**
   * Fetches fresh decisions (a server action, a `fetch` to your API). Called by
   * {@link GatehouseContextValue.refresh} and every `refreshInterval` ms.
   */
  readonly refresh?: () => Promise<DecisionSet>;
  /** Calls `refresh` every this many ms while mounted. Off unless given (and `refresh` is). */
  readonly refreshInterval?: number;
  /** Called when a refresh fails; the held decisions stay. Library code never logs. */
  readonly onRefreshError?: (error: unknown) => void;
  /** The subtree that may ask for decisions. */
  readonly children?: ReactNode;
}

/** What {@link useGatehouse} returns. */
export interface GatehouseContextValue {
  /** The decisions held now. */
  readonly decisions: DecisionSet;
  /**
   * Asks the provider's `refresh` for new decisions and holds them. Resolves once they are held
   * (at once when the provider has no `refresh`); rejects with `refresh`'s error. A newer refresh,
   * or a new `decisions` prop, wins over a slower older one.
   */
  readonly refresh: () => Promise<void>;
}

interface ProviderState {
  readonly store: DecisionStore;
  readonly refresh: () => Promise<void>;
}

/** The store of one `decisions` prop: a new prop gets a new store (see below). */
interface Held {
  /** The prop this store was created from. */
  readonly prop: DecisionSet;
  readonly store: DecisionStore;
}

const GatehouseContext = createContext<ProviderState | null>(null);

// Layout effects do not run on the server (React 18 warns about them there); plain effects do nothing either.
const useIsomorphicLayoutEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect;

/**
 * Holds the decisions the server computed for the current user, for {@link Can}, {@link useCheck},
 * {@link useDecision} and {@link useObjects} below it. The browser gets answers only: the server
 * never sends tuples, so a user cannot read the policy or other users' grants from the page.
 *
 * @example
 * // app/layout.tsx (server component)
 * const decisions = await gatehouse.decisions({ checks: [{ relation: 'editor', object: 'artist:a1' }] });
 * return <GatehouseProvider decisions={decisions}>{children}</GatehouseProvider>;
 * @see docs/integrations/nextjs.md
 */
export function GatehouseProvider(props: GatehouseProviderProps): ReactNode {
  const { decisions, refreshInterval, children } = props;
  const [held, setHeld] = useState<Held>(() => ({ prop: decisions, store: createDecisionStore(decisions) }));
  let current = held;
  if (held.prop !== decisions && !sameDecisions(held.prop, decisions)) {
    // New answers from the server (a sign-out, another user, a new revision) replace the held ones
    // in this very render. Updating the old store from an effect would let every consumer render,
    // and run its effects, once more with the previous answers, possibly another user's. A new
    // store also orphans the refreshes asked before this prop: they can no longer overwrite it.
    current = { prop: decisions, store: createDecisionStore(decisions) };
    setHeld(current);
  }
  const { store } = current;
  // The latest callbacks, so a new function identity per render neither restarts the interval nor
  // changes the context value.
  const callbacks = useRef(props);
  callbacks.current = props;
  // The committed store, for refreshes: set after commit, so a discarded render never receives one.
  const committed = useRef(store);
  useIsomorphicLayoutEffect(() => {
    committed.current = store;
  }, [store]);
  // Bumped by every refresh: a result that arrives after a newer one was asked is dropped.
  const generation = useRef(0);

  const refresh = useCallback(async (): Promise<void> => {
    const fetchDecisions = callbacks.current.refresh;
    if (fetchDecisions === undefined) return;
    const target = committed.current;
    const mine = ++generation.current;
    const next = await fetchDecisions();
    // After a new decisions prop (or unmount) `target` is no longer read: the result is dropped.
    if (mine === generation.current) target.set(next);
  }, []);

  const hasRefresh = props.refresh !== undefined;
  useEffect(() => {
    if (!hasRefresh || refreshInterval === undefined || !(refreshInterval > 0)) return undefined;
    // One timed refresh at a time: a tick that finds the previous one still running is skipped, so
    // a slow server never gets a pile of overlapping calls from one page.
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return;
      inFlight = true;
      refresh()
        .catch((error: unknown) => callbacks.current.onRefreshError?.(error))
        .finally(() => {
          inFlight = false;
        });
    }, refreshInterval);
    return () => clearInterval(timer);
  }, [hasRefresh, refreshInterval, refresh]);

  const value = useMemo<ProviderState>(() => ({ store, refresh }), [store, refresh]);
  return <GatehouseContext.Provider value={value}>{children}</GatehouseContext.Provider>;
}

function useProviderState(hook: string): ProviderState {
  const state = useContext(GatehouseContext);
  // A plain Error, as React libraries throw for a missing provider: a bug in the app, not input to
  // decide on. GatehouseError would import @gatehouse/core's main entry into the browser bundle
  // (about 100 KB minified with esbuild), where only @gatehouse/core/http's key helpers are needed.
  if (state === null) throw new Error(`${hook} must be used inside <GatehouseProvider>`);
  return state;
}

/** Reads one value derived from the held decisions, re-rendering only when it changes. */
function useSelected<T>(hook: string, select: (decisions: DecisionSet) => T): T {
  const { store } = useProviderState(hook);
  const read = () => select(store.getSnapshot());
  return useSyncExternalStore(store.subscribe, read, read);
}

/**
 * The held decisions and a `refresh()` that asks the provider for new ones.
 *
 * @throws {Error} outside a {@link GatehouseProvider}.
 */
export function useGatehouse(): GatehouseContextValue {
  const { store, refresh } = useProviderState('useGatehouse');
  const decisions = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return useMemo(() => ({ decisions, refresh }), [decisions, refresh]);
}

/**
 * `'allowed'`, `'denied'`, or `'unknown'` when the server did not compute this check (ask for it
 * in the decision query).
 *
 * @throws {Error} outside a {@link GatehouseProvider}.
 */
export function useDecision<T extends TypeArg>(relation: RelationArg<T>, object: ObjectArg<T>): 'allowed' | 'denied' | 'unknown' {
  const key = decisionKey(relation, object);
  return useSelected('useDecision', (decisions) => {
    const answer: unknown = Object.prototype.hasOwnProperty.call(decisions.checks, key) ? decisions.checks[key] : undefined;
    return answer === true ? 'allowed' : answer === false ? 'denied' : 'unknown';
  });
}

/**
 * Whether the current user has `relation` on `object`. Fails closed: `false` when denied, when
 * the server did not compute this check, and for an anonymous user.
 *
 * @throws {Error} outside a {@link GatehouseProvider}.
 * @example
 * const canEdit = useCheck('editor', `artist:${artist.id}`);
 */
export function useCheck<T extends TypeArg>(relation: RelationArg<T>, object: ObjectArg<T>): boolean {
  return useDecision<T>(relation, object) === 'allowed';
}

/**
 * The objects (`type:id`) of `type` the current user has `relation` on, as the server listed
 * them; `undefined` when the server did not compute this list.
 *
 * @throws {Error} outside a {@link GatehouseProvider}.
 */
export function useObjects<T extends TypeArg>(relation: RelationArg<T>, type: T): readonly ObjectArg<T>[] | undefined {
  const key = listKey(relation, type);
  return useSelected('useObjects', (decisions) => {
    const list: unknown = Object.prototype.hasOwnProperty.call(decisions.lists, key) ? decisions.lists[key] : undefined;
    return Array.isArray(list) ? (list as readonly ObjectArg<T>[]) : undefined;
  });
}
