import { describeSourceContract } from '@gatehouse/testing';
import { createPostgresSource } from '../src/index';
import { connectionString, testDatabase } from './helpers';

// Each test gets its own schema, store and source; writes go through the store like any writer's.
describeSourceContract(
  'PostgresSource',
  async (seed) => {
    const db = await testDatabase('contract');
    const { id } = await db.store.createStore('contract');
    await db.store.writeModel(id, seed.model);
    await db.store.write(id, { writes: [...seed.tuples] });
    const url = connectionString();
    return {
      source: createPostgresSource({ storeId: id, schema: db.schema, pollInterval: 50, ...(url === undefined ? {} : { connectionString: url }) }),
      write: async ({ writes = [], deletes = [] }) => void (await db.store.write(id, { writes: [...writes], deletes: [...deletes] })),
      setModel: async (model) => void (await db.store.writeModel(id, model)),
      close: () => db.drop(),
    };
  },
  { convergeTimeout: 10_000, quietPeriod: 500 },
);
