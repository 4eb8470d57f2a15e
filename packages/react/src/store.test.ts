import { describe, expect, it } from 'vitest';
import type { DecisionSet } from '@gatehouse/core/http';
import { decisionsFor } from '../test/fixtures';
import { createDecisionStore } from './store';

describe('createDecisionStore', () => {
  it('holds decisions and notifies subscribers of a change', () => {
    const first = decisionsFor('user:ada', { 'artist:a1#editor': true });
    const store = createDecisionStore(first);
    expect(store.getSnapshot()).toEqual(first);
    expect(store.getSnapshot()).toBe(store.getSnapshot()); // the same object until a change
    let calls = 0;
    const { subscribe, getSnapshot, set } = store; // bound: usable detached
    const stop = subscribe(() => calls++);
    const second = decisionsFor('user:ada', { 'artist:a1#editor': false }, {}, '2');
    set(second);
    expect(getSnapshot()).toEqual(second);
    expect(calls).toBe(1);
    stop();
    set(first);
    expect(calls).toBe(1);
    expect(getSnapshot()).toEqual(first);
  });

  it('keeps the held object when the answers, user, revision and model are the same', () => {
    const first = decisionsFor('user:ada', { 'artist:a1#editor': true }, { 'artist#viewer': ['artist:a1'] });
    const store = createDecisionStore(first);
    const held = store.getSnapshot();
    let calls = 0;
    store.subscribe(() => calls++);
    store.set(decisionsFor('user:ada', { 'artist:a1#editor': true }, { 'artist#viewer': ['artist:a1'] }));
    expect(store.getSnapshot()).toBe(held);
    expect(calls).toBe(0);
    for (const next of [
      decisionsFor('user:ben', { 'artist:a1#editor': true }, { 'artist#viewer': ['artist:a1'] }),
      decisionsFor('user:ada', { 'artist:a1#editor': true }, { 'artist#viewer': ['artist:a1'] }, '2'),
      decisionsFor('user:ada', { 'artist:a1#editor': true, 'artist:a2#editor': false }, { 'artist#viewer': ['artist:a1'] }),
      decisionsFor('user:ada', { 'artist:a1#editor': true }, { 'artist#viewer': ['artist:a2'] }),
    ]) {
      store.set(first);
      const before = calls;
      store.set(next);
      expect(store.getSnapshot()).toEqual(next);
      expect(calls).toBe(before + 1);
    }
  });

  it('notifies every listener even when one unsubscribes during the notification', () => {
    const store = createDecisionStore(decisionsFor(null, {}));
    const seen: string[] = [];
    const stopA = store.subscribe(() => {
      seen.push('a');
      stopA();
    });
    store.subscribe(() => seen.push('b'));
    store.set(decisionsFor('user:ada', {}));
    expect(seen).toEqual(['a', 'b']);
  });

  it('holds a frozen copy, so neither a reader nor the caller can change the held answers', () => {
    const store = createDecisionStore(decisionsFor('user:ada', { 'artist:a1#editor': false }, { 'artist#viewer': ['artist:a1'] }));
    const given = decisionsFor('user:ada', { 'artist:a1#editor': false }, { 'artist#viewer': ['artist:a2'] }, '2');
    store.set(given);
    const held = store.getSnapshot();
    expect(Object.isFrozen(held) && Object.isFrozen(held.checks) && Object.isFrozen(held.lists) && Object.isFrozen(held.lists['artist#viewer'])).toBe(true);
    // The caller's object is neither frozen nor shared: changing it later changes nothing held.
    (given.checks as Record<string, boolean>)['artist:a1#editor'] = true;
    (given.lists['artist#viewer'] as string[]).push('artist:secret');
    expect(store.getSnapshot()).toEqual(decisionsFor('user:ada', { 'artist:a1#editor': false }, { 'artist#viewer': ['artist:a2'] }, '2'));
    // A `__proto__` key (JSON from a server) stays a plain key.
    const odd = JSON.parse('{"user":"user:ada","revision":"3","modelId":"m1","checks":{"__proto__":true},"lists":{"__proto__":["x:1"]}}') as DecisionSet;
    store.set(odd);
    expect(Object.getPrototypeOf(store.getSnapshot().lists)).toBe(Object.prototype);
    expect(Object.keys(store.getSnapshot().lists)).toEqual(['__proto__']);
  });
});
