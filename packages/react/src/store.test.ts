import { describe, expect, it } from 'vitest';
import { decisionsFor } from '../test/fixtures';
import { createDecisionStore } from './store';

describe('createDecisionStore', () => {
  it('holds decisions and notifies subscribers of a change', () => {
    const first = decisionsFor('user:ada', { 'artist:a1#editor': true });
    const store = createDecisionStore(first);
    expect(store.getSnapshot()).toBe(first);
    let calls = 0;
    const { subscribe, getSnapshot, set } = store; // bound: usable detached
    const stop = subscribe(() => calls++);
    const second = decisionsFor('user:ada', { 'artist:a1#editor': false }, {}, '2');
    set(second);
    expect(getSnapshot()).toBe(second);
    expect(calls).toBe(1);
    stop();
    set(first);
    expect(calls).toBe(1);
    expect(getSnapshot()).toBe(first);
  });

  it('keeps the held object when the answers, user, revision and model are the same', () => {
    const first = decisionsFor('user:ada', { 'artist:a1#editor': true }, { 'artist#viewer': ['artist:a1'] });
    const store = createDecisionStore(first);
    let calls = 0;
    store.subscribe(() => calls++);
    store.set(decisionsFor('user:ada', { 'artist:a1#editor': true }, { 'artist#viewer': ['artist:a1'] }));
    expect(store.getSnapshot()).toBe(first);
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
      expect(store.getSnapshot()).toBe(next);
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
});
