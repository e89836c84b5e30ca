import { TERMINAL_STATUSES, TaskEventType, TaskStatus } from '../agent/task.types';

/** Event types after which a task's stream ends. */
export const TERMINAL_EVENT_TYPES: ReadonlySet<TaskEventType> = new Set([
  'task.completed',
  'task.failed',
  'task.cancelled',
  'task.timeout',
]);

export function isTerminalStatus(status: TaskStatus | string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}
