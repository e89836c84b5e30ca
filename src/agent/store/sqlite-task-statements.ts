import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';

/** A prepared statement of this store (named so declaration files can refer to it). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PreparedStatement extends BetterSqlite3.Statement<unknown[], unknown> {}
import { TERMINAL_STATUSES } from '../../contracts/task.types';
import { TASK_COLUMNS } from './sqlite-task-rows';

const OPEN = `status IN ('queued', 'running')`;
const TERMINAL = `status IN (${TERMINAL_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Every fixed statement of the SQLite store. Terminal transitions are conditional UPDATEs
 * (`WHERE status IN ('queued','running')`): the database decides which terminal state wins, so
 * exactly one is recorded.
 */
const SQL = {
  insertTask: `INSERT INTO tasks (task_id, owner, status, priority, task, request, request_hash,
        metadata, batch_id, created_at, started_at, completed_at, result, plan, error, metrics)
      VALUES (@task_id, @owner, @status, @priority, @task, @request, @request_hash, @metadata,
        @batch_id, @created_at, @started_at, @completed_at, @result, @plan, @error, @metrics)
      ON CONFLICT (task_id) DO NOTHING`,
  // Only to take back an insert whose first event was refused, in the same turn.
  deleteTask: `DELETE FROM tasks WHERE task_id = ?`,
  getTask: `SELECT ${TASK_COLUMNS} FROM tasks WHERE task_id = ?`,
  markRunning: `UPDATE tasks SET status = 'running', started_at = ? WHERE task_id = ? AND status = 'queued'`,
  updateProgress: `UPDATE tasks SET
        plan = CASE WHEN @set_plan THEN @plan ELSE plan END,
        metrics = CASE WHEN @set_metrics THEN @metrics ELSE metrics END
      WHERE task_id = @task_id AND ${OPEN}`,
  completeTask: `UPDATE tasks SET status = @status, completed_at = @completed_at,
        result = CASE WHEN @set_result THEN @result ELSE result END,
        error = CASE WHEN @set_error THEN @error ELSE error END,
        metrics = CASE WHEN @set_metrics THEN @metrics ELSE metrics END,
        plan = CASE WHEN @set_plan THEN @plan ELSE plan END
      WHERE task_id = @task_id AND ${OPEN}`,
  queuedTasks: `SELECT ${TASK_COLUMNS} FROM tasks WHERE status = 'queued' ORDER BY seq ASC`,
  saveStep: `INSERT INTO task_steps (task_id, step_number, step_type, tool, description, status,
        input, output, error, started_at, completed_at, duration_ms)
      VALUES (@task_id, @step_number, @step_type, @tool, @description, @status, @input, @output,
        @error, @started_at, @completed_at, @duration_ms)
      ON CONFLICT (task_id, step_number) DO UPDATE SET step_type = excluded.step_type,
        tool = excluded.tool, description = excluded.description, status = excluded.status,
        input = excluded.input, output = excluded.output, error = excluded.error,
        started_at = excluded.started_at, completed_at = excluded.completed_at,
        duration_ms = excluded.duration_ms`,
  getSteps: `SELECT step_number, step_type, tool, description, status, input, output, error,
        started_at, completed_at, duration_ms
      FROM task_steps WHERE task_id = ? ORDER BY step_number ASC`,
  appendEvent: `INSERT INTO task_events (task_id, seq, type, timestamp, data)
      VALUES (@task_id, @seq, @type, @timestamp, @data)`,
  getEvents: `SELECT task_id, seq, type, timestamp, data FROM task_events
      WHERE task_id = ? AND seq > ? ORDER BY seq ASC`,
  insertBatch: `INSERT INTO batches (batch_id, owner, mode, continue_on_error, task_ids,
        created_at, completed_at)
      VALUES (@batch_id, @owner, @mode, @continue_on_error, @task_ids, @created_at, @completed_at)`,
  getBatch: `SELECT batch_id, owner, mode, continue_on_error, task_ids, created_at, completed_at
      FROM batches WHERE batch_id = ?`,
  completeBatch: `UPDATE batches SET completed_at = ? WHERE batch_id = ? AND completed_at IS NULL`,
  runningIds: `SELECT task_id FROM tasks WHERE status = 'running' ORDER BY seq ASC`,
  interrupt: `UPDATE tasks SET status = 'failed', completed_at = @completed_at, error = @error
      WHERE task_id = @task_id AND status = 'running'`,
  lastEventSeq: `SELECT MAX(seq) AS seq FROM task_events WHERE task_id = ?`,
  purgeTasks: `DELETE FROM tasks WHERE completed_at < @before
      AND ${TERMINAL}`,
  purgeBatches: `DELETE FROM batches WHERE created_at < @before AND NOT EXISTS (
        SELECT 1 FROM json_each(batches.task_ids) AS j JOIN tasks AS t ON t.task_id = j.value)`,
  beginImmediate: 'BEGIN IMMEDIATE',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  // The counter makes every ping change the page: SQLite skips writing identical bytes,
  // and a write that writes nothing cannot detect a full or read-only disk.
  heartbeat: `INSERT INTO heartbeat (id, beats, at) VALUES (1, 1, ?)
      ON CONFLICT (id) DO UPDATE SET beats = beats + 1, at = excluded.at`,
} as const;

export type TaskStatements = { readonly [K in keyof typeof SQL]: PreparedStatement };

/** Prepares every statement once per connection. */
export function prepareTaskStatements(db: Database): TaskStatements {
  const entries = Object.entries(SQL).map(([name, sql]) => [name, db.prepare(sql)]);
  return Object.fromEntries(entries) as TaskStatements;
}
