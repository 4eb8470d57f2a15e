import { MemorySource } from '@gatehouse/core';
import { describeSourceContract } from './sourceContract';

// The reference source: if the suite failed here, the suite would be wrong, not the source.
describeSourceContract('MemorySource', async (seed) => {
  const upstream = new MemorySource({ model: seed.model, tuples: seed.tuples, revision: 1 });
  return {
    source: upstream,
    write: async ({ writes = [], deletes = [] }) => void upstream.apply({ writes, deletes }),
    setModel: async (model) => void upstream.setModel(model),
    close: async () => {},
  };
});
