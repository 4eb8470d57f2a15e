import { rename, writeFile } from 'node:fs/promises';
import { HttpBundleSource, encodeBundle } from '@gatehouse/core';
import type { SnapshotData } from '@gatehouse/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSource, SourceBundleProvider, createBundleHandler } from '../src/index';
import { listen, model, recorder, settle, tempDir, tuple, waitFor } from './helpers';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup() {
  const tmp = await tempDir();
  cleanup.push(tmp.cleanup);
  return tmp;
}

function start(path: string, debounce = 20) {
  const source = new FileSource(path, { debounce });
  const r = recorder();
  cleanup.push(() => source.stop());
  return { source, r, started: source.start(r.sink) };
}

const bundle = (revision: string, users: string[], modelId = 'm1'): string =>
  encodeBundle({ model, modelId, revision, tuples: users.map((u) => tuple(u)) } satisfies SnapshotData);

const MODEL_DSL = `model
  schema 1.1

type user

type team
  relations
    define member: [user]

type track
  relations
    define viewer: [user, team#member]
`;

describe('FileSource with a bundle file', () => {
  it('loads the bundle on start and delivers changes when the file changes', async () => {
    const { path } = await setup();
    const file = path('policy.json');
    await writeFile(file, bundle('10', ['user:a']));
    const { source, r, started } = start(file);
    await started;
    expect(r.kinds()).toEqual(['snapshot']);
    expect(r.state()).toMatchObject({ revision: '10', modelId: 'm1' });
    expect(source.revision).toBe('10');

    await writeFile(file, bundle('11', ['user:a', 'user:b']));
    await waitFor(() => r.state()?.revision === '11', 4_000, 'the reload');
    expect(r.events[1]).toMatchObject({ kind: 'changes', changes: { from: '10', to: '11', writes: [tuple('user:b')], deletes: [] } });
  });

  it('does nothing when the file is rewritten with the same bytes', async () => {
    const { path } = await setup();
    const file = path('policy.json');
    const text = bundle('10', ['user:a']);
    await writeFile(file, text);
    const { source, r, started } = start(file);
    await started;
    await writeFile(file, text);
    await settle(100); // let the watcher's event arrive and the debounce pass
    await source.reload();
    expect(r.kinds()).toEqual(['snapshot']);
  });

  it('keeps the last good data through a partial write, reports it, and recovers', async () => {
    const { path } = await setup();
    const file = path('policy.json');
    await writeFile(file, bundle('10', ['user:a']));
    const { r, started } = start(file);
    await started;
    const full = bundle('11', ['user:a', 'user:b']);
    await writeFile(file, full.slice(0, Math.floor(full.length / 2)));
    await waitFor(() => r.errors().length === 1, 4_000, 'the parse error');
    expect(r.errors()[0]).toMatchObject({ code: 'invalid_bundle' });
    expect(r.errors()[0]?.message).toMatch(/^policy\.json is not valid JSON/);
    expect(r.state()?.revision).toBe('10');
    await writeFile(file, full);
    await waitFor(() => r.state()?.revision === '11', 4_000, 'recovery');
    expect(r.kinds()).toEqual(['snapshot', 'error', 'changes']);
  });

  it('reports a corrupt bundle naming the row, and a revision that did not grow', async () => {
    const { path } = await setup();
    const file = path('policy.json');
    await writeFile(file, bundle('10', ['user:a']));
    const { source, r, started } = start(file);
    await started;
    const doc = JSON.parse(bundle('11', ['user:a', 'user:b']));
    doc.tuples.rows[6 + 1] = 9999;
    await writeFile(file, JSON.stringify(doc));
    await waitFor(() => r.errors().length === 1, 4_000, 'the decode error');
    expect(r.errors()[0]?.message).toMatch(/^policy\.json: invalid bundle: tuples row 1: object id index 9999/);
    await writeFile(file, bundle('10', ['user:z']));
    await waitFor(() => r.errors().length === 2, 4_000, 'the revision error');
    expect(r.errors()[1]?.message).toMatch(/its revision 10 is not greater than the loaded revision 10/);
    expect(source.revision).toBe('10');
    expect(r.users()).toEqual(['user:a']);
  });

  it('sees files replaced by rename (atomic saves)', async () => {
    const { path } = await setup();
    const file = path('policy.json');
    await writeFile(file, bundle('1', ['user:a']));
    const { r, started } = start(file);
    await started;
    await writeFile(path('policy.json.tmp'), bundle('2', ['user:b']));
    await rename(path('policy.json.tmp'), file);
    await waitFor(() => r.state()?.revision === '2', 4_000, 'the renamed file');
    expect(r.users()).toEqual(['user:b']);
  });

  it('reports a missing file on start and loads it once it appears', async () => {
    const { path } = await setup();
    const file = path('later.json');
    const { r, started } = start(file);
    await started;
    expect(r.errors()[0]).toMatchObject({ code: 'source_unavailable' });
    expect(r.errors()[0]?.message).toMatch(/cannot read later\.json: ENOENT/);
    await writeFile(file, bundle('3', ['user:a']));
    await waitFor(() => r.state()?.revision === '3', 4_000, 'the new file');
  });
});

describe('FileSource with an OpenFGA store file', () => {
  it('loads model_file and tuple_file, and reloads when a referenced file changes', async () => {
    const { path } = await setup();
    await writeFile(path('model.fga'), MODEL_DSL);
    await writeFile(path('tuples.yaml'), '- user: user:anne\n  relation: viewer\n  object: track:1\n');
    await writeFile(
      path('store.fga.yaml'),
      ['name: Creator platform', 'model_file: ./model.fga', 'tuple_file: ./tuples.yaml', 'tests:', '  - name: ignored', '    check: []', ''].join('\n'),
    );
    const { r, started } = start(path('store.fga.yaml'));
    await started;
    expect(r.kinds()).toEqual(['snapshot']);
    const first = r.state() as SnapshotData;
    expect(first.model.type_definitions.map((t) => t.type)).toEqual(['user', 'team', 'track']);
    expect(first.tuples).toEqual([tuple('user:anne')]);
    expect(first.modelId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(Number(first.revision)).toBeGreaterThan(1_600_000_000_000);

    await writeFile(path('tuples.yaml'), '- user: user:anne\n  relation: viewer\n  object: track:1\n- user: team:core#member\n  relation: viewer\n  object: track:2\n');
    await waitFor(() => r.kinds().length === 2, 4_000, 'the tuple file reload');
    expect(r.events[1]).toMatchObject({ kind: 'changes', changes: { writes: [tuple('team:core#member', 'track:2')], deletes: [] } });
    expect(r.events[1]).not.toHaveProperty('changes.model');
    expect(BigInt(r.state()?.revision ?? 0)).toBeGreaterThan(BigInt(first.revision));

    // A model change arrives with its new id; the same model keeps its id.
    await writeFile(path('model.fga'), `${MODEL_DSL}\ntype album\n`);
    await waitFor(() => r.kinds().length === 3, 4_000, 'the model reload');
    expect(r.state()?.modelId).not.toBe(first.modelId);
    expect(r.state()?.model.type_definitions.map((t) => t.type)).toContain('album');
  });

  it('reads inline model and tuples, tuple_files of every supported kind, and conditions', async () => {
    const { path } = await setup();
    await writeFile(path('a.json'), JSON.stringify([{ user: 'user:b', relation: 'viewer', object: 'track:1' }]));
    await writeFile(path('b.jsonl'), '{"user":"user:c","relation":"viewer","object":"track:1"}\n\n{"user":"user:d","relation":"viewer","object":"track:1"}\n');
    await writeFile(
      path('c.csv'),
      [
        'user_type,user_id,user_relation,relation,object_type,object_id,condition_name,condition_context',
        'team,core,member,viewer,track,2,,',
        'user,e,,viewer,track,3,in_window,"{""until"":""2030-01-01T00:00:00Z""}"',
        '',
      ].join('\r\n'),
    );
    const inline = [
      'name: inline',
      'model: |',
      ...MODEL_DSL.split('\n').map((l) => `  ${l}`),
      'tuples:',
      '  - user: user:a',
      '    relation: viewer',
      '    object: track:1',
      '    condition: null',
      'tuple_files:',
      '  - a.json',
      '  - b.jsonl',
      '  - c.csv',
      '',
    ].join('\n');
    await writeFile(path('store.fga.yaml'), inline);
    const { r, started } = start(path('store.fga.yaml'));
    await started;
    expect(r.errors()).toEqual([]);
    expect(r.state()?.tuples).toEqual([
      tuple('user:a'),
      tuple('user:b'),
      tuple('user:c'),
      tuple('user:d'),
      tuple('team:core#member', 'track:2'),
      { ...tuple('user:e', 'track:3'), condition: { name: 'in_window', context: { until: '2030-01-01T00:00:00Z' } } },
    ]);
  });

  it('reports DSL errors and bad tuples with the file and entry, keeping the last good data', async () => {
    const { path } = await setup();
    await writeFile(path('model.fga'), MODEL_DSL);
    await writeFile(path('tuples.yaml'), '- user: user:anne\n  relation: viewer\n  object: track:1\n');
    await writeFile(path('store.fga.yaml'), 'model_file: model.fga\ntuple_file: tuples.yaml\n');
    const { r, started } = start(path('store.fga.yaml'));
    await started;
    expect(r.kinds()).toEqual(['snapshot']);

    await writeFile(path('tuples.yaml'), '- user: user:anne\n  relation: viewer\n  object: track:1\n- user: not a user\n  relation: viewer\n  object: track:2\n');
    await waitFor(() => r.errors().length === 1, 4_000, 'the tuple error');
    expect(r.errors()[0]).toMatchObject({ code: 'invalid_user' });
    expect(r.errors()[0]?.message).toMatch(/^tuples\.yaml\[1\]: invalid user "not a user"/);

    await writeFile(path('tuples.yaml'), '- user: user:anne\n  relation: viewer\n  object: track:1\n');
    await writeFile(path('model.fga'), 'model\n  schema 1.1\ntype user\n  relations\n    define viewer: [usr]\n');
    await waitFor(() => r.errors().length === 2, 4_000, 'the model error');
    expect(r.errors()[1]?.name).toBe('ModelValidationError');
    expect(r.errors()[1]?.message).toMatch(/model\.fga/);
    expect(r.kinds()).toEqual(['snapshot', 'error', 'error']);
    expect(r.users()).toEqual(['user:anne']);

    // Back to the good model (the same bytes as the last good load: nothing to deliver), then bad YAML.
    await writeFile(path('model.fga'), MODEL_DSL);
    await writeFile(path('tuples.yaml'), ': : not yaml [');
    await waitFor(() => r.errors().length === 3, 4_000, 'the YAML error');
    expect(r.errors()[2]?.message).toMatch(/^tuples\.yaml:\d+:\d+ is not valid YAML/);
    expect(r.kinds()).toEqual(['snapshot', 'error', 'error', 'error']);
  });

  it('rejects a store file without a model, and an unsupported tuple file type', async () => {
    const { path } = await setup();
    await writeFile(path('store.fga.yaml'), 'name: no model\ntuples: []\n');
    const { source, r, started } = start(path('store.fga.yaml'));
    await started;
    expect(r.errors()[0]?.message).toBe('store.fga.yaml: no model: set model (DSL text) or model_file');
    await writeFile(path('model.fga'), MODEL_DSL);
    await writeFile(path('t.txt'), 'x');
    await writeFile(path('store.fga.yaml'), 'model_file: model.fga\ntuple_file: t.txt\n');
    await source.reload();
    expect(r.errors()[1]?.message).toMatch(/t\.txt: unsupported tuple file type '\.txt'/);
  });

  it('loads a JSON model file and keeps its id', async () => {
    const { path } = await setup();
    await writeFile(path('model.json'), JSON.stringify({ ...model, id: '01JDMODEL0000000000000000A' }));
    await writeFile(path('store.fga.yaml'), 'model_file: model.json\ntuples:\n  - user: user:a\n    relation: viewer\n    object: track:1\n');
    const { r, started } = start(path('store.fga.yaml'));
    await started;
    expect(r.state()).toMatchObject({ modelId: '01JDMODEL0000000000000000A', tuples: [tuple('user:a')] });
  });

  it('loads a modular model (fga.mod)', async () => {
    const { path } = await setup();
    await writeFile(path('fga.mod'), "schema: '1.2'\ncontents:\n  - core.fga\n  - music.fga\n");
    await writeFile(path('core.fga'), 'module core\n\ntype user\n');
    await writeFile(path('music.fga'), 'module music\n\ntype track\n  relations\n    define viewer: [user]\n');
    await writeFile(path('store.fga.yaml'), 'model_file: fga.mod\ntuples:\n  - user: user:a\n    relation: viewer\n    object: track:1\n');
    const { r, started } = start(path('store.fga.yaml'));
    await started;
    expect(r.errors()).toEqual([]);
    expect(r.state()?.model.type_definitions.map((t) => t.type).sort()).toEqual(['track', 'user']);
  });

  it('feeds a bundle server: file edits reach HTTP clients as change sets', async () => {
    const { path } = await setup();
    await writeFile(path('model.fga'), MODEL_DSL);
    await writeFile(path('tuples.yaml'), '- user: user:anne\n  relation: viewer\n  object: track:1\n');
    await writeFile(path('store.fga.yaml'), 'model_file: model.fga\ntuple_file: tuples.yaml\n');
    const provider = new SourceBundleProvider(new FileSource(path('store.fga.yaml'), { debounce: 20 }));
    await provider.start();
    const server = await listen(createBundleHandler(provider));
    const client = new HttpBundleSource({ url: `${server.url}/bundle`, wait: 20 });
    const r = recorder();
    client.start(r.sink);
    cleanup.push(() => server.close(), () => provider.stop(), () => client.stop());
    await waitFor(() => r.state(), 4_000, 'the first snapshot');
    await writeFile(path('tuples.yaml'), '- user: user:bob\n  relation: viewer\n  object: track:1\n');
    await waitFor(() => r.kinds().length === 2, 4_000, 'the change');
    expect(r.events[1]).toMatchObject({ kind: 'changes', changes: { writes: [tuple('user:bob')], deletes: [tuple('user:anne')] } });
    expect(server.requests.filter((q) => q.startsWith('/bundle'))).toHaveLength(1);
  });
});
