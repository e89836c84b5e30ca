import { isTerminal } from '../../contracts/task.types';
import { BatchRecord, TaskRecord, TaskStore } from '../store/task-store';

/** The batch's tasks that have not ended, in the batch's order. */
export async function openTasks(store: TaskStore, ids: string[]): Promise<TaskRecord[]> {
  const tasks = await Promise.all(ids.map((id) => store.getTask(id)));
  return tasks.filter((t): t is TaskRecord => !!t && !isTerminal(t.status));
}

/** Whether every task of the batch has ended (a purged task counts as ended). */
export async function allEnded(store: TaskStore, batch: BatchRecord): Promise<boolean> {
  return (await openTasks(store, batch.task_ids)).length === 0;
}

/**
 * Whether a queued task may be queued again at a restart: a sequential batch runs one task at a
 * time, so only its first unfinished task may.
 */
export async function mayRunOnRecovery(store: TaskStore, task: TaskRecord): Promise<boolean> {
  const batch = task.batch_id ? await store.getBatch(task.batch_id) : undefined;
  if (!batch || batch.mode === 'parallel') return true;
  return (await openTasks(store, batch.task_ids))[0]?.task_id === task.task_id;
}
