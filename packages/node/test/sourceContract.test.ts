import { rename, writeFile } from 'node:fs/promises';
import { HttpBundleSource, MemorySource, tupleKeyId } from '@gatehouse/core';
import type { AuthorizationModel, TupleKey } from '@gatehouse/core';
import { describeSourceContract } from '@gatehouse/testing';
import { FileSource, SourceBundleProvider, createBundleHandler } from '../src/index';
import { listen, tempDir } from './helpers';

// A store file as an editor would keep it: the model in model.json, the tuples inline, each file
// replaced by rename so the source never reads half of one.
describeSourceContract('FileSource (OpenFGA store file)', async (seed) => {
  const tmp = await tempDir();
  const tuples = new Map<string, TupleKey>(seed.tuples.map((t) => [tupleKeyId(t), t]));
  let saves = 0;
  const save = async (name: string, content: unknown) => {
    const temporary = tmp.path(`.${name}.${saves++}.tmp`);
    await writeFile(temporary, JSON.stringify(content, null, 2));
    await rename(temporary, tmp.path(name));
  };
  const saveTuples = () => save('store.fga.yaml', { name: 'contract', model_file: 'model.json', tuples: [...tuples.values()] });
  await save('model.json', seed.model);
  await saveTuples();
  return {
    source: new FileSource(tmp.path('store.fga.yaml'), { debounce: 20 }),
    async write({ writes = [], deletes = [] }) {
      for (const t of deletes) tuples.delete(tupleKeyId(t));
      for (const t of writes) tuples.set(tupleKeyId(t), t);
      await saveTuples();
    },
    setModel: (model: AuthorizationModel) => save('model.json', model),
    close: tmp.cleanup,
  };
});

// The bundle server over a MemorySource, followed over real HTTP with long polls.
describeSourceContract('HttpBundleSource (node bundle server)', async (seed) => {
  const upstream = new MemorySource({ model: seed.model, tuples: seed.tuples, revision: 100 });
  const provider = new SourceBundleProvider(upstream);
  await provider.start();
  const server = await listen(createBundleHandler(provider));
  return {
    source: new HttpBundleSource({ url: `${server.url}/bundle`, wait: 20, backoff: { initial: 10, max: 50 }, timeout: 2_000 }),
    write: async ({ writes = [], deletes = [] }) => void upstream.apply({ writes, deletes }),
    setModel: async (model) => void upstream.setModel(model),
    async close() {
      await server.close();
      await provider.stop();
    },
  };
});
