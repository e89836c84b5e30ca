import { Inject, Injectable, Logger } from '@nestjs/common';
import { CallerIdentity, canAccess } from '../../contracts/caller-identity';
import { TaskRequest, TaskResponse } from '../../contracts/task.types';
import {
  BatchNotFoundError,
  InvalidRequestError,
  QueueFullError,
  StoreUnavailableError,
  TaskAlreadyExistsError,
} from '../../common/errors';
import { uuidv7 } from '../../common/uuid7';
import { AppConfigService } from '../../config/app-config.service';
import { StateChangeWriter } from '../store/state-change-writer';
import { STORE_RETRY_AFTER_SECONDS } from '../store/store-health.service';
import { isStoreUnavailable } from '../store/store-write-error';
import { BatchRecord, TASK_STORE, TaskRecord, TaskStore } from '../store/task-store';
import { KeyedWaiters } from '../tasks/keyed-waiters';
import { TaskCompletionService } from '../tasks/task-completion.service';
import { TaskDispatcherService } from '../tasks/task-dispatcher.service';
import { TaskIntake } from '../tasks/task-intake';
import { TaskQueue } from '../tasks/task-queue';
import { TaskRequestChecker } from '../tasks/task-request.checker';
import { SubmitResult, TaskSubmissionService } from '../tasks/task-submission.service';
import { allEnded, openTasks } from './batch-order';
import { batchView } from './batch-view';

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
 * Batches (docs/api.md, Batches): `parallel` queues every task under the same concurrency limit as single
 * tasks; `sequential` runs them in order and, without continue_on_error, records the tasks after
 * a failure as cancelled with BATCH_ABORTED (never dropped).
 */
@Injectable()
export class TaskBatchService {
  private readonly logger = new Logger(TaskBatchService.name);
  private readonly waiters = new KeyedWaiters();

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly submission: TaskSubmissionService,
    private readonly dispatcher: TaskDispatcherService,
    private readonly completion: TaskCompletionService,
    private readonly queue: TaskQueue,
    private readonly intake: TaskIntake,
    private readonly config: AppConfigService,
    private readonly checker: TaskRequestChecker,
    private readonly stateChanges: StateChangeWriter,
  ) {
    // Each end of a batch's task decides what the batch does next (as it is decided).
    completion.onTerminal((record) => {
      this.onTaskTerminal(record).catch((err: unknown) =>
        this.logger.error(
          `batch step after task ${record.task_id} failed: ${(err as Error).message}`,
        ),
      );
    });
    // Shutdown: whoever waits for a batch gets a 202 at once.
    intake.onClose(() => this.waiters.wakeAll());
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
    for (const id of ids) if (await this.store.getTask(id)) throw new TaskAlreadyExistsError(id);
    // Check every task before creating any, so one bad task rejects the whole batch cleanly.
    request.tasks.forEach((t) => this.checker.check(t));
    const limit = this.config.get('service').max_queued_tasks;
    if (this.queue.count + request.tasks.length > limit) throw new QueueFullError(5, limit);

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
        submitted.push(await this.submission.record(t, caller, { batchId: batch.batch_id }));
      batch.task_ids = submitted.map((s) => s.task.task_id);
      await this.store.insertBatch(batch);
    } catch (err) {
      // Settle what was recorded; a store that cannot write rolled the turn back, so it refuses all.
      await this.submission.acknowledge(submitted).catch(() => undefined);
      if (isStoreUnavailable(err)) throw new StoreUnavailableError(STORE_RETRY_AFTER_SECONDS);
      throw err;
    }
    await this.submission.acknowledge(submitted);
    const accepted = submitted.map((s) => s.task);
    if (mode === 'parallel')
      for (const t of accepted) this.dispatcher.enqueue(t.task_id, t.priority);
    else this.dispatcher.enqueue(accepted[0].task_id, accepted[0].priority);
    return batchView(this.store, batch);
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

  async get(batchId: string, caller: CallerIdentity): Promise<BatchResponse> {
    const batch = await this.store.getBatch(batchId);
    if (!batch || !canAccess(caller, batch.owner)) throw new BatchNotFoundError(batchId);
    return batchView(this.store, batch);
  }

  /** Resolves when every task of the batch is terminal or `ms` has passed. */
  async waitFor(batchId: string, ms: number): Promise<BatchResponse> {
    const batch = await this.store.getBatch(batchId);
    if (!batch) throw new BatchNotFoundError(batchId);
    // Once shutdown began, callers are answered at once (a 202 with Location).
    if (!batch.completed_at && ms > 0 && this.intake.accepting) {
      await this.waiters.wait(
        batchId,
        ms,
        async () => !!(await this.store.getBatch(batchId))?.completed_at,
      );
    }
    return batchView(this.store, (await this.store.getBatch(batchId)) ?? batch);
  }

  private async onTaskTerminal(record: TaskRecord): Promise<void> {
    if (!record.batch_id) return;
    // Our own aborts re-enter here; the task that failed has already decided the rest.
    if (record.error?.code === 'BATCH_ABORTED') return this.completeIfDone(record.batch_id);
    const batch = await this.store.getBatch(record.batch_id);
    if (!batch) return;
    if (batch.mode === 'sequential') await this.next(batch, record);
    await this.completeIfDone(batch.batch_id);
  }

  /**
   * A task of a sequential batch ended: after a failure (without continue_on_error) the tasks
   * after it are recorded cancelled with BATCH_ABORTED, never dropped; otherwise the next runs.
   */
  private async next(batch: BatchRecord, ended: TaskRecord): Promise<void> {
    const idx = batch.task_ids.indexOf(ended.task_id);
    const later = await openTasks(this.store, batch.task_ids.slice(idx + 1));
    if (ended.status !== 'completed' && !batch.continue_on_error) {
      for (const t of later) {
        await this.completion.abandon(t.task_id, {
          code: 'BATCH_ABORTED',
          message: `Not run: task ${ended.task_id} of this sequential batch ended ${ended.status}.`,
          details: { failed_task_id: ended.task_id },
        });
      }
    } else if (
      later.length &&
      !(await openTasks(this.store, batch.task_ids.slice(0, idx))).length
    ) {
      // Only when nothing before it is still open: a sequential batch runs one task at a time.
      this.dispatcher.enqueue(later[0].task_id, later[0].priority);
    }
  }

  private async completeIfDone(batchId: string): Promise<void> {
    const batch = await this.store.getBatch(batchId);
    if (!batch || batch.completed_at || !(await allEnded(this.store, batch))) return;
    const completedAt = new Date().toISOString();
    await this.stateChanges.write(`batch:${batch.batch_id}`, () =>
      this.store.completeBatch(batch.batch_id, completedAt),
    );
    this.waiters.wake(batch.batch_id);
  }
}
