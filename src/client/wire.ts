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

/**
 * The value as it would cross the wire (JSON round trip): undefined keys dropped, class
 * instances made plain. In-process answers go through it so both transports return equal data.
 */
export function toWire<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
