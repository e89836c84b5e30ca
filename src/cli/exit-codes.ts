import type { TaskResponse } from '../contracts/task.types';
import { AgentRunnerError } from '../common/errors';
import { ConfigValidationError } from '../config/config.validation';
import { CliUsageError } from './cli-usage.error';

/** The exit codes of docs/cli.md, Exit codes. */
export const EXIT = {
  /** The task completed and met its goal (or the command did what it was asked). */
  OK: 0,
  /** The task failed, timed out, or completed without meeting its goal; or the command failed. */
  FAILED: 1,
  /** Bad usage or configuration. */
  USAGE: 2,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;

/** 0 only when the task completed with `result.success` true (see docs/cli.md). */
export function exitCodeForTask(task: TaskResponse, interrupted: boolean): number {
  if (interrupted && task.status === 'cancelled') return EXIT.INTERRUPTED;
  return taskSucceeded(task) ? EXIT.OK : EXIT.FAILED;
}

/** Completed, and the agent reports the goal met. */
export function taskSucceeded(task: TaskResponse): boolean {
  return task.status === 'completed' && task.result?.success === true;
}

/** Errors that mean "the input or the configuration is wrong", not "the work failed". */
export function exitCodeForError(error: unknown): number {
  if (error instanceof CliUsageError || error instanceof ConfigValidationError) return EXIT.USAGE;
  if (error instanceof AgentRunnerError && error.code === 'INVALID_REQUEST') return EXIT.USAGE;
  if ((error as Error)?.name === 'UnsafeBindError') return EXIT.USAGE;
  return EXIT.FAILED;
}
