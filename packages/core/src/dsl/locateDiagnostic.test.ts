import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../errors/index';
import { toPlainModel, singleFileSources } from './analyzeDSL';
import { locateDiagnostic } from './locateDiagnostic';
import { outlineDSL } from './sourceOutline';
import { parseWithLibrary } from './syntaxTransformer';

/** Locates a hand-written diagnostic in `source` and returns [line, column start, column end]. */
function at(source: string, diagnostic: Omit<Diagnostic, 'message' | 'severity'>): [number?, number?, number?] {
  const parsed = parseWithLibrary(source);
  expect(parsed.errors).toEqual([]);
  const model = toPlainModel(parsed.model);
  const located = locateDiagnostic({ message: 'm', severity: 'error', ...diagnostic }, singleFileSources(outlineDSL(source)), model);
  return [located.line?.start, located.column?.start, located.column?.end];
}

const header = 'model\n  schema 1.1\n';

describe('locateDiagnostic', () => {
  it('points a missing relation at the reference, not at a trailing comment or an earlier line', () => {
    const source = `${header}type user
type group # module: common, file: common.fga
  relations
    define member: [user]
type page # module: confluence, file: member.fga
  relations
    define owner: member # member
`;
    expect(at(source, { code: 'missing-definition', symbol: 'member', type: 'page', relation: 'owner', path: ['type_definitions', 2, 'relations', 'owner'] })).toEqual([8, 18, 24]);
  });

  it('tells a relation from another whose name it prefixes', () => {
    const source = `${header}type user
type doc
  relations
    define writers: [user]
    define writer: nonexistent
`;
    expect(at(source, { code: 'missing-definition', symbol: 'nonexistent', type: 'doc', relation: 'writer' })).toEqual([6, 19, 30]);
    expect(at(source, { code: 'relation-no-entry-point', symbol: 'writer', type: 'doc', relation: 'writer' })).toEqual([6, 11, 17]);
  });

  it('points at the tupleset of a from that must be direct, also with one-letter names', () => {
    const source = `${header}
type u
type d
  relations
    define p: [d, d:*]
    define c: [u] or c from p
`;
    expect(at(source, { code: 'tupleuserset-not-direct', symbol: 'p', type: 'd', relation: 'c' })).toEqual([7, 28, 29]);
  });

  it('spans the whole `x from y` when x is not on the tupleset types', () => {
    const source = `${header}type final
  relations
    define children: [final]
    define has_assigned: u3 from children or u2 from children
`;
    expect(at(source, { code: 'invalid-relation-on-tupleset', symbol: 'u2 from children', type: 'final', relation: 'has_assigned' })).toEqual([5, 45, 61]);
    expect(at(source, { code: 'invalid-relation-on-tupleset', symbol: 'u3', type: 'final', relation: 'has_assigned' })).toEqual([5, 25, 41]);
  });

  it('points an invalid userset restriction or tupleset at the whole entry', () => {
    const source = `${header}type t
type x
  relations
    define b: [t#z]
    define c: b from z
`;
    expect(at(source, { code: 'invalid-relation-type', symbol: 't#z', type: 'x', relation: 'b' })).toEqual([5, 15, 18]);
    expect(at(source, { code: 'invalid-relation-type', symbol: 'b from z', type: 'x', relation: 'c' })).toEqual([6, 14, 22]);
  });

  it('points an unknown type at the restriction, not at a relation of the same name', () => {
    const source = `${header}type custome
type bank
  relations
    define customer : [customer]
`;
    expect(at(source, { code: 'invalid-type', symbol: 'customer', type: 'bank', relation: 'customer' })).toEqual([5, 23, 31]);
  });

  it('points duplicates at the first occurrence, as OpenFGA does', () => {
    const source = `${header}type t
  relations
    define a: [t, t]
    define b: a or a
type t
`;
    expect(at(source, { code: 'duplicated-error', symbol: 't', type: 't', path: ['type_definitions', 1] })).toEqual([2, 5, 6]);
    expect(at(source, { code: 'duplicated-error', symbol: 't', type: 't', relation: 'a' })).toEqual([4, 15, 16]);
    expect(at(source, { code: 'duplicated-error', symbol: 'a', type: 't', relation: 'b' })).toEqual([5, 14, 15]);
  });

  it('uses the JSON path to pick among equal operands', () => {
    const source = `${header}type t
  relations
    define p: [t]
    define x: a or b from p or a
`;
    const path = ['type_definitions', 0, 'relations', 'x', 'union', 'child', 2];
    expect(at(source, { code: 'missing-definition', symbol: 'a', type: 't', relation: 'x', path })).toEqual([5, 31, 32]);
    expect(at(source, { code: 'missing-definition', symbol: 'b', type: 't', relation: 'x', path: ['type_definitions', 0, 'relations', 'x', 'union', 'child', 1] })).toEqual([5, 19, 20]);
  });

  it('points condition problems at the condition name or the restriction', () => {
    const source = `${header}type user
type doc
  relations
    define viewer: [user with less_than, user with c]

condition less_than(x: int) {
  x < 100
}

condition less(x: int) {
  x < 10
}
`;
    expect(at(source, { code: 'condition-not-used', symbol: 'less', condition: 'less', path: ['conditions', 'less'] })).toEqual([11, 10, 14]);
    expect(at(source, { code: 'condition-not-defined', symbol: 'c', type: 'doc', relation: 'viewer' })).toEqual([5, 51, 52]);
  });

  it('points schema problems at the version, and a missing schema at the header', () => {
    expect(at('model\n  schema 1.5 # x\ntype user\n', { code: 'invalid-schema', symbol: '1.5', path: ['schema_version'] })).toEqual([1, 9, 12]);
    expect(at('module foo\ntype user\n', { code: 'schema-version-required', symbol: '', path: ['schema_version'] })).toEqual([0, 0, 6]);
  });

  it('falls back to the relation, then the type, when the symbol is not written anywhere', () => {
    const source = `${header}type doc # c
  relations
    define viewer: [doc]
`;
    expect(at(source, { code: 'invalid-type', symbol: 'nowhere', type: 'doc', relation: 'viewer' })).toEqual([4, 11, 17]);
    expect(at(source, { code: 'reserved-type-keywords', symbol: 'doc', type: 'doc', path: ['type_definitions', 0] })).toEqual([2, 5, 8]);
  });
});
