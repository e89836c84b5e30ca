import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyMigrations } from './migrations';
import { StoreIntegrityError, quickCheck } from './sqlite-integrity-check';

/**
 * Opens (creating it private when missing) and prepares the SQLite file: integrity check before
 * anything writes, WAL, foreign keys, migrations. A damaged file stops start-up as it is.
 */
export function openSqliteFile(
  filePath: string,
  busyTimeoutMs: number,
): { db: Database.Database; integrityCheckMs: number | undefined } {
  let db: Database.Database | undefined;
  try {
    const onDisk = filePath !== ':memory:' && filePath !== '';
    if (onDisk) {
      // Task requests may carry secrets (context.environment): keep the folder and file private.
      fs.mkdirSync(path.dirname(filePath), { recursive: true, mode: 0o700 });
      if (!fs.existsSync(filePath)) fs.closeSync(fs.openSync(filePath, 'a', 0o600));
    }
    db = new Database(filePath, { timeout: busyTimeoutMs });
    // Before anything writes: a damaged file stops start-up as it is, for an operator to inspect.
    const integrityCheckMs = onDisk ? quickCheck(db, filePath) : undefined;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('journal_size_limit = 67108864');
    applyMigrations(db);
    return { db, integrityCheckMs };
  } catch (err) {
    db?.close();
    if (err instanceof StoreIntegrityError) throw err;
    throw new Error(`Cannot open the task store at ${filePath}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
