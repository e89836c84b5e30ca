import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';

import { CallerIdentity, canAccess } from '../auth/caller-identity';
import {
  BatchNotFoundError,
  InvalidRequestError,
  QueueFullError,
  StoreUnavailableError,
  TaskAlreadyExistsError,
} from '../common/errors';
import { AppConfigService } from '../config/app-config.service';
import { StateChangeWriter } from './store/state-change-writer';
import { STORE_RETRY_AFTER_SECONDS } from './store/store-health.service';
import { isStoreUnavailable } from './store/store-write-error';
import { BatchRecord, TASK_STORE, TaskRecord, TaskStore } from './store/task-store';
import { TaskRequestChecker } from './task-request.checker';
import { isTerminal, SubmitResult, TaskRunnerService } from './task-runner.service';
import { toTaskResponse } from './task-views';
import { TaskRequest, TaskResponse } from './task.types';
import { uuidv7 } from '../common/uuid7';

export interface BatchRequest {
  tasks: TaskRequest[];
  mode?: 'parallel' | 'sequential';
  continue_on_error?: boolean;
}

export interface BatchResponse {
  batch_id: string;
  status: 'running' | 'completed';
  mode: 'parallel' | 'sequential';
  continue_on_error: boolean;
  owner: string | null;
  created_at: string;
  completed_at: string | null;
  results: TaskResponse[];
  statistics: {
    total_tasks: number;
    successful_tasks: number;
    failed_tasks: number;
    cancelled_tasks: number;
    total_time_ms: number;
    average_time_ms: number;
  };
}

/**
 * Batches (SPEC 2): `parallel` queues every task under the same concurrency limit as single
 * tasks; `sequential` runs them in order and, without continue_on_error, records the tasks after
 * a failure as cancelled with BATCH_ABORTED (never dropped).
 */
@Injectable()
export class TaskBatchService implements OnModuleDestroy {
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly runner: TaskRunnerService,
    private readonly config: AppConfigService,
    private readonly checker: TaskRequestChecker,
    private readonly stateChanges: StateChangeWriter,
  ) {
    runner.onTerminal.push((record) => this.onTaskTerminal(record));
    runner.enqueueOnRecovery = (task) => this.mayRunOnRecovery(task);
  }

  /**
   * Checks every task, stores them and the batch, and queues them once that commit is durable:
   * a commit that fails answers 503 STORE_UNAVAILABLE and no task of the batch runs.
   */
  async submit(request: BatchRequest, caller: CallerIdentity): Promise<BatchResponse> {
    const mode = request.mode ?? 'parallel';
    const ids = request.tasks.map((t) => t.task_id).filter((id): id is string => id !== undefined);
    if (new Set(ids).size !== ids.length)
      throw new InvalidRequestError('task_id values in a batch must be unique.');
    for (const id of ids) if (this.store.getTask(id)) throw new TaskAlreadyExistsError(id);
    // Check every task before creating any, so one bad task rejects the whole batch cleanly.
    request.tasks.forEach((t) => this.checker.check(t));
    const limit = this.config.get('service').max_queued_tasks;
    if (this.runner.queuedCount + request.tasks.length > limit) throw new QueueFullError(5, limit);

    const batch: BatchRecord = {
      batch_id: uuidv7(),
      owner: caller.name,
      mode,
      continue_on_error: request.continue_on_error ?? false,
      task_ids: [],
      created_at: new Date().toISOString(),
      completed_at: null,
    };
    const submitted: SubmitResult[] = [];
    try {
      for (const t of request.tasks)
        submitted.push(this.runner.record(t, caller, { batchId: batch.batch_id }));
      batch.task_ids = submitted.map((s) => s.task.task_id);
      this.store.insertBatch(batch);
    } catch (err) {
      // Settle what was recorded; a store that cannot write rolled the turn back, so it refuses all.
      await this.runner.acknowledge(submitted).catch(() => undefined);
      if (isStoreUnavailable(err)) throw new StoreUnavailableError(STORE_RETRY_AFTER_SECONDS);
      throw err;
    }
    await this.runner.acknowledge(submitted);
    const accepted = submitted.map((s) => s.task);
    if (mode === 'parallel') for (const t of accepted) this.runner.enqueue(t.task_id, t.priority);
    else this.runner.enqueue(accepted[0].task_id, accepted[0].priority);
    return this.view(batch);
  }

  /** POST /tasks/batch: submit, then wait up to service.sync_wait_seconds unless `wait` is false. */
  async submitAndWait(
    request: BatchRequest,
    caller: CallerIdentity,
    wait: boolean,
  ): Promise<BatchResponse> {
    const accepted = await this.submit(request, caller);
    return this.waitFor(
      accepted.batch_id,
      wait ? this.config.get('service').sync_wait_seconds * 1000 : 0,
    );
  }

  get(batchId: string, caller: CallerIdentity): BatchResponse {
    const batch = this.store.getBatch(batchId);
    if (!batch || !canAccess(caller, batch.owner)) throw new BatchNotFoundError(batchId);
    return this.view(batch);
  }

  /** Resolves when every task of the batch is terminal or `ms` has passed. */
  async waitFor(batchId: string, ms: number): Promise<BatchResponse> {
    const batch = this.store.getBatch(batchId);
    if (!batch) throw new BatchNotFoundError(batchId);
    // Once shutdown began, callers are answered at once (a 202 with Location).
    if (!batch.completed_at && ms > 0 && this.runner.acceptingWork) {
      await new Promise<void>((resolve) => {
        let set = this.waiters.get(batchId);
        if (!set) this.waiters.set(batchId, (set = new Set()));
        const done = () => {
          clearTimeout(timer);
          set.delete(done);
          if (!set.size) this.waiters.delete(batchId);
          resolve();
        };
        const timer = setTimeout(done, ms);
        set.add(done);
        if (this.store.getBatch(batchId)?.completed_at) done();
      });
    }
    return this.view(this.store.getBatch(batchId)!);
  }

  private onTaskTerminal(record: TaskRecord): void {
    if (!record.batch_id) return;
    // Our own aborts re-enter here; the task that failed has already decided the rest.
    if (record.error?.code === 'BATCH_ABORTED') return this.completeIfDone(record.batch_id);
    const batch = this.store.getBatch(record.batch_id);
    if (!batch) return;
    if (batch.mode === 'sequential') {
      const open = (id: string) => {
        const t = this.store.getTask(id);
        return t && !isTerminal(t.status) ? t : undefined;
      };
      const idx = batch.task_ids.indexOf(record.task_id);
      const later = batch.task_ids
        .slice(idx + 1)
        .map(open)
        .filter((t): t is TaskRecord => !!t);
      if (record.status !== 'completed' && !batch.continue_on_error) {
        for (const t of later) {
          this.runner.abortQueued(t.task_id, {
            code: 'BATCH_ABORTED',
            message: `Not run: task ${record.task_id} of this sequential batch ended ${record.status}.`,
            details: { failed_task_id: record.task_id },
          });
        }
      } else if (later.length && !batch.task_ids.slice(0, idx).some((id) => open(id))) {
        // Only when nothing before it is still open: a sequential batch runs one task at a time.
        this.runner.enqueue(later[0].task_id, later[0].priority);
      }
    }
    this.completeIfDone(batch.batch_id);
  }

  private completeIfDone(batchId: string): void {
    const batch = this.store.getBatch(batchId);
    if (!batch) return;
    const all = batch.task_ids.map((id) => this.store.getTask(id));
    if (
      all.every((t) => !t || isTerminal(t.status)) &&
      !this.store.getBatch(batch.batch_id)?.completed_at
    ) {
      const completedAt = new Date().toISOString();
      this.stateChanges.write(`batch:${batch.batch_id}`, () =>
        this.store.completeBatch(batch.batch_id, completedAt),
      );
      for (const wake of [...(this.waiters.get(batch.batch_id) ?? [])]) wake();
    }
  }

  /** Shutdown begins: callers waiting for a batch get their 202 at once. */
  onModuleDestroy(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }

  /** After a restart, a sequential batch resumes with its first unfinished task only. */
  private mayRunOnRecovery(task: TaskRecord): boolean {
    const batch = task.batch_id ? this.store.getBatch(task.batch_id) : undefined;
    if (!batch || batch.mode === 'parallel') return true;
    const firstOpen = batch.task_ids.find((id) => {
      const t = this.store.getTask(id);
      return t && !isTerminal(t.status);
    });
    return firstOpen === task.task_id;
  }

  private view(batch: BatchRecord): BatchResponse {
    const tasks = batch.task_ids
      .map((id) => this.store.getTask(id))
      .filter((t): t is TaskRecord => !!t);
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
      results: tasks.map((t) => toTaskResponse(t, this.store.getSteps(t.task_id))),
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
}
