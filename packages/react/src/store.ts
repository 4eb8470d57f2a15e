import type { DecisionSet } from '@gatehouse/core/http';

/**
 * A framework-free holder of one {@link DecisionSet}, shaped for React's `useSyncExternalStore`:
 * `subscribe` and `getSnapshot` are bound and may be passed around detached.
 */
export interface DecisionStore {
  /** Calls `listener` after every change of the decisions. Returns the unsubscribe function. */
  readonly subscribe: (listener: () => void) => () => void;
  /** The current decisions: a frozen copy (lists included), the same object until the next change. */
  readonly getSnapshot: () => DecisionSet;
  /**
   * Replaces the decisions and notifies the listeners, unless `next` holds the same answers for
   * the same user, revision and model (then consumers keep their references and do not re-render).
   */
  readonly set: (next: DecisionSet) => void;
}

/**
 * Creates a {@link DecisionStore} holding `initial`. Usable without React (a plain listener
 * list): `<GatehouseProvider>` keeps one per provider.
 *
 * @example
 * const store = createDecisionStore(decisions);
 * const stop = store.subscribe(() => render(store.getSnapshot()));
 * store.set(await fetchDecisions());
 */
export function createDecisionStore(initial: DecisionSet): DecisionStore {
  let current = frozenCopy(initial);
  const listeners = new Set<() => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    getSnapshot: () => current,
    set(next) {
      if (sameDecisions(current, next)) return;
      current = frozenCopy(next);
      // A copy: a listener that unsubscribes (or subscribes) while being notified must not skip another.
      for (const listener of [...listeners]) listener();
    },
  };
}

/**
 * A frozen copy of `set`, lists included: every consumer reads the same objects, so one that
 * sorted or pushed into a list (`useObjects`) would change what all the others see; and the
 * caller's own object stays the caller's (changing it later cannot change the held answers).
 */
function frozenCopy(set: DecisionSet): DecisionSet {
  if (typeof set !== 'object' || set === null) return set;
  const lists: unknown = set.lists;
  // Object.fromEntries and spreads define own properties, so a `__proto__` key stays a key.
  const copiedLists =
    typeof lists === 'object' && lists !== null
      ? Object.fromEntries(Object.entries(lists).map(([key, list]: [string, unknown]) => [key, Array.isArray(list) ? Object.freeze([...(list as unknown[])]) : list]))
      : lists;
  return Object.freeze({ ...set, checks: Object.freeze({ ...set.checks }), lists: Object.freeze(copiedLists) as DecisionSet['lists'] });
}

/** True when two decision sets carry the same answers for the same user, revision and model. */
export function sameDecisions(a: DecisionSet, b: DecisionSet): boolean {
  if (a === b) return true;
  return (
    a.user === b.user &&
    a.revision === b.revision &&
    a.modelId === b.modelId &&
    sameRecord(a.checks, b.checks, (x, y) => x === y) &&
    sameRecord(a.lists, b.lists, sameList)
  );
}

function sameRecord<V>(a: Readonly<Record<string, V>>, b: Readonly<Record<string, V>>, same: (x: V, y: V) => boolean): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.prototype.hasOwnProperty.call(b, key) || !same(a[key] as V, b[key] as V)) return false;
  }
  return true;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]));
}
