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

  it('tells apart ids of every length, short ones held in the table and long ones in records', () => {
    const ids = fc.uniqueArray(fc.stringMatching(/^[a-z0-9_|@.+/-][a-zA-Z0-9_|*@.+/-]{0,39}$/), { maxLength: 60 });
    fc.assert(
      fc.property(ids, fc.array(fc.stringMatching(/^[a-z0-9]{1,40}$/), { maxLength: 20 }), (names, probes) => {
        const t = new EntityTable('doc');
        names.forEach((id, i) => expect(t.add(`doc:${id}`)).toBe(i));
        names.forEach((id, i) => {
          expect(t.get(`doc:${id}`)).toBe(i);
          expect(t.name(i)).toBe(`doc:${id}`);
          // A userset's object is looked up without slicing it off.
          expect(t.lookupRange(`doc:${id}#member`, 4 + id.length)).toBe(i);
        });
        for (const p of probes) expect(t.get(`doc:${p}`)).toBe(names.indexOf(p));
      }),
    );
  });

  it('keeps long ids findable as the table grows', () => {
    const t = new EntityTable('doc');
    const id = (i: number) => `doc:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    for (let i = 0; i < 20_000; i++) expect(t.add(id(i))).toBe(i);
    for (let i = 0; i < 20_000; i += 101) {
      expect(t.get(id(i))).toBe(i);
      expect(t.name(i)).toBe(id(i));
    }
    expect(t.get(id(20_000))).toBe(-1);
  });

  it('finds nothing for names that differ only past the first characters, in length, or outside ASCII', () => {
    const t = new EntityTable('doc');
    const long = 'abcdefghijklmnopqrstuvwxyz-0123456789';
    expect(t.add(`doc:${long}`)).toBe(0);
    expect(t.add('doc:abcdefghi')).toBe(1);
    expect(t.get(`doc:${long.slice(0, -1)}x`)).toBe(-1);
    expect(t.get(`doc:${long}0`)).toBe(-1);
    expect(t.get('doc:abcdefgh')).toBe(-1);
    expect(t.get('doc:abcdefghij')).toBe(-1);
    // 'ŉ' (U+0149) has the low byte of 'I': it must not alias it.
    expect(t.add('doc:I')).toBe(2);
    expect(t.get('doc:\u0149')).toBe(-1);
    expect(t.get('doc:abcdefghi')).toBe(1);
    expect(t.get(`doc:${long}`)).toBe(0);
    expect(t.lookupRange('doc:abcdefghi', 20)).toBe(-1);
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
