import { TERMINAL_STATUSES } from '../../../contracts/task.types';
import { decodeTaskCursor } from '../task-list.paging';
import type { TaskListFilter } from '../task-store';
import { PG_TASK_COLUMNS } from './postgres-task-rows';

const OPEN = `status IN ('queued', 'running')`;
const TERMINAL = `status IN (${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const EVENT_COLUMNS = 'task_id, seq, type, timestamp, data';

/**
 * Every fixed statement of the PostgreSQL store, each prepared once per connection (its name is
 * its key). The rules live in the statements, so they hold across processes: an insert that
 * finds the id does nothing (ON CONFLICT DO NOTHING, also against a concurrent insert, which it
 * waits for); the terminal transition is a conditional UPDATE (`WHERE status IN
 * ('queued','running')`, re-checked after waiting for a concurrent one), so exactly one terminal
 * state is recorded; a transition and its event are one statement (data-modifying CTEs), so
 * both land or neither.
 */
export const PG_SQL = {
  insertTask: `INSERT INTO tasks (task_id, owner, status, priority, task, request, request_hash,
        metadata, batch_id, created_at, started_at, completed_at, result, plan, error, metrics)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
      ON CONFLICT (task_id) DO NOTHING`,
  insertTaskWithEvent: `WITH t AS (
        INSERT INTO tasks (task_id, owner, status, priority, task, request, request_hash,
          metadata, batch_id, created_at, started_at, completed_at, result, plan, error, metrics)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
        ON CONFLICT (task_id) DO NOTHING
        RETURNING task_id
      ), e AS (
        INSERT INTO task_events (${EVENT_COLUMNS})
        SELECT $17::text, $18::int, $19::text, $20::text, $21::json FROM t
      )
      SELECT count(*)::int AS n FROM t`,
  getTask: `SELECT ${PG_TASK_COLUMNS} FROM tasks WHERE task_id = $1`,
  markRunning: `UPDATE tasks SET status = 'running', started_at = $2
      WHERE task_id = $1 AND status = 'queued'`,
  updateProgress: `UPDATE tasks SET
        plan = CASE WHEN $2::boolean THEN $3::json ELSE plan END,
        metrics = CASE WHEN $4::boolean THEN $5::json ELSE metrics END
      WHERE task_id = $1 AND ${OPEN}`,
  completeTask: `WITH t AS (
        UPDATE tasks SET status = $2, completed_at = $3,
          result = CASE WHEN $4::boolean THEN $5::json ELSE result END,
          error = CASE WHEN $6::boolean THEN $7::json ELSE error END,
          metrics = CASE WHEN $8::boolean THEN $9::json ELSE metrics END,
          plan = CASE WHEN $10::boolean THEN $11::json ELSE plan END
        WHERE task_id = $1 AND ${OPEN}
        RETURNING task_id
      ), e AS (
        INSERT INTO task_events (${EVENT_COLUMNS})
        SELECT $12::text, $13::int, $14::text, $15::text, $16::json FROM t
        WHERE $12::text IS NOT NULL
      )
      SELECT count(*)::int AS n FROM t`,
  queuedTasks: `SELECT ${PG_TASK_COLUMNS} FROM tasks WHERE status = 'queued' ORDER BY seq ASC`,
  saveStep: `INSERT INTO task_steps (task_id, step_number, step_type, tool, description, status,
        input, output, error, started_at, completed_at, duration_ms)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
      ON CONFLICT (task_id, step_number) DO UPDATE SET step_type = excluded.step_type,
        tool = excluded.tool, description = excluded.description, status = excluded.status,
        input = excluded.input, output = excluded.output, error = excluded.error,
        started_at = excluded.started_at, completed_at = excluded.completed_at,
        duration_ms = excluded.duration_ms`,
  getSteps: `SELECT step_number, step_type, tool, description, status, input, output, error,
        started_at, completed_at, duration_ms
      FROM task_steps WHERE task_id = $1 ORDER BY step_number ASC`,
  appendEvent: `INSERT INTO task_events (${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`,
  getEvents: `SELECT ${EVENT_COLUMNS} FROM task_events
      WHERE task_id = $1 AND seq > $2 ORDER BY seq ASC`,
  lastEventSeq: `SELECT COALESCE(MAX(seq), 0)::int AS seq FROM task_events WHERE task_id = $1`,
  insertBatch: `INSERT INTO batches (batch_id, owner, mode, continue_on_error, task_ids,
        created_at, completed_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  getBatch: `SELECT batch_id, owner, mode, continue_on_error, task_ids, created_at, completed_at
      FROM batches WHERE batch_id = $1`,
  completeBatch: `UPDATE batches SET completed_at = $2 WHERE batch_id = $1 AND completed_at IS NULL`,
  // Every running task at once, each with a terminal event after its last one (one statement).
  interrupt: `WITH t AS (
        UPDATE tasks SET status = 'failed', completed_at = $1::text, error = $2::json
        WHERE status = 'running'
        RETURNING task_id, seq
      ), e AS (
        INSERT INTO task_events (${EVENT_COLUMNS})
        SELECT t.task_id,
          COALESCE((SELECT MAX(x.seq) FROM task_events x WHERE x.task_id = t.task_id), 0) + 1,
          'task.failed', $1::text, $3::json
        FROM t
      )
      SELECT task_id FROM t ORDER BY seq ASC`,
  // Steps and events go with their task (ON DELETE CASCADE).
  purgeTasks: `DELETE FROM tasks WHERE completed_at < $1 AND ${TERMINAL}`,
  purgeBatches: `DELETE FROM batches b WHERE b.created_at < $1 AND NOT EXISTS (
        SELECT 1 FROM json_array_elements_text(b.task_ids) AS j (id)
        JOIN tasks t ON t.task_id = j.id)`,
} as const;

export type PgStatementName = keyof typeof PG_SQL;

/**
 * The readiness write: one round trip (a simple-protocol batch is one implicit transaction),
 * bounded by its own statement timeout. The counter makes every ping a real change.
 */
export function heartbeatSql(timeoutMs: number): string {
  return `SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))};
    INSERT INTO heartbeat (id, beats, at) VALUES (1, 1, now())
      ON CONFLICT (id) DO UPDATE SET beats = heartbeat.beats + 1, at = excluded.at`;
}

/** One page query of GET /api/v1/tasks: its name (one per filter shape), SQL and parameters. */
export function pgTaskListQuery(
  filter: TaskListFilter,
  limit: number,
): { name: string; text: string; values: unknown[] } {
  const values: unknown[] = [];
  const where: string[] = [];
  let key = '';
  const param = (value: unknown) => `$${values.push(value)}`;
  if (filter.owner === null) {
    where.push('owner IS NULL');
    key += 'n';
  } else if (filter.owner !== undefined) {
    where.push(`owner = ${param(filter.owner)}`);
    key += 'o';
  }
  for (const field of ['status', 'priority'] as const) {
    if (filter[field] === undefined) continue;
    where.push(`${field} = ${param(filter[field])}`);
    key += field[0];
  }
  if (filter.cursor !== undefined) {
    where.push(`seq < ${param(decodeTaskCursor(filter.cursor))}`);
    key += 'c';
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const text = `SELECT ${PG_TASK_COLUMNS} FROM tasks ${clause} ORDER BY seq DESC LIMIT ${param(limit + 1)}`;
  return { name: `ar_list_${key}`, text, values };
}
