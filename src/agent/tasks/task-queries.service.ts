import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity, canAccess } from '../../contracts/caller-identity';
import {
  isTerminal,
  TaskPriority,
  TaskResponse,
  TaskStatus,
  TaskStep,
} from '../../contracts/task.types';
import { TaskNotFoundError } from '../../common/errors';
import { TASK_STORE, TaskRecord, TaskStore } from '../store/task-store';
import { KeyedWaiters } from './keyed-waiters';
import { TaskCompletionService } from './task-completion.service';
import { TaskIntake } from './task-intake';
import { toTaskResponse } from './task-views';

export interface TaskListQuery {
  status?: TaskStatus;
  priority?: TaskPriority;
  limit?: number;
  cursor?: string;
}

/**
 * Reads tasks as a caller may see them (another owner's task is 404, as if it did not exist),
 * and waits for a task's end.
 */
@Injectable()
export class TaskQueriesService {
  private readonly waiters = new KeyedWaiters();

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly completion: TaskCompletionService,
    private readonly intake: TaskIntake,
  ) {
    // Woken once the end has landed and its event is published.
    completion.onTerminal((record, landed) => {
      void landed.then(() => this.waiters.wake(record.task_id));
    });
    // Shutdown: whoever waits is answered at once (a 202 with Location).
    intake.onClose(() => this.waiters.wakeAll());
  }

  /** The record, if this caller may see it; otherwise TaskNotFoundError. */
  async visible(taskId: string, caller: CallerIdentity): Promise<TaskRecord> {
    const record = await this.store.getTask(taskId);
    if (!record || !canAccess(caller, record.owner)) throw new TaskNotFoundError(taskId);
    return record;
  }

  /** The stored status, whoever owns the task (undefined once it is gone). */
  async status(taskId: string): Promise<TaskStatus | undefined> {
    return (await this.store.getTask(taskId))?.status;
  }

  steps(taskId: string): Promise<TaskStep[]> {
    return this.store.getSteps(taskId);
  }

  async get(taskId: string, caller: CallerIdentity): Promise<TaskResponse> {
    const record = await this.visible(taskId, caller);
    return toTaskResponse(record, await this.store.getSteps(taskId));
  }

  async list(
    caller: CallerIdentity,
    query: TaskListQuery,
  ): Promise<{ tasks: TaskResponse[]; next_cursor: string | null }> {
    const page = await this.store.listTasks({
      ...(caller.role === 'admin' ? {} : { owner: caller.name }),
      status: query.status,
      priority: query.priority,
      limit: query.limit ?? 20,
      cursor: query.cursor,
    });
    return { tasks: page.items.map((r) => toTaskResponse(r, null)), next_cursor: page.next_cursor };
  }

  /** Resolves when the task is terminal or `ms` has passed; returns its current state. */
  async waitFor(taskId: string, ms: number): Promise<{ task: TaskResponse; done: boolean }> {
    let record = await this.store.getTask(taskId);
    if (!record) throw new TaskNotFoundError(taskId);
    // Once shutdown began, callers are answered at once (a 202 with Location).
    if (!isTerminal(record.status) && ms > 0 && this.intake.accepting) {
      // Asked again once the waiter is registered: it may have ended since the read above.
      await this.waiters.wait(taskId, ms, async () =>
        isTerminal((await this.store.getTask(taskId))?.status ?? 'completed'),
      );
      record = (await this.store.getTask(taskId)) ?? record;
    }
    // An end not yet committed is not an answer yet.
    if (isTerminal(record.status)) await this.completion.terminalsDurable();
    return {
      task: toTaskResponse(record, await this.store.getSteps(taskId)),
      done: isTerminal(record.status),
    };
  }
}
