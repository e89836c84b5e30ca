import { Injectable } from '@nestjs/common';
import { CallerIdentity } from '../../contracts/caller-identity';
import { isTerminal, TaskRequest, TaskResponse } from '../../contracts/task.types';
import { TaskNotCancellableError } from '../../common/errors';
import { AppConfigService } from '../../config/app-config.service';
import { RunningTasks } from './running-tasks';
import { TaskCompletionService } from './task-completion.service';
import { TaskIntake } from './task-intake';
import { TaskListQuery, TaskQueriesService } from './task-queries.service';
import { TaskQueue } from './task-queue';
import { TaskSubmissionService } from './task-submission.service';
import { toTaskResponse } from './task-views';

/**
 * The task use cases the HTTP routes, the embedded library and the status page call: submit
 * (and wait), read, list, cancel. Each delegates to the service that owns the job.
 */
@Injectable()
export class TasksService {
  constructor(
    private readonly submission: TaskSubmissionService,
    private readonly queries: TaskQueriesService,
    private readonly completion: TaskCompletionService,
    private readonly queue: TaskQueue,
    private readonly running: RunningTasks,
    private readonly intake: TaskIntake,
    private readonly config: AppConfigService,
  ) {}

  get activeCount(): number {
    return this.running.size;
  }

  /** Tasks waiting to run, the submissions whose commit is pending included. */
  get queuedCount(): number {
    return this.queue.count;
  }

  /** False once shutdown began: no new work, waiting callers answered at once. */
  get acceptingWork(): boolean {
    return this.intake.accepting;
  }

  /**
   * POST /tasks: submit, then wait for the result up to service.sync_wait_seconds unless the
   * caller asked for an async answer. `done` says whether the task is terminal.
   */
  async submitAndWait(
    request: TaskRequest,
    caller: CallerIdentity,
    options: { idempotencyKey?: string; wait: boolean },
  ): Promise<{ task: TaskResponse; done: boolean; replayed: boolean }> {
    const { task, replayed } = await this.submission.submit(request, caller, {
      idempotencyKey: options.idempotencyKey,
    });
    // Still waiting in the queue: nothing about it changed since the answer above was built.
    if (!options.wait && !replayed && this.queue.has(task.task_id))
      return { task, done: false, replayed };
    const waitMs = options.wait ? this.config.get('service').sync_wait_seconds * 1000 : 0;
    const current = await this.queries.waitFor(task.task_id, waitMs);
    return { ...current, replayed };
  }

  get(taskId: string, caller: CallerIdentity): Promise<TaskResponse> {
    return this.queries.get(taskId, caller);
  }

  list(
    caller: CallerIdentity,
    query: TaskListQuery,
  ): Promise<{ tasks: TaskResponse[]; next_cursor: string | null }> {
    return this.queries.list(caller, query);
  }

  waitFor(taskId: string, ms: number): Promise<{ task: TaskResponse; done: boolean }> {
    return this.queries.waitFor(taskId, ms);
  }

  /** 404 unless the caller may see the task. */
  async assertVisible(taskId: string, caller: CallerIdentity): Promise<{ terminal: boolean }> {
    return { terminal: isTerminal((await this.queries.visible(taskId, caller)).status) };
  }

  /** See {@link TaskCompletionService.terminalsDurable}. */
  terminalsDurable(): Promise<void> | undefined {
    return this.completion.terminalsDurable();
  }

  /** Cancels a queued or running task: one terminal `cancelled`, processes killed, model call aborted. */
  async cancel(
    taskId: string,
    caller: CallerIdentity,
    reason = 'Cancelled by request.',
  ): Promise<TaskResponse> {
    const record = await this.queries.visible(taskId, caller);
    if (isTerminal(record.status)) throw new TaskNotCancellableError(taskId, record.status);
    const applied = await this.completion.finish(record, {
      status: 'cancelled',
      error: { code: 'TASK_CANCELLED', message: reason, details: null },
    });
    const ending = this.completion.pendingEnd(taskId);
    if (!applied) {
      const status = ending?.status ?? (await this.queries.status(taskId));
      throw new TaskNotCancellableError(taskId, status ?? 'finished');
    }
    // The end as decided (a store that cannot write shows it only once it lands).
    return ending
      ? toTaskResponse(ending, await this.queries.steps(taskId))
      : this.get(taskId, caller);
  }
}
