import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../errors/index';
import { formatUser, isValidObjectId, parseObject, parseUser, tryParseUser } from './ids';

describe('object ids', () => {
  it('accepts OpenFGA-valid ids and rejects the rest', () => {
    for (const id of ['doc1', 'user@domain.com', 'a-b/c|d.e+f@g', 'doc*']) expect(isValidObjectId(id)).toBe(true);
    for (const id of ['*doc', 'a,b', 'doc 1', 'doc:1', 'doc#1', '']) expect(isValidObjectId(id)).toBe(false);
  });

  it('parses objects and names the bad part', () => {
    expect(parseObject('document:1')).toEqual({ type: 'document', id: '1' });
    expect(() => parseObject('document')).toThrow(/expected 'type:id'/);
    expect(() => parseObject('document:a b')).toThrow(/invalid object id 'a b'/);
    expect(() => parseObject(':1')).toThrow(GatehouseError);
    expect(() => parseObject(':1')).toThrow(expect.objectContaining({ code: 'invalid_object_format' }));
  });
});

describe('users', () => {
  it('parses the three user forms and renders them back', () => {
    for (const u of ['user:anne', 'user:*', 'group:eng#member']) expect(formatUser(parseUser(u))).toBe(u);
    expect(parseUser('group:eng#member')).toEqual({ kind: 'userset', type: 'group', id: 'eng', relation: 'member' });
  });

  it('rejects malformed users with invalid_user', () => {
    for (const u of ['a:b:c', 'user', 'group:eng#', 'group:*x#member', '#member']) expect(tryParseUser(u)).toBeUndefined();
    expect(() => parseUser('a:b:c')).toThrow(expect.objectContaining({ code: 'invalid_user' }));
  });
});
