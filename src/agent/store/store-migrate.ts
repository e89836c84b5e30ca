import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StorageConfig } from '../../config/config.schema';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations';
import { openError } from './postgres/postgres-errors';
import { applyPostgresMigrations, postgresSchemaVersion } from './postgres/postgres-migrations';
import { createPostgresPool, describePostgresUrl } from './postgres/postgres-pool';
import { SqliteTaskStore } from './sqlite-task-store';

/** What `agent-runner migrate` did (docs/cli.md, `migrate`). */
export interface MigrateReport {
  driver: StorageConfig['driver'];
  /** Where the schema lives: the SQLite file, `host:port/database`, or `memory`. */
  target: string;
  /** Versions applied now, ascending (empty when the schema was up to date). */
  applied: number[];
  /** The schema version now (0 for memory, which has none). */
  version: number;
}

/**
 * Brings the schema of the store `storage` names up to date, and nothing else: the SQLite file
 * is opened as the service opens it (integrity check, then its migrations), PostgreSQL is
 * migrated under the advisory lock the service takes, memory has nothing to migrate. Rejects as
 * the store's open does: a StoreUnavailable error when PostgreSQL cannot be reached.
 */
export async function migrateStore(
  storage: StorageConfig,
  cwd: string = process.cwd(),
): Promise<MigrateReport> {
  switch (storage.driver) {
    case 'memory':
      return { driver: 'memory', target: 'memory', applied: [], version: 0 };
    case 'sqlite':
      return migrateSqlite(
        storage.path === ':memory:' ? storage.path : path.resolve(cwd, storage.path),
      );
    case 'postgres':
      return migratePostgres(storage);
  }
}

async function migrateSqlite(file: string): Promise<MigrateReport> {
  const before = sqliteVersion(file);
  // Opening applies the pending migrations (in one IMMEDIATE transaction), as start-up does.
  const store = new SqliteTaskStore(file);
  await store.close();
  const applied = MIGRATIONS.map((m) => m.version).filter((v) => v > before);
  return { driver: 'sqlite', target: file, applied, version: LATEST_SCHEMA_VERSION };
}

/** The schema version of an existing SQLite file, read only (0 for none). */
function sqliteVersion(file: string): number {
  if (file === ':memory:' || !fs.existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const table = db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`)
      .get();
    if (!table) return 0;
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
      v: number | null;
    };
    return row.v ?? 0;
  } finally {
    db.close();
  }
}

async function migratePostgres(storage: StorageConfig): Promise<MigrateReport> {
  if (!storage.url) throw new Error('storage.url is required when storage.driver is "postgres".');
  const pool = createPostgresPool({ url: storage.url, poolSize: 1 });
  try {
    const applied = await applyPostgresMigrations(pool);
    const version = await postgresSchemaVersion(pool);
    return { driver: 'postgres', target: describePostgresUrl(storage.url), applied, version };
  } catch (err) {
    throw openError(err, storage.url);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
