import type { TaskError, TaskEvent } from '../../contracts/task.types';

/** The error every driver records for a task cut short by a restart (docs/api.md, Lifecycle and guarantees). */
export function taskInterruptedError(): TaskError {
  return {
    code: 'TASK_INTERRUPTED',
    message:
      'The service restarted while the task was running; it was not re-run because half-done tool calls are not safe to repeat.',
    details: null,
  };
}

/** The terminal event appended for an interrupted task, after its last recorded event. */
export function taskInterruptedEvent(taskId: string, seq: number, now: string): TaskEvent {
  return {
    task_id: taskId,
    seq,
    type: 'task.failed',
    timestamp: now,
    data: { status: 'failed', error: taskInterruptedError() },
  };
}

/** An event with this task's seq is already stored (a caller bug, or a retried write that landed). */
export class DuplicateEventError extends Error {
  constructor(event: TaskEvent) {
    super(`Event ${event.seq} of task ${event.task_id} is already recorded.`);
    this.name = 'DuplicateEventError';
  }
}

/** Event seqs are assigned by the caller and unique per task; a repeat is a caller bug. */
export function duplicateEvent(event: TaskEvent): Error {
  return new DuplicateEventError(event);
}
