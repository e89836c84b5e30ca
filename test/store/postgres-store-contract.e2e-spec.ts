import { PostgresTaskStore } from '../../src/agent/store/postgres/postgres-task-store';
import { TestSchema } from '../../src/agent/store/postgres/postgres-schema.fixtures';
import { describeStoreContract, Driver } from '../../src/agent/store/task-store-contract.fixtures';

/** A schema of its own for this file run, migrated by the first store, emptied after each test. */
function postgresDriver(): Driver {
  let schema: TestSchema;
  return {
    name: 'postgres',
    setup: async () => void (schema = await new TestSchema().create()),
    teardown: () => schema.drop(),
    open: async () => {
      const store = await PostgresTaskStore.open({ url: schema.url, poolSize: 4 });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await schema.truncate();
        },
      };
    },
  };
}

describeStoreContract(postgresDriver());
