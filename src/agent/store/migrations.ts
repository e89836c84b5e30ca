import type { Database } from 'better-sqlite3';

/** One forward-only schema change; `version`s are consecutive from 1 and never edited once shipped. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema history. Add a new entry (e.g. `ALTER TABLE tasks ADD COLUMN …`) to evolve it;
 * never change an applied one. Tasks are ordered by `seq` (an AUTOINCREMENT rowid), so the
 * single-column indexes below also serve `ORDER BY seq DESC` without a sort.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks, steps, events, batches',
    sql: `
      CREATE TABLE tasks (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id      TEXT NOT NULL UNIQUE,
        owner        TEXT,
        status       TEXT NOT NULL,
        priority     TEXT NOT NULL,
        task         TEXT NOT NULL,
        request      TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        metadata     TEXT NOT NULL,
        batch_id     TEXT,
        created_at   TEXT NOT NULL,
        started_at   TEXT,
        completed_at TEXT,
        result       TEXT,
        plan         TEXT,
        error        TEXT,
        metrics      TEXT NOT NULL
      );
      CREATE INDEX idx_tasks_owner ON tasks (owner);
      CREATE INDEX idx_tasks_status ON tasks (status);
      CREATE INDEX idx_tasks_priority ON tasks (priority);
      CREATE INDEX idx_tasks_completed_at ON tasks (completed_at) WHERE completed_at IS NOT NULL;

      CREATE TABLE task_steps (
        task_id      TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
        step_number  INTEGER NOT NULL,
        step_type    TEXT NOT NULL,
        tool         TEXT,
        description  TEXT NOT NULL,
        status       TEXT NOT NULL,
        input        TEXT NOT NULL,
        output       TEXT,
        error        TEXT,
        started_at   TEXT NOT NULL,
        completed_at TEXT,
        duration_ms  REAL,
        PRIMARY KEY (task_id, step_number)
      ) WITHOUT ROWID;

      CREATE TABLE task_events (
        task_id   TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
        seq       INTEGER NOT NULL,
        type      TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        data      TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE batches (
        batch_id          TEXT PRIMARY KEY,
        owner             TEXT,
        mode              TEXT NOT NULL,
        continue_on_error INTEGER NOT NULL,
        task_ids          TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        completed_at      TEXT
      );
      CREATE INDEX idx_batches_created_at ON batches (created_at);

      CREATE TABLE heartbeat (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        beats INTEGER NOT NULL,
        at    TEXT NOT NULL
      );
    `,
  },
];

/** The newest schema version this build knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Thrown when the store was written by a newer build (its schema is ahead of this one). */
export class SchemaTooNewError extends Error {
  constructor(found: number, supported: number, elsewhere = 'use another storage.path') {
    super(
      `The task store schema is at version ${found}, newer than this build supports (${supported}); upgrade agent-runner or ${elsewhere}.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Highest applied version (0 on a fresh file). */
export function schemaVersion(db: Database): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
    v: number | null;
  };
  return row.v ?? 0;
}

/**
 * Applies the pending migrations in order, all in one IMMEDIATE transaction so two processes
 * opening the same file cannot both migrate, and a failure leaves the schema unchanged.
 * Returns the versions applied now (empty when up to date).
 */
export function applyMigrations(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
  now: () => string = () => new Date().toISOString(),
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const migrate = db.transaction((): number[] => {
    const current = schemaVersion(db);
    if (current > latest) throw new SchemaTooNewError(current, latest);
    const applied: number[] = [];
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, now());
      applied.push(m.version);
    }
    return applied;
  });
  return migrate.immediate();
}
