import type { TaskEvent, TaskStep } from '../../contracts/task.types';
import { emptyMetrics } from '../tasks/task-views';
import type { BatchRecord, TaskRecord } from './task-store';

/** Test data builders for store records (used by the store specs and by specs of its callers). */
export { emptyMetrics };

export function makeTaskRecord(overrides: Partial<TaskRecord> = {}): TaskRecord {
  const taskId = overrides.task_id ?? 'task-1';
  const text = overrides.task ?? `Do the thing for ${taskId}`;
  return {
    task_id: taskId,
    owner: 'alice',
    status: 'queued',
    priority: 'normal',
    task: text,
    request: { task: text, context: { tools: ['read_file'], environment: { MODE: 'x' } } },
    request_hash: `hash-${taskId}`,
    metadata: { ticket: 42, tags: ['a', 'b'] },
    batch_id: null,
    created_at: '2025-01-01T00:00:00.000Z',
    started_at: null,
    completed_at: null,
    result: null,
    plan: null,
    error: null,
    metrics: emptyMetrics(),
    ...overrides,
  };
}

export function makeStep(stepNumber: number, overrides: Partial<TaskStep> = {}): TaskStep {
  return {
    step_number: stepNumber,
    step_type: 'tool',
    tool: 'read_file',
    description: `step ${stepNumber}`,
    status: 'running',
    input: { path: 'README.md' },
    output: null,
    error: null,
    started_at: '2025-01-01T00:00:01.000Z',
    completed_at: null,
    duration_ms: null,
    ...overrides,
  };
}

export function makeEvent(
  taskId: string,
  seq: number,
  overrides: Partial<TaskEvent> = {},
): TaskEvent {
  return {
    task_id: taskId,
    seq,
    type: 'step.started',
    timestamp: '2025-01-01T00:00:01.000Z',
    data: { step_number: seq },
    ...overrides,
  };
}

export function makeBatch(overrides: Partial<BatchRecord> = {}): BatchRecord {
  return {
    batch_id: 'batch-1',
    owner: 'alice',
    mode: 'parallel',
    continue_on_error: false,
    task_ids: [],
    created_at: '2025-01-01T00:00:00.000Z',
    completed_at: null,
    ...overrides,
  };
}
