import type { Pool, PoolClient } from 'pg';
import { SchemaTooNewError, type Migration } from '../migrations';

/**
 * The PostgreSQL schema history (the SQLite one is in ../migrations.ts). Add a new entry to
 * evolve it; never change an applied one.
 *
 * Free text that comes from clients, the model or tools (the task, a step's tool name,
 * description, output and error) is kept as a JSON string in a `json` column: PostgreSQL's text
 * type cannot hold a NUL character, and `json` (unlike `jsonb`) keeps the text exactly as given,
 * key order included, so records come back as the other drivers return them. Times are ISO-8601
 * UTC text, compared as text, as in SQLite. Tasks are ordered by `seq`, an identity column;
 * list cursors point into it.
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tasks, steps, events, batches',
    sql: `
      CREATE TABLE tasks (
        seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        task_id      TEXT NOT NULL UNIQUE,
        owner        TEXT,
        status       TEXT NOT NULL,
        priority     TEXT NOT NULL,
        task         JSON NOT NULL,
        request      JSON NOT NULL,
        request_hash TEXT NOT NULL,
        metadata     JSON NOT NULL,
        batch_id     TEXT,
        created_at   TEXT NOT NULL,
        started_at   TEXT,
        completed_at TEXT,
        result       JSON,
        plan         JSON,
        error        JSON,
        metrics      JSON NOT NULL
      );
      CREATE INDEX idx_tasks_owner_seq ON tasks (owner, seq);
      CREATE INDEX idx_tasks_status_seq ON tasks (status, seq);
      CREATE INDEX idx_tasks_priority_seq ON tasks (priority, seq);
      CREATE INDEX idx_tasks_completed_at ON tasks (completed_at) WHERE completed_at IS NOT NULL;

      CREATE TABLE task_steps (
        task_id      TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
        step_number  INTEGER NOT NULL,
        step_type    TEXT NOT NULL,
        tool         JSON,
        description  JSON NOT NULL,
        status       TEXT NOT NULL,
        input        JSON NOT NULL,
        output       JSON,
        error        JSON,
        started_at   TEXT NOT NULL,
        completed_at TEXT,
        duration_ms  DOUBLE PRECISION,
        PRIMARY KEY (task_id, step_number)
      );

      CREATE TABLE task_events (
        task_id   TEXT NOT NULL REFERENCES tasks (task_id) ON DELETE CASCADE,
        seq       INTEGER NOT NULL,
        type      TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        data      JSON NOT NULL,
        PRIMARY KEY (task_id, seq)
      );

      CREATE TABLE batches (
        batch_id          TEXT PRIMARY KEY,
        owner             TEXT,
        mode              TEXT NOT NULL,
        continue_on_error BOOLEAN NOT NULL,
        task_ids          JSON NOT NULL,
        created_at        TEXT NOT NULL,
        completed_at      TEXT
      );
      CREATE INDEX idx_batches_created_at ON batches (created_at);

      CREATE TABLE heartbeat (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        beats BIGINT NOT NULL,
        at    TIMESTAMPTZ NOT NULL
      );
    `,
  },
];

/** The newest PostgreSQL schema version this build knows. */
export const PG_LATEST_SCHEMA_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1].version;

/**
 * Advisory lock key (two int4 halves): a constant naming agent-runner's migrations, and the
 * schema being migrated, so stores on different schemas of one database do not wait for each other.
 */
const LOCK_CLASS = 0x61724d67; // "arMg"
const LOCK = `${LOCK_CLASS}, hashtext(COALESCE(current_schema(), ''))`;

/** Highest applied version (0 on a fresh schema). */
async function currentVersion(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ v: number | null }>(
    'SELECT MAX(version) AS v FROM schema_migrations',
  );
  return rows[0].v ?? 0;
}

/**
 * Applies the pending migrations in order under a PostgreSQL advisory lock, so any number of
 * processes starting at once migrate once: the first applies them, the others wait for the lock
 * and then find nothing left to do. All pending versions go in one transaction (PostgreSQL DDL
 * is transactional), so a failure leaves the schema as it was. Throws SchemaTooNewError when the
 * schema was written by a newer build. Returns the versions applied now (empty when up to date).
 */
export async function applyPostgresMigrations(
  pool: Pool,
  migrations: readonly Migration[] = PG_MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`SELECT pg_advisory_lock(${LOCK})`);
    try {
      return await migrateLocked(client, migrations);
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${LOCK})`);
    }
  } catch (err) {
    broken = err as Error;
    throw err;
  } finally {
    // A connection that failed mid-way is dropped, never handed to the store's queries.
    client.release(broken);
  }
}

async function migrateLocked(
  client: PoolClient,
  migrations: readonly Migration[],
): Promise<number[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`);
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  const current = await currentVersion(client);
  if (current > latest) {
    throw new SchemaTooNewError(current, latest, 'point storage.url at another schema');
  }
  const pending = migrations.filter((m) => m.version > current);
  if (!pending.length) return [];
  await client.query('BEGIN');
  try {
    for (const m of pending) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return pending.map((m) => m.version);
}

/** The schema version a database holds (0 when it has none), without changing anything. */
export async function postgresSchemaVersion(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ t: string | null }>(
    `SELECT to_regclass('schema_migrations')::text AS t`,
  );
  if (!rows[0].t) return 0;
  const { rows: v } = await pool.query<{ v: number | null }>(
    'SELECT MAX(version) AS v FROM schema_migrations',
  );
  return v[0].v ?? 0;
}
