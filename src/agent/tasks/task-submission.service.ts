import { Inject, Injectable } from '@nestjs/common';
import { CallerIdentity } from '../../contracts/caller-identity';
import { TaskRequest, TaskResponse } from '../../contracts/task.types';
import {
  InvalidRequestError,
  QueueFullError,
  StoreUnavailableError,
  TaskAlreadyExistsError,
} from '../../common/errors';
import { uuidv7 } from '../../common/uuid7';
import { AppConfigService } from '../../config/app-config.service';
import { MetricsService } from '../../metrics/metrics.service';
import { STORE_RETRY_AFTER_SECONDS, StoreHealthService } from '../store/store-health.service';
import { isStoreUnavailable } from '../store/store-write-error';
import { TASK_STORE, TaskRecord, TaskStore } from '../store/task-store';
import { requestHash } from './request-hash';
import { TaskDispatcherService } from './task-dispatcher.service';
import { TaskEventsService } from './task-events.service';
import { TaskIntake } from './task-intake';
import { TaskQueue } from './task-queue';
import { TaskRequestChecker } from './task-request.checker';
import { emptyMetrics, toTaskResponse } from './task-views';

export interface SubmitOptions {
  idempotencyKey?: string;
  batchId?: string;
}

export interface SubmitResult {
  task: TaskResponse;
  /** True when an identical earlier request was returned instead (docs/api.md, `POST /api/v1/tasks`). */
  replayed: boolean;
}

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Accepts tasks: ids and idempotency, the request's checks, QUEUE_FULL, and the insert of the
 * task with its first event. A submission is acknowledged (and may run) only once it is durable.
 */
@Injectable()
export class TaskSubmissionService {
  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly events: TaskEventsService,
    private readonly checker: TaskRequestChecker,
    private readonly queue: TaskQueue,
    private readonly dispatcher: TaskDispatcherService,
    private readonly intake: TaskIntake,
    private readonly storeHealth: StoreHealthService,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
  ) {}

  /** Records, acknowledges once durable, then queues the task; idempotent per id. */
  async submit(
    request: TaskRequest,
    caller: CallerIdentity,
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const submitted = await this.record(request, caller, options);
    await this.acknowledge([submitted]);
    if (!submitted.replayed)
      this.dispatcher.enqueue(submitted.task.task_id, submitted.task.priority);
    return submitted;
  }

  /**
   * Validates and stores a task as `queued` without putting it in the run queue: the caller
   * awaits {@link acknowledge} and then enqueues it (batches store several, then ack once).
   */
  async record(
    request: TaskRequest,
    caller: CallerIdentity,
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    this.intake.assertOpen();
    const taskId = taskIdFor(request, options.idempotencyKey);
    const hash = requestHash({ ...request, task_id: taskId });
    const existing = await this.store.getTask(taskId);
    if (existing) return this.replay(existing, caller, hash);

    const accepted = this.checker.check(request);
    const limit = this.config.get('service').max_queued_tasks;
    if (!options.batchId && this.queue.count >= limit) {
      throw new QueueFullError(this.retryAfterSeconds(), limit);
    }
    // Short of disk space: keep what is left for the tasks already accepted.
    this.storeHealth.assertRoomForWork();
    const record = newRecord(taskId, caller, accepted, hash, options.batchId);
    // Counted from now: submissions whose insert is in flight count against the queue's bound.
    this.queue.recorded();
    let inserted: boolean;
    try {
      inserted = await this.insert(record);
    } catch (err) {
      this.queue.acknowledged(1);
      throw err;
    }
    if (!inserted) {
      this.queue.acknowledged(1);
      // Lost a race with an identical id submitted at the same moment.
      const winner = await this.store.getTask(taskId);
      if (!winner) throw new TaskAlreadyExistsError(taskId);
      return this.replay(winner, caller, hash);
    }
    return { task: toTaskResponse(record, []), replayed: false };
  }

  /**
   * A submission is acknowledged only once it is durable: resolves after the commit that holds
   * the recorded tasks. When that commit fails nothing of them is stored: they are forgotten,
   * never started, and the caller is answered 503 STORE_UNAVAILABLE (a retry is safe).
   */
  async acknowledge(submitted: SubmitResult[]): Promise<void> {
    const fresh = submitted.filter((s) => !s.replayed).map((s) => s.task);
    let failure: unknown;
    try {
      await this.store.whenDurable();
    } catch (err) {
      failure = err;
    }
    this.queue.acknowledged(fresh.length);
    if (failure !== undefined) {
      for (const task of fresh) this.events.forget(task.task_id);
      throw new StoreUnavailableError(STORE_RETRY_AFTER_SECONDS);
    }
    for (const task of fresh) this.metrics.taskSubmitted(task.priority);
  }

  /**
   * Inserts a new task and its `task.queued` event, which commit together or not at all. A store
   * that cannot write refuses the submission; it also rolls the turn back, so nothing is left.
   */
  private async insert(record: TaskRecord): Promise<boolean> {
    const queued = this.events.first(record.task_id, 'task.queued', {
      status: 'queued',
      priority: record.priority,
    });
    try {
      if (!(await this.store.insertTask(record, queued))) {
        this.events.forget(record.task_id);
        return false;
      }
      this.events.publish(queued);
      return true;
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      this.events.forget(record.task_id);
      this.storeHealth.writeFailed(err as Error);
      throw new StoreUnavailableError(STORE_RETRY_AFTER_SECONDS);
    }
  }

  private async replay(
    existing: TaskRecord,
    caller: CallerIdentity,
    hash: string,
  ): Promise<SubmitResult> {
    if (existing.owner !== caller.name || existing.request_hash !== hash) {
      throw new TaskAlreadyExistsError(existing.task_id);
    }
    return {
      task: toTaskResponse(existing, await this.store.getSteps(existing.task_id)),
      replayed: true,
    };
  }

  /** Roughly how long until a slot frees: a queue's worth of tasks over the running ones. */
  private retryAfterSeconds(): number {
    const slots = Math.max(1, this.config.get('service').max_concurrent_tasks);
    return Math.min(60, Math.max(1, Math.ceil(this.queue.size / slots)));
  }
}

/** The task's id: its own, the Idempotency-Key, or a new UUIDv7. */
function taskIdFor(request: TaskRequest, idempotencyKey?: string): string {
  if (idempotencyKey !== undefined) {
    if (!ID_PATTERN.test(idempotencyKey)) {
      throw new InvalidRequestError('Idempotency-Key must be 1..128 of [A-Za-z0-9._:-].');
    }
    if (request.task_id !== undefined && request.task_id !== idempotencyKey) {
      throw new InvalidRequestError('task_id and the Idempotency-Key header differ.');
    }
  }
  return request.task_id ?? idempotencyKey ?? uuidv7();
}

function newRecord(
  taskId: string,
  caller: CallerIdentity,
  accepted: TaskRequest,
  hash: string,
  batchId: string | undefined,
): TaskRecord {
  return {
    task_id: taskId,
    owner: caller.name,
    status: 'queued',
    priority: accepted.priority ?? 'normal',
    task: accepted.task,
    request: accepted,
    request_hash: hash,
    metadata: accepted.metadata ?? {},
    batch_id: batchId ?? null,
    created_at: new Date().toISOString(),
    started_at: null,
    completed_at: null,
    result: null,
    plan: null,
    error: null,
    metrics: emptyMetrics(),
  };
}
