import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryTaskStore } from './memory-task-store';
import { SqliteTaskStore } from './sqlite-task-store';

import { describeStoreContract, Driver } from './task-store-contract.fixtures';

const drivers: Driver[] = [
  {
    name: 'memory',
    open: async () => ({ store: new MemoryTaskStore(), cleanup: () => undefined }),
  },
  {
    name: 'sqlite (file, WAL)',
    open: async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'task-store-contract-'));
      const store = new SqliteTaskStore(path.join(dir, 'tasks.db'));
      return {
        store,
        cleanup: async () => {
          await store.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

// PostgreSQL runs the same contract in test/store/postgres-store.e2e-spec.ts (a real server).
for (const driver of drivers) describeStoreContract(driver);
