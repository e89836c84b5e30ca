import { isTerminal } from '../../contracts/task.types';
import { BatchRecord, TaskRecord, TaskStore } from '../store/task-store';

/** The batch's tasks that have not ended, in the batch's order. */
export function openTasks(store: TaskStore, ids: string[]): TaskRecord[] {
  return ids
    .map((id) => store.getTask(id))
    .filter((t): t is TaskRecord => !!t && !isTerminal(t.status));
}

/** Whether every task of the batch has ended (a purged task counts as ended). */
export function allEnded(store: TaskStore, batch: BatchRecord): boolean {
  return batch.task_ids.every((id) => {
    const task = store.getTask(id);
    return !task || isTerminal(task.status);
  });
}

/**
 * Whether a queued task may be queued again at a restart: a sequential batch runs one task at a
 * time, so only its first unfinished task may.
 */
export function mayRunOnRecovery(store: TaskStore, task: TaskRecord): boolean {
  const batch = task.batch_id ? store.getBatch(task.batch_id) : undefined;
  if (!batch || batch.mode === 'parallel') return true;
  return openTasks(store, batch.task_ids)[0]?.task_id === task.task_id;
}
