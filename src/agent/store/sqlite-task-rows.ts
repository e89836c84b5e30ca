import type { TaskEvent, TaskStep } from '../../contracts/task.types';
import type { BatchRecord, TaskRecord } from './task-store';

/** A `tasks` row as SQLite returns it (JSON columns still text). */
export interface TaskRow {
  seq: number;
  task_id: string;
  owner: string | null;
  status: string;
  priority: string;
  task: string;
  request: string;
  request_hash: string;
  metadata: string;
  batch_id: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  result: string | null;
  plan: string | null;
  error: string | null;
  metrics: string;
}

export interface StepRow {
  step_number: number;
  step_type: string;
  tool: string | null;
  description: string;
  status: string;
  input: string;
  output: string | null;
  error: string | null;
  started_at: string;
  completed_at: string | null;
  duration_ms: number | null;
}

export interface EventRow {
  task_id: string;
  seq: number;
  type: string;
  timestamp: string;
  data: string;
}

export interface BatchRow {
  batch_id: string;
  owner: string | null;
  mode: string;
  continue_on_error: number;
  task_ids: string;
  created_at: string;
  completed_at: string | null;
}

export const TASK_COLUMNS =
  'seq, task_id, owner, status, priority, task, request, request_hash, metadata, batch_id, created_at, started_at, completed_at, result, plan, error, metrics';

const json = (value: unknown): string | null => (value == null ? null : JSON.stringify(value));
const parse = <T>(text: string | null): T | null => (text == null ? null : (JSON.parse(text) as T));

/** Named parameters for inserting a task. */
export function taskParams(t: TaskRecord) {
  return {
    task_id: t.task_id,
    owner: t.owner,
    status: t.status,
    priority: t.priority,
    task: t.task,
    request: JSON.stringify(t.request),
    request_hash: t.request_hash,
    metadata: JSON.stringify(t.metadata ?? {}),
    batch_id: t.batch_id,
    created_at: t.created_at,
    started_at: t.started_at,
    completed_at: t.completed_at,
    result: json(t.result),
    plan: json(t.plan),
    error: json(t.error),
    metrics: JSON.stringify(t.metrics),
  };
}

export function taskFromRow(r: TaskRow): TaskRecord {
  return {
    task_id: r.task_id,
    owner: r.owner,
    status: r.status as TaskRecord['status'],
    priority: r.priority as TaskRecord['priority'],
    task: r.task,
    request: JSON.parse(r.request) as TaskRecord['request'],
    request_hash: r.request_hash,
    metadata: JSON.parse(r.metadata) as TaskRecord['metadata'],
    batch_id: r.batch_id,
    created_at: r.created_at,
    started_at: r.started_at,
    completed_at: r.completed_at,
    result: parse(r.result),
    plan: parse(r.plan),
    error: parse(r.error),
    metrics: JSON.parse(r.metrics) as TaskRecord['metrics'],
  };
}

export function stepParams(taskId: string, s: TaskStep) {
  return {
    task_id: taskId,
    step_number: s.step_number,
    step_type: s.step_type,
    tool: s.tool,
    description: s.description,
    status: s.status,
    input: JSON.stringify(s.input ?? {}),
    output: s.output,
    error: s.error,
    started_at: s.started_at,
    completed_at: s.completed_at,
    duration_ms: s.duration_ms,
  };
}

export function stepFromRow(r: StepRow): TaskStep {
  return {
    step_number: r.step_number,
    step_type: r.step_type as TaskStep['step_type'],
    tool: r.tool,
    description: r.description,
    status: r.status as TaskStep['status'],
    input: JSON.parse(r.input) as TaskStep['input'],
    output: r.output,
    error: r.error,
    started_at: r.started_at,
    completed_at: r.completed_at,
    duration_ms: r.duration_ms,
  };
}

export function eventParams(e: TaskEvent) {
  return {
    task_id: e.task_id,
    seq: e.seq,
    type: e.type,
    timestamp: e.timestamp,
    data: JSON.stringify(e.data ?? {}),
  };
}

export function eventFromRow(r: EventRow): TaskEvent {
  return {
    task_id: r.task_id,
    seq: r.seq,
    type: r.type as TaskEvent['type'],
    timestamp: r.timestamp,
    data: JSON.parse(r.data) as TaskEvent['data'],
  };
}

export function batchParams(b: BatchRecord) {
  return {
    batch_id: b.batch_id,
    owner: b.owner,
    mode: b.mode,
    continue_on_error: b.continue_on_error ? 1 : 0,
    task_ids: JSON.stringify(b.task_ids),
    created_at: b.created_at,
    completed_at: b.completed_at,
  };
}

export function batchFromRow(r: BatchRow): BatchRecord {
  return {
    batch_id: r.batch_id,
    owner: r.owner,
    mode: r.mode as BatchRecord['mode'],
    continue_on_error: r.continue_on_error === 1,
    task_ids: JSON.parse(r.task_ids) as string[],
    created_at: r.created_at,
    completed_at: r.completed_at,
  };
}
