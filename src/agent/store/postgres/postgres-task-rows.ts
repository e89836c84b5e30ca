import type { TaskEvent, TaskStep } from '../../../contracts/task.types';
import type { BatchRecord, TaskRecord } from '../task-store';

/**
 * Rows as node-postgres returns them: `json` columns already parsed, `seq` (BIGINT) as a string.
 * Values go in as JSON text (never as JS objects: node-postgres would turn arrays into
 * PostgreSQL arrays), so what comes back is a fresh copy of exactly what went in.
 */
export interface PgTaskRow {
  seq: string;
  task_id: string;
  owner: string | null;
  status: TaskRecord['status'];
  priority: TaskRecord['priority'];
  task: string;
  request: TaskRecord['request'];
  request_hash: string;
  metadata: TaskRecord['metadata'];
  batch_id: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  result: TaskRecord['result'];
  plan: TaskRecord['plan'];
  error: TaskRecord['error'];
  metrics: TaskRecord['metrics'];
}

export type PgStepRow = TaskStep;

export interface PgEventRow {
  task_id: string;
  seq: number;
  type: TaskEvent['type'];
  timestamp: string;
  data: TaskEvent['data'];
}

export type PgBatchRow = BatchRecord;

export const PG_TASK_COLUMNS =
  'seq, task_id, owner, status, priority, task, request, request_hash, metadata, batch_id, created_at, started_at, completed_at, result, plan, error, metrics';

/** JSON text of a value; SQL NULL for null and undefined. */
export const json = (value: unknown): string | null =>
  value == null ? null : JSON.stringify(value);

/** Positional parameters of the task insert ($1..$16, in PG_TASK_COLUMNS order without seq). */
export function taskValues(t: TaskRecord): unknown[] {
  return [
    t.task_id,
    t.owner,
    t.status,
    t.priority,
    JSON.stringify(t.task),
    JSON.stringify(t.request),
    t.request_hash,
    JSON.stringify(t.metadata ?? {}),
    t.batch_id,
    t.created_at,
    t.started_at,
    t.completed_at,
    json(t.result),
    json(t.plan),
    json(t.error),
    JSON.stringify(t.metrics),
  ];
}

export function taskFromPgRow(r: PgTaskRow): TaskRecord {
  return {
    task_id: r.task_id,
    owner: r.owner,
    status: r.status,
    priority: r.priority,
    task: r.task,
    request: r.request,
    request_hash: r.request_hash,
    metadata: r.metadata,
    batch_id: r.batch_id,
    created_at: r.created_at,
    started_at: r.started_at,
    completed_at: r.completed_at,
    result: r.result,
    plan: r.plan,
    error: r.error,
    metrics: r.metrics,
  };
}

/** Positional parameters of the step upsert ($1..$12). */
export function stepValues(taskId: string, s: TaskStep): unknown[] {
  return [
    taskId,
    s.step_number,
    s.step_type,
    json(s.tool),
    JSON.stringify(s.description),
    s.status,
    JSON.stringify(s.input ?? {}),
    json(s.output),
    json(s.error),
    s.started_at,
    s.completed_at,
    s.duration_ms,
  ];
}

/** Positional parameters of the event insert ($1..$5). */
export function eventValues(e: TaskEvent): unknown[] {
  return [e.task_id, e.seq, e.type, e.timestamp, JSON.stringify(e.data ?? {})];
}

/** Positional parameters of the batch insert ($1..$7). */
export function batchValues(b: BatchRecord): unknown[] {
  return [
    b.batch_id,
    b.owner,
    b.mode,
    b.continue_on_error,
    JSON.stringify(b.task_ids),
    b.created_at,
    b.completed_at,
  ];
}
