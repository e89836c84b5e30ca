import type { TaskRequest, TaskResponse } from '../contracts/task.types';
import type { TaskRunnerClient } from '../client/task-runner.client';
import { EXIT } from './exit-codes';
import type { TaskOutputFormatter } from './output/task-output.formatter';
import type { TaskProgressRenderer } from './output/task-progress.renderer';

export interface TaskExecutionHooks {
  progress: TaskProgressRenderer;
  output: TaskOutputFormatter;
  /** Registers this run's Ctrl-C handler; returns the function that removes it. */
  onInterrupt(handler: () => void): () => void;
  /** A second Ctrl-C while the cancel is still in progress. */
  exitNow(code: number): void;
}

export interface TaskExecution {
  task: TaskResponse;
  /** Ctrl-C was pressed during the run (the task was cancelled). */
  interrupted: boolean;
}

/**
 * Submits a task, follows its events (progress on stderr, verbose steps on stdout) and returns
 * its terminal state. Ctrl-C cancels the task for real (model call aborted, processes killed);
 * a second Ctrl-C leaves at once.
 */
export async function executeWithProgress(
  client: TaskRunnerClient,
  request: TaskRequest,
  hooks: TaskExecutionHooks,
): Promise<TaskExecution> {
  let interrupts = 0;
  let taskId: string | undefined;
  const cancel = () => {
    if (taskId) client.cancelTask(taskId).catch(() => undefined);
  };
  const dispose = hooks.onInterrupt(() => {
    interrupts += 1;
    if (interrupts > 1) return hooks.exitNow(EXIT.INTERRUPTED);
    hooks.progress.note(
      'Interrupted: cancelling the task and stopping its processes (Ctrl-C again to quit at once)',
    );
    cancel();
  });
  try {
    const submitted = await client.submitTask(request);
    taskId = submitted.task_id;
    if (interrupts) cancel();
    for await (const event of client.streamTaskEvents(taskId)) {
      hooks.progress.onEvent(event);
      hooks.output.onEvent(event);
    }
    const task = await client.getTaskStatus(taskId);
    hooks.progress.finish(task);
    return { task, interrupted: interrupts > 0 };
  } finally {
    dispose();
    hooks.progress.dispose();
  }
}
