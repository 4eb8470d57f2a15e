import { describe, expect, it } from 'vitest';
import { outlineDSL, stripComments } from './sourceOutline';

describe('stripComments', () => {
  it('blanks comment lines and cuts trailing comments without moving columns', () => {
    expect(stripComments('# id\ntype page # module: x, file: y.fga\n  define v: [group#member]')).toEqual([
      '',
      'type page',
      '  define v: [group#member]',
    ]);
  });
});

describe('outlineDSL', () => {
  it('reads the header, types, relations and conditions with their positions', () => {
    const outline = outlineDSL(`model
  schema 1.1
type user
type doc
  relations
    define viewer: [user, user:* with c] or editor
condition c(x: int) {
  x < 10
}
`);
    expect(outline.header).toEqual({
      kind: 'model',
      keywordSpan: { line: 0, start: 0, end: 5 },
      schemaVersion: '1.1',
      schemaVersionSpan: { line: 1, start: 9, end: 12 },
    });
    expect(outline.types.map((t) => [t.name, t.nameSpan])).toEqual([
      ['user', { line: 2, start: 5, end: 9 }],
      ['doc', { line: 3, start: 5, end: 8 }],
    ]);
    const viewer = outline.types[1]?.relations[0];
    expect(viewer?.nameSpan).toEqual({ line: 5, start: 11, end: 17 });
    expect(viewer?.restrictions.map((r) => [r.key, r.condition, r.baseSpan])).toEqual([
      ['user', undefined, { line: 5, start: 20, end: 24 }],
      ['user:*', 'c', { line: 5, start: 26, end: 32 }],
    ]);
    expect(viewer?.restrictions[1]?.conditionSpan).toEqual({ line: 5, start: 38, end: 39 });
    expect(viewer?.rewrites).toEqual([{ kind: 'computed', relation: 'editor', key: 'editor', span: { line: 5, start: 44, end: 50 } }]);
    expect(outline.conditions).toEqual([
      { name: 'c', nameSpan: { line: 6, start: 10, end: 11 }, parameters: [{ name: 'x', nameSpan: { line: 6, start: 12, end: 13 } }] },
    ]);
  });

  it('is not misled by trailing comments on type, schema and relation lines', () => {
    const outline = outlineDSL(`model
  schema 1.2 # a comment
type user # module: common, file: common.fga
type page # define owner: member
  relations
    define owner: member # define member: [user]
`);
    expect(outline.header?.schemaVersion).toBe('1.2');
    expect(outline.types.map((t) => t.name)).toEqual(['user', 'page']);
    const owner = outline.types[1]?.relations;
    expect(owner?.map((r) => r.name)).toEqual(['owner']);
    expect(owner?.[0]?.rewrites).toEqual([{ kind: 'computed', relation: 'member', key: 'member', span: { line: 5, start: 18, end: 24 } }]);
  });

  it('keeps names that are prefixes of other names apart', () => {
    const outline = outlineDSL(`model
  schema 1.1
type viewer_2
type viewer
  relations
    define viewer_2: [viewer_2]
    define viewer: viewer_2 or viewer_2 from viewer_2
`);
    expect(outline.types.map((t) => [t.name, t.nameSpan.start])).toEqual([
      ['viewer_2', 5],
      ['viewer', 5],
    ]);
    const viewer = outline.types[1]?.relations[1];
    expect(viewer?.name).toBe('viewer');
    expect(viewer?.rewrites.map((w) => [w.key, w.span])).toEqual([
      ['viewer_2', { line: 6, start: 19, end: 27 }],
      ['viewer_2 from viewer_2', { line: 6, start: 31, end: 53 }],
    ]);
  });

  it('finds single-character names by token, not by letter', () => {
    const outline = outlineDSL(`model
  schema 1.1
type d
  relations
    define p: [d, d:*]
    define c: [d] or c from p
`);
    const c = outline.types[0]?.relations[1];
    expect(c?.nameSpan).toEqual({ line: 5, start: 11, end: 12 });
    const ttu = c?.rewrites[0];
    expect(ttu?.kind === 'tupleToUserset' ? [ttu.computedSpan, ttu.tuplesetSpan] : undefined).toEqual([
      { line: 5, start: 21, end: 22 },
      { line: 5, start: 28, end: 29 },
    ]);
    expect(outline.types[0]?.relations[0]?.restrictions.map((r) => r.key)).toEqual(['d', 'd:*']);
  });

  it('reads operators as operators and `but`/`not` alone as names', () => {
    const outline = outlineDSL(`model
  schema 1.1
type t
  relations
    define x: (a and b) but not (c or not)
`);
    expect(outline.types[0]?.relations[0]?.rewrites.map((w) => w.key)).toEqual(['a', 'b', 'c', 'not']);
  });

  it('reads modules, extensions, keyword-like names and multi-line restriction lists', () => {
    const outline = outlineDSL(`module tracker

extend type model
  relations
    define type: [
      user,
      group#member
    ]
    define schema: type
`);
    expect(outline.header).toMatchObject({ kind: 'module', moduleName: 'tracker', moduleNameSpan: { line: 0, start: 7, end: 14 } });
    expect(outline.types).toHaveLength(1);
    expect(outline.types[0]).toMatchObject({ name: 'model', extension: true });
    const [type, schema] = outline.types[0]?.relations ?? [];
    expect(type?.restrictions.map((r) => [r.key, r.baseSpan.line])).toEqual([
      ['user', 5],
      ['group#member', 6],
    ]);
    expect(schema?.rewrites.map((w) => w.key)).toEqual(['type']);
  });

  it('skips condition bodies, strings and CEL comments', () => {
    const outline = outlineDSL(`model
  schema 1.1
condition a(m: map<string>, l: list<int>) {
  m["}"] == 'type x' // define y: z }
}
condition b(x: bool) { x }
type after
`);
    expect(outline.conditions.map((c) => [c.name, c.parameters.map((p) => p.name)])).toEqual([
      ['a', ['m', 'l']],
      ['b', ['x']],
    ]);
    expect(outline.types.map((t) => t.name)).toEqual(['after']);
  });

  it('never throws on text the parser would reject', () => {
    for (const text of ['', 'type', 'define x', 'model\n  schema', '[[[', 'condition', 'condition c(', 'type t\n  relations\n    define r: [', '"""', 'x # y']) {
      expect(() => outlineDSL(text)).not.toThrow();
    }
  });
});
