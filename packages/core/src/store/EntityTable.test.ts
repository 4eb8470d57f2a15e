import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidObjectId } from '../tuples/ids';
import { EntityTable } from './EntityTable';

describe('EntityTable', () => {
  it('interns ids to dense numbers in insertion order and gives the names back', () => {
    const t = new EntityTable('doc');
    expect(t.intern('doc:a')).toBe(0);
    expect(t.intern('doc:b')).toBe(1);
    expect(t.intern('doc:a')).toBe(0);
    expect(t.get('doc:b')).toBe(1);
    expect(t.get('doc:c')).toBe(-1);
    expect(t.name(1)).toBe('doc:b');
    expect(t.size).toBe(2);
  });

  it('only matches names of its own type', () => {
    const t = new EntityTable('doc');
    t.intern('doc:a');
    expect(t.get('dog:a')).toBe(-1);
    expect(t.get('user:a')).toBe(-1);
  });

  it('grows past many ids without losing any', () => {
    const t = new EntityTable('user');
    for (let i = 0; i < 200_000; i++) expect(t.add(`user:u${i}`)).toBe(i);
    for (let i = 0; i < 200_000; i += 997) {
      expect(t.get(`user:u${i}`)).toBe(i);
      expect(t.name(i)).toBe(`user:u${i}`);
    }
    expect(t.get('user:u200000')).toBe(-1);
  });

  it("accepts exactly the ids OpenFGA's id rule accepts", () => {
    const chars = fc.constantFrom(...'aZ09_|*@.+/-:#é $'.split(''));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }).map((a) => a.join('')), (id) => {
        const t = new EntityTable('doc');
        expect(t.add(`doc:${id}`) >= 0).toBe(isValidObjectId(id));
        // A rejected id leaves nothing behind.
        if (!isValidObjectId(id)) expect(t.size).toBe(0);
      }),
    );
    const t = new EntityTable('doc');
    expect(t.add(`doc:${'x'.repeat(256)}`)).toBe(0);
    expect(t.add(`doc:${'x'.repeat(257)}`)).toBe(-1);
    expect(() => t.intern('doc:*')).toThrow(/invalid object id/);
  });
});
