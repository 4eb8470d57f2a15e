import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../src/csv';
import { hashModelId, loadPolicyFile, loadTupleFile } from '../src/index';
import { model, tempDir } from './helpers';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn();
});

async function store(files: Record<string, string>) {
  const tmp = await tempDir();
  cleanup.push(tmp.cleanup);
  for (const [name, text] of Object.entries(files)) await writeFile(tmp.path(name), text);
  return tmp.path('store.fga.yaml');
}

const MODEL = 'model\n  schema 1.1\ntype user\ntype track\n  relations\n    define viewer: [user]\n';

describe('parseCsv', () => {
  it('reads quoted fields, escaped quotes, CRLF, blank lines and a BOM', () => {
    const rows = parseCsv('\ufeffa,b,c\r\n"x,1","say ""hi""",\r\n\r\nlast,"multi\nline",z');
    expect(rows).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['x,1', 'say "hi"', ''], line: 2 },
      { fields: ['last', 'multi\nline', 'z'], line: 4 },
    ]);
  });

  it('rejects an unterminated quote', () => {
    expect(() => parseCsv('a,b\n"open,1\n')).toThrow(/unterminated quoted field starting on line 2/);
  });
});

describe('loadPolicyFile', () => {
  it('names the CSV line of a bad tuple, and rejects unknown or missing headers', async () => {
    const bad = await store({
      'store.fga.yaml': 'model_file: m.fga\ntuple_file: t.csv\n',
      'm.fga': MODEL,
      't.csv': 'user_type,user_id,relation,object_type,object_id\nuser,anne,viewer,track,1\nuser,has space,viewer,track,2\n',
    });
    await expect(loadPolicyFile(bad)).rejects.toThrow(/^t\.csv:3: invalid user "user:has space"/);
    const header = await store({ 'store.fga.yaml': 'model_file: m.fga\ntuple_file: t.csv\n', 'm.fga': MODEL, 't.csv': 'user,relation\n' });
    await expect(loadPolicyFile(header)).rejects.toThrow(/t\.csv: invalid header "user", valid headers are user_type,user_id/);
    const missing = await store({ 'store.fga.yaml': 'model_file: m.fga\ntuple_file: t.csv\n', 'm.fga': MODEL, 't.csv': 'user_type,user_id,relation,object_type\n' });
    await expect(loadPolicyFile(missing)).rejects.toThrow(/t\.csv: missing required header "object_id"/);
  });

  it('names the JSONL line, and rejects empty tuple files (a truncated write)', async () => {
    const jsonl = await store({
      'store.fga.yaml': 'model_file: m.fga\ntuple_file: t.jsonl\n',
      'm.fga': MODEL,
      't.jsonl': '{"user":"user:a","relation":"viewer","object":"track:1"}\n{"user":"user:b","relation":"viewer"\n',
    });
    await expect(loadPolicyFile(jsonl)).rejects.toThrow(/^t\.jsonl:2 is not valid JSON/);
    const empty = await store({ 'store.fga.yaml': 'model_file: m.fga\ntuple_file: t.yaml\n', 'm.fga': MODEL, 't.yaml': '' });
    await expect(loadPolicyFile(empty)).rejects.toThrow(/^t\.yaml is empty$/);
  });

  it('hashes every file it read, so any change to any of them shows', async () => {
    const path = await store({ 'store.fga.yaml': 'model_file: m.fga\ntuple_file: t.yaml\n', 'm.fga': MODEL, 't.yaml': '- {user: "user:a", relation: viewer, object: "track:1"}\n' });
    const loaded = await loadPolicyFile(path);
    expect(loaded.kind).toBe('store');
    expect(loaded.files.map((f) => f.split('/').pop()).sort()).toEqual(['m.fga', 'store.fga.yaml', 't.yaml']);
    expect(loaded.hash).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(path.replace('store.fga.yaml', 't.yaml'), '- {user: "user:b", relation: viewer, object: "track:1"}\n');
    expect((await loadPolicyFile(path)).hash).not.toBe(loaded.hash);
  });

  it('derives model ids from the model alone', () => {
    expect(hashModelId(model)).toBe(hashModelId(JSON.parse(JSON.stringify(model))));
    expect(hashModelId(model)).not.toBe(hashModelId({ ...model, type_definitions: [{ type: 'user' }] }));
  });
});

describe('loadTupleFile', () => {
  it('reads a list or { tuples } from YAML and JSON, and refuses other extensions with a typed error', async () => {
    const dir = await tempDir();
    cleanup.push(dir.cleanup);
    const tuple = { user: 'user:ada', relation: 'viewer', object: 'track:t1' };
    await writeFile(dir.path('list.yaml'), '- user: user:ada\n  relation: viewer\n  object: track:t1\n');
    await writeFile(dir.path('wrapped.json'), JSON.stringify({ tuples: [tuple] }));
    await writeFile(dir.path('tuples.txt'), 'user:ada viewer track:t1');
    expect(await loadTupleFile(dir.path('list.yaml'))).toEqual([tuple]);
    expect(await loadTupleFile(dir.path('wrapped.json'))).toEqual([tuple]);
    await expect(loadTupleFile(dir.path('tuples.txt'))).rejects.toMatchObject({ code: 'invalid_bundle', message: expect.stringContaining("unsupported tuple file type '.txt'") });
    await expect(loadTupleFile(dir.path('missing.yaml'))).rejects.toMatchObject({ code: 'source_unavailable' });
  });
});
