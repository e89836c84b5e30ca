import { Logger } from '@nestjs/common';
import * as path from 'node:path';
import type { StorageConfig } from '../../config/config.schema';
import { MemoryTaskStore } from './memory-task-store';
import { describePostgresUrl } from './postgres/postgres-pool';
import { PostgresTaskStore } from './postgres/postgres-task-store';
import { SqliteTaskStore } from './sqlite-task-store';
import type { TaskStore } from './task-store';

export interface TaskStoreHooks {
  /** Told when a turn's writes are lost (a failed commit); default: an error log line. */
  onCommitError?: (err: Error) => void;
}

/**
 * Opens the store `storage.driver` names, for the drivers that open at once (`sqlite`,
 * `memory`); a relative `storage.path` is taken from the working directory. The `postgres`
 * driver connects and migrates first: use {@link openTaskStore}, which opens every driver.
 */
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
    case 'postgres':
      throw new Error('storage.driver "postgres" connects before it opens: use openTaskStore().');
    default:
      throw new Error(`Unknown storage.driver ${JSON.stringify(config.driver)}.`);
  }
}

/**
 * Opens the store `storage.driver` names, any driver: `sqlite` and `memory` exactly as
 * {@link createTaskStore} does; `postgres` connects to `storage.url` with a pool of
 * `storage.pool_size` and brings the schema up to date (under an advisory lock) first. Rejects
 * when the database cannot be reached (a StoreUnavailableError) or its schema is newer than this
 * build, saying where it tried.
 */
export async function openTaskStore(
  config: StorageConfig,
  cwd: string = process.cwd(),
  hooks: TaskStoreHooks = {},
): Promise<TaskStore> {
  if (config.driver !== 'postgres') return createTaskStore(config, cwd, hooks);
  const logger = new Logger('TaskStore');
  if (!config.url) throw new Error('storage.url is required when storage.driver is "postgres".');
  const where = describePostgresUrl(config.url);
  const store = await PostgresTaskStore.open({
    url: config.url,
    poolSize: config.pool_size,
    onIdleError: (err) =>
      logger.warn(`PostgreSQL at ${where}: an idle connection failed: ${err.message}`),
  });
  const applied = store.migrationsApplied;
  logger.log(
    `PostgreSQL at ${where}, pool of ${config.pool_size}` +
      (applied.length ? `; schema migrated to version ${applied[applied.length - 1]}` : ''),
  );
  return store;
}
