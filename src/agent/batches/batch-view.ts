import { isTerminal } from '../../contracts/task.types';
import { BatchRecord, TaskRecord, TaskStore } from '../store/task-store';
import { toTaskResponse } from '../tasks/task-views';
import type { BatchResponse } from './task-batch.service';

/** The batch as the API shows it: its tasks with their steps, and its figures. */
export async function batchView(store: TaskStore, batch: BatchRecord): Promise<BatchResponse> {
  const found = await Promise.all(batch.task_ids.map((id) => store.getTask(id)));
  const tasks = found.filter((t): t is TaskRecord => !!t);
  const steps = await Promise.all(tasks.map((t) => store.getSteps(t.task_id)));
  const terminal = tasks.filter((t) => isTerminal(t.status));
  const ends = terminal.map((t) => Date.parse(t.completed_at!));
  const done = terminal.length === tasks.length;
  const end = done && ends.length ? Math.max(...ends) : Date.now();
  return {
    batch_id: batch.batch_id,
    status: done ? 'completed' : 'running',
    mode: batch.mode,
    continue_on_error: batch.continue_on_error,
    owner: batch.owner,
    created_at: batch.created_at,
    completed_at: batch.completed_at,
    results: tasks.map((t, i) => toTaskResponse(t, steps[i])),
    statistics: {
      total_tasks: tasks.length,
      successful_tasks: tasks.filter((t) => t.status === 'completed').length,
      failed_tasks: tasks.filter((t) => t.status === 'failed' || t.status === 'timeout').length,
      cancelled_tasks: tasks.filter((t) => t.status === 'cancelled').length,
      total_time_ms: end - Date.parse(batch.created_at),
      average_time_ms: terminal.length
        ? Math.round(terminal.reduce((s, t) => s + t.metrics.total_time_ms, 0) / terminal.length)
        : 0,
    },
  };
}
