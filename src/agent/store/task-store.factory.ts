import { Logger } from '@nestjs/common';
import * as path from 'node:path';
import type { StorageConfig } from '../../config/config.schema';
import { MemoryTaskStore } from './memory-task-store';
import { SqliteTaskStore } from './sqlite-task-store';
import type { TaskStore } from './task-store';

export interface TaskStoreHooks {
  /** Told when a turn's writes are lost (a failed commit); default: an error log line. */
  onCommitError?: (err: Error) => void;
}

/** Opens the store `storage.driver` names; a relative `storage.path` is taken from the working directory. */
export function createTaskStore(
  config: StorageConfig,
  cwd: string = process.cwd(),
  hooks: TaskStoreHooks = {},
): TaskStore {
  const logger = new Logger('TaskStore');
  switch (config.driver) {
    case 'memory':
      return new MemoryTaskStore();
    case 'sqlite': {
      const store = new SqliteTaskStore(
        config.path === ':memory:' ? config.path : path.resolve(cwd, config.path),
        {
          onCommitError:
            hooks.onCommitError ?? ((err) => logger.error(`a group commit failed: ${err.message}`)),
        },
      );
      if (store.integrityCheckMs !== undefined) {
        logger.debug(
          `integrity check (PRAGMA quick_check) of ${store.filePath} passed in ${store.integrityCheckMs.toFixed(1)} ms`,
        );
      }
      return store;
    }
    default:
      throw new Error(`Unknown storage.driver ${JSON.stringify(config.driver)}.`);
  }
}
