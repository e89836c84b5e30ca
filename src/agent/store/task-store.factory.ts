import { Logger } from '@nestjs/common';
import * as path from 'node:path';
import type { StorageConfig } from '../../config/config.schema';
import { MemoryTaskStore } from './memory-task-store';
import { SqliteTaskStore } from './sqlite-task-store';
import type { TaskStore } from './task-store';

/** Opens the store `storage.driver` names; a relative `storage.path` is taken from the working directory. */
export function createTaskStore(config: StorageConfig, cwd: string = process.cwd()): TaskStore {
  switch (config.driver) {
    case 'memory':
      return new MemoryTaskStore();
    case 'sqlite':
      return new SqliteTaskStore(
        config.path === ':memory:' ? config.path : path.resolve(cwd, config.path),
        {
          onCommitError: (err) =>
            new Logger('TaskStore').error(`a group commit failed: ${err.message}`),
        },
      );
    default:
      throw new Error(`Unknown storage.driver ${JSON.stringify(config.driver)}.`);
  }
}
