import type { Database } from 'better-sqlite3';

/** How many of SQLite's findings the start-up message quotes. */
const QUOTED_PROBLEMS = 5;

/** The SQLite file failed its integrity check; start-up stops and the file is left as it is. */
export class StoreIntegrityError extends Error {
  constructor(
    readonly filePath: string,
    readonly problems: string[],
  ) {
    const quoted = problems.slice(0, QUOTED_PROBLEMS).join('; ');
    const more =
      problems.length > QUOTED_PROBLEMS ? ` (+${problems.length - QUOTED_PROBLEMS} more)` : '';
    super(
      `Cannot open the task store at ${filePath}: it failed its integrity check (PRAGMA quick_check): ${quoted}${more}. ` +
        'The file was left untouched: restore a backup (docs/deployment.md, "Backups") or move it away to start with an empty store.',
    );
  }
}

/**
 * Runs `PRAGMA quick_check` (every page and index structure, without cross-checking index
 * contents: linear in the file's size) before anything writes to the file. Returns how long it
 * took in milliseconds; throws {@link StoreIntegrityError} when SQLite reports a problem.
 */
export function quickCheck(db: Database, filePath: string): number {
  const started = process.hrtime.bigint();
  let rows: { quick_check: string }[];
  try {
    rows = db.pragma('quick_check') as { quick_check: string }[];
  } catch (err) {
    // A damaged header or first page fails the read itself (SQLITE_CORRUPT, SQLITE_NOTADB).
    throw new StoreIntegrityError(filePath, [(err as Error).message]);
  }
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length) throw new StoreIntegrityError(filePath, problems);
  return Number(process.hrtime.bigint() - started) / 1e6;
}
