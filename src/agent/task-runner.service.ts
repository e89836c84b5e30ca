import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CallerIdentity, canAccess } from '../auth/caller-identity';
import {
  AgentRunnerError,
  InvalidRequestError,
  QueueFullError,
  StoreUnavailableError,
  TaskAlreadyExistsError,
  TaskNotCancellableError,
  TaskNotFoundError,
} from '../common/errors';
import { AppConfigService } from '../config/app-config.service';
import { MetricsService } from '../metrics/metrics.service';
import { TaskPriorityQueue } from './priority-queue';
import { StateChangeWriter } from './store/state-change-writer';
import { isStoreUnavailable } from './store/store-write-error';
import { STORE_RETRY_AFTER_SECONDS, StoreHealthService } from './store/store-health.service';
import { TASK_STORE, TaskCompletion, TaskRecord, TaskStore } from './store/task-store';
import { TaskEventsService } from './task-events.service';
import { TaskProcessor } from './task-agent.types';
import { TaskRequestChecker } from './task-request.checker';
import { emptyMetrics, toTaskResponse } from './task-views';
import { uuidv7 } from '../common/uuid7';
import {
  TaskArtifact,
  TaskError,
  TaskEventType,
  TaskMetrics,
  TaskResult,
  TaskPriority,
  TaskRequest,
  TaskResponse,
  TaskStatus,
  TaskStep,
  TERMINAL_STATUSES,
} from './task.types';

type AbortReason = 'cancel' | 'timeout' | 'shutdown';

interface RunningTask {
  controller: AbortController;
  timer: NodeJS.Timeout;
  done: Promise<void>;
  /** Live counters and artifacts the agent adds to (kept when the task is cut short). */
  metrics: TaskMetrics;
  artifacts: TaskArtifact[];
}

export interface SubmitOptions {
  idempotencyKey?: string;
  batchId?: string;
}

export interface SubmitResult {
  task: TaskResponse;
  /** True when an identical earlier request was returned instead (SPEC 1.4). */
  replayed: boolean;
}

const TERMINAL_EVENT: Record<TaskCompletion['status'], TaskEventType> = {
  completed: 'task.completed',
  failed: 'task.failed',
  cancelled: 'task.cancelled',
  timeout: 'task.timeout',
};

/** Canonical JSON (sorted keys) so equal requests hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The result of a task that did not complete: `success: false`, with what it produced so far. */
function failureResult(
  completion: Omit<TaskCompletion, 'completed_at'>,
  artifacts: TaskArtifact[],
  startedMs: number,
  nowMs: number,
): TaskResult {
  const error = completion.error;
  return {
    success: false,
    summary: error?.message ?? `The task ended ${completion.status}.`,
    details: error ? `${error.code}: ${error.message}` : `The task ended ${completion.status}.`,
    artifacts,
    execution_time: Math.round(Math.max(0, nowMs - startedMs) / 10) / 100,
  };
}

/** The figures with the steps the task's end closes counted in (tool time up to now). */
function withClosedSteps(metrics: TaskMetrics, open: TaskStep[], now: Date): TaskMetrics {
  if (!open.length) return metrics;
  const toolMs = open
    .filter((s) => s.step_type === 'tool')
    .reduce((ms, s) => ms + Math.max(0, now.getTime() - Date.parse(s.started_at)), 0);
  return {
    ...metrics,
    steps_executed: metrics.steps_executed + open.length,
    tool_time_ms: metrics.tool_time_ms + toolMs,
  };
}
/** How long a stop waits for interrupted runs to unwind (their processes killed). */
const UNWIND_MS = 2500;

/** How many finished tasks' answers GET /tasks/{id} keeps in memory. */
const FINISHED_CACHE_SIZE = 1000;

/** A task's answer, and its JSON text once an HTTP read asked for it. */
interface FinishedEntry {
  response: TaskResponse;
  json?: string;
}

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * Accepts tasks, queues them by priority under `max_concurrent_tasks`, runs them through the
 * agent with a deadline, and records exactly one terminal state per task. Cancel and timeout abort
 * the model call and kill the task's processes through one AbortSignal.
 */
@Injectable()
export class TaskRunnerService
  implements
    OnApplicationBootstrap,
    OnModuleDestroy,
    BeforeApplicationShutdown,
    OnApplicationShutdown
{
  private readonly logger = new Logger(TaskRunnerService.name);
  private readonly queue = new TaskPriorityQueue();
  private readonly running = new Map<string, RunningTask>();
  private readonly terminalWaiters = new Map<string, Set<() => void>>();
  /** Answers of recently read finished tasks (immutable), oldest first. */
  private readonly finished = new Map<string, FinishedEntry>();
  /** Tasks whose end is decided but not yet committed: their record as it will be stored. */
  private readonly ending = new Map<string, TaskRecord>();
  /** Submissions recorded but not yet acknowledged (their commit is pending). */
  private unacknowledged = 0;
  private accepting = true;
  private started = false;

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly events: TaskEventsService,
    private readonly agent: TaskProcessor,
    private readonly checker: TaskRequestChecker,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
    private readonly storeHealth: StoreHealthService,
    private readonly stateChanges: StateChangeWriter,
  ) {}

  /** Restart recovery (SPEC 1.5): running → TASK_INTERRUPTED, queued → run again. */
  onApplicationBootstrap(): void {
    const now = new Date();
    const interrupted = this.store.interruptRunning(now.toISOString());
    for (const taskId of interrupted) {
      const error = this.store.getTask(taskId)?.error;
      if (error) this.closeOpenSteps(taskId, error, now, false);
    }
    if (interrupted.length) {
      this.logger.warn(
        `${interrupted.length} task(s) were running at the last stop; marked TASK_INTERRUPTED`,
      );
    }
    for (const task of this.store.queuedTasks()) {
      if (!task.batch_id || this.enqueueOnRecovery(task))
        this.queue.push(task.task_id, task.priority);
    }
    this.started = true;
    this.publishGauges();
    this.dispatch();
  }

  /** Sequential batches decide themselves which of their tasks may run; see TaskBatchService. */
  enqueueOnRecovery: (task: TaskRecord) => boolean = () => true;

  get activeCount(): number {
    return this.running.size;
  }

  /** Tasks waiting to run, the submissions whose commit is pending included. */
  get queuedCount(): number {
    return this.queue.size + this.unacknowledged;
  }

  /** False once shutdown began: no new work, waiting callers answered at once. */
  get acceptingWork(): boolean {
    return this.accepting;
  }

  /**
   * Validates, records and queues a task; idempotent per task_id / Idempotency-Key. Resolves
   * once the task is durable (see {@link acknowledge}); only then may it run.
   */
  async submit(
    request: TaskRequest,
    caller: CallerIdentity,
    options: SubmitOptions = {},
  ): Promise<SubmitResult> {
    const submitted = this.record(request, caller, options);
    await this.acknowledge([submitted]);
    if (!submitted.replayed) this.enqueue(submitted.task.task_id, submitted.task.priority);
    return submitted;
  }

  /**
   * Validates and stores a task as `queued` without putting it in the run queue: the caller
   * awaits {@link acknowledge} and then enqueues it (batches store several, then ack once).
   */
  record(request: TaskRequest, caller: CallerIdentity, options: SubmitOptions = {}): SubmitResult {
    if (!this.accepting)
      throw new AgentRunnerError('SERVICE_UNAVAILABLE', 'The service is shutting down.');
    const taskId = this.taskIdFor(request, options.idempotencyKey);
    const hash = createHash('sha256')
      .update(canonical({ ...request, task_id: taskId }))
      .digest('hex');
    const existing = this.store.getTask(taskId);
    if (existing) return this.replay(existing, caller, hash);

    const accepted = this.checker.check(request);
    const service = this.config.get('service');
    if (!options.batchId && this.queuedCount >= service.max_queued_tasks) {
      throw new QueueFullError(this.retryAfterSeconds(), service.max_queued_tasks);
    }
    // Short of disk space: keep what is left for the tasks already accepted.
    this.storeHealth.assertRoomForWork();
    const now = new Date().toISOString();
    const record: TaskRecord = {
      task_id: taskId,
      owner: caller.name,
      status: 'queued',
      priority: accepted.priority ?? 'normal',
      task: accepted.task,
      request: accepted,
      request_hash: hash,
      metadata: accepted.metadata ?? {},
      batch_id: options.batchId ?? null,
      created_at: now,
      started_at: null,
      completed_at: null,
      result: null,
      plan: null,
      error: null,
      metrics: emptyMetrics(),
    };
    if (!this.storeSubmission(record)) {
      // Lost a race with an identical id submitted at the same moment.
      return this.replay(this.store.getTask(taskId)!, caller, hash);
    }
    this.unacknowledged++;
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
    this.unacknowledged -= fresh.length;
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
  private storeSubmission(record: TaskRecord): boolean {
    try {
      if (!this.store.insertTask(record)) return false;
      this.events.startNumbering(record.task_id);
      this.events.emit(
        record.task_id,
        'task.queued',
        { status: 'queued', priority: record.priority },
        { retry: false },
      );
      return true;
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      this.events.forget(record.task_id);
      this.storeHealth.writeFailed(err as Error);
      throw new StoreUnavailableError(STORE_RETRY_AFTER_SECONDS);
    }
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
    // Acknowledged only once stored: the insert commits with this turn's other writes.
    const { task, replayed } = await this.submit(request, caller, {
      idempotencyKey: options.idempotencyKey,
    });
    // Still waiting in the queue: nothing about it changed since the answer above was built.
    if (!options.wait && !replayed && this.queue.has(task.task_id))
      return { task, done: false, replayed };
    const waitMs = options.wait ? this.config.get('service').sync_wait_seconds * 1000 : 0;
    const current = await this.waitFor(task.task_id, waitMs);
    return { ...current, replayed };
  }

  /** Puts an accepted task in the run queue (batches call this for their next task). */
  enqueue(taskId: string, priority: TaskPriority): void {
    this.queue.push(taskId, priority);
    this.publishGauges();
    this.dispatch();
  }

  /** Resolves when the task is terminal or `ms` has passed; returns its current state. */
  async waitFor(taskId: string, ms: number): Promise<{ task: TaskResponse; done: boolean }> {
    let record = this.store.getTask(taskId);
    if (!record) throw new TaskNotFoundError(taskId);
    // Once shutdown began, callers are answered at once (a 202 with Location).
    if (!isTerminal(record.status) && ms > 0 && this.accepting) {
      await new Promise<void>((resolve) => {
        let waiters = this.terminalWaiters.get(taskId);
        if (!waiters) this.terminalWaiters.set(taskId, (waiters = new Set()));
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(finish);
          if (waiters.size === 0) this.terminalWaiters.delete(taskId);
          resolve();
        };
        const timer = setTimeout(finish, ms);
        waiters.add(finish);
        // It may have finished between the read above and now.
        if (isTerminal(this.store.getTask(taskId)!.status)) finish();
      });
      record = this.store.getTask(taskId)!;
    }
    // An end not yet committed is not an answer yet (see finish()).
    if (isTerminal(record.status)) await this.terminalsDurable();
    return {
      task: toTaskResponse(record, this.store.getSteps(taskId)),
      done: isTerminal(record.status),
    };
  }

  /** A task the caller may see (others' tasks are 404, as if they did not exist). */
  get(taskId: string, caller: CallerIdentity): TaskResponse {
    return this.lookup(taskId, caller).response;
  }

  /**
   * `get` as the JSON text of the answer, for the HTTP route: a finished task's text is worked
   * out once and kept with its answer, so repeated status reads skip serialization too.
   */
  getJson(taskId: string, caller: CallerIdentity): string {
    const entry = this.lookup(taskId, caller);
    return (entry.json ??= JSON.stringify(entry.response));
  }

  private lookup(taskId: string, caller: CallerIdentity): FinishedEntry {
    // A finished task never changes: its answer is kept instead of read and parsed again.
    const cached = this.finished.get(taskId);
    if (cached) {
      if (!canAccess(caller, cached.response.owner)) throw new TaskNotFoundError(taskId);
      return cached;
    }
    const record = this.visible(taskId, caller);
    const entry: FinishedEntry = {
      response: toTaskResponse(record, this.store.getSteps(taskId)),
    };
    if (isTerminal(record.status)) this.remember(entry);
    return entry;
  }

  /** Forgets kept answers (after a retention purge deleted tasks). */
  forgetFinished(): void {
    this.finished.clear();
  }

  private remember(entry: FinishedEntry): void {
    if (this.finished.size >= FINISHED_CACHE_SIZE) {
      this.finished.delete(this.finished.keys().next().value as string);
    }
    Object.freeze(entry.response);
    this.finished.set(entry.response.task_id, entry);
  }

  list(
    caller: CallerIdentity,
    query: { status?: TaskStatus; priority?: TaskPriority; limit?: number; cursor?: string },
  ): { tasks: TaskResponse[]; next_cursor: string | null } {
    const page = this.store.listTasks({
      ...(caller.role === 'admin' ? {} : { owner: caller.name }),
      status: query.status,
      priority: query.priority,
      limit: query.limit ?? 20,
      cursor: query.cursor,
    });
    return { tasks: page.items.map((r) => toTaskResponse(r, null)), next_cursor: page.next_cursor };
  }

  /** Cancels a queued or running task: one terminal `cancelled`, processes killed, model call aborted. */
  cancel(taskId: string, caller: CallerIdentity, reason = 'Cancelled by request.'): TaskResponse {
    const record = this.visible(taskId, caller);
    if (isTerminal(record.status)) throw new TaskNotCancellableError(taskId, record.status);
    const applied = this.finish(record, {
      status: 'cancelled',
      error: { code: 'TASK_CANCELLED', message: reason, details: null },
    });
    if (!applied) {
      const status = this.ending.get(taskId)?.status ?? this.store.getTask(taskId)?.status;
      throw new TaskNotCancellableError(taskId, status ?? 'finished');
    }
    // The end as decided (a store that cannot write shows it only once it lands).
    const ending = this.ending.get(taskId);
    return ending ? toTaskResponse(ending, this.store.getSteps(taskId)) : this.get(taskId, caller);
  }

  /** Cancels a task the system itself gives up on (batch abort), no caller checks. */
  abortQueued(taskId: string, error: TaskError): boolean {
    const record = this.store.getTask(taskId);
    return (
      !!record && !isTerminal(record.status) && this.finish(record, { status: 'cancelled', error })
    );
  }

  /** The record, if this caller may see it; otherwise TaskNotFoundError. */
  visible(taskId: string, caller: CallerIdentity): TaskRecord {
    const record = this.store.getTask(taskId);
    if (!record || !canAccess(caller, record.owner)) throw new TaskNotFoundError(taskId);
    return record;
  }

  /** Called with each terminal transition, once it is written (before its commit). */
  onTerminal: ((record: TaskRecord) => void)[] = [];

  /** Terminal states written but not yet committed. */
  private terminalsPending = 0;

  /**
   * Resolves once every terminal state written so far is committed; undefined when none is
   * pending (the common case costs no promise). The HTTP edge awaits it before it answers, so no
   * answer shows an end a crash could still take back. Never rejects: a failed commit is
   * reported by the store.
   */
  terminalsDurable(): Promise<void> | undefined {
    if (this.terminalsPending === 0) return undefined;
    return this.store.whenDurable().catch(() => undefined);
  }

  private taskIdFor(request: TaskRequest, idempotencyKey?: string): string {
    if (idempotencyKey !== undefined) {
      if (!/^[A-Za-z0-9._:-]{1,128}$/.test(idempotencyKey)) {
        throw new InvalidRequestError('Idempotency-Key must be 1..128 of [A-Za-z0-9._:-].');
      }
      if (request.task_id !== undefined && request.task_id !== idempotencyKey) {
        throw new InvalidRequestError('task_id and the Idempotency-Key header differ.');
      }
    }
    return request.task_id ?? idempotencyKey ?? uuidv7();
  }

  private replay(existing: TaskRecord, caller: CallerIdentity, hash: string): SubmitResult {
    if (existing.owner !== caller.name || existing.request_hash !== hash) {
      throw new TaskAlreadyExistsError(existing.task_id);
    }
    return {
      task: toTaskResponse(existing, this.store.getSteps(existing.task_id)),
      replayed: true,
    };
  }

  private retryAfterSeconds(): number {
    // Roughly how long until a slot frees: a queue's worth of tasks over the running ones.
    return Math.min(
      60,
      Math.max(
        1,
        Math.ceil(this.queue.size / Math.max(1, this.config.get('service').max_concurrent_tasks)),
      ),
    );
  }

  private dispatch(): void {
    if (!this.started) return;
    const limit = this.config.get('service').max_concurrent_tasks;
    while (this.accepting && this.running.size < limit) {
      const taskId = this.queue.pop();
      if (taskId === undefined) break;
      this.start(taskId);
    }
    this.publishGauges();
  }

  private start(taskId: string): void {
    const now = new Date();
    const startedAt = now.toISOString();
    const marked = this.stateChanges.write(`start:${taskId}`, () =>
      this.store.markRunning(taskId, startedAt),
    );
    // false: not queued any more; undefined: not written yet, retried until it lands.
    if (marked.result === false) return;
    const stored = this.store.getTask(taskId);
    if (!stored) return;
    const record: TaskRecord = { ...stored, status: 'running', started_at: startedAt };
    const timeoutMs = this.timeoutSeconds(record) * 1000;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      this.finish(this.store.getTask(taskId)!, {
        status: 'timeout',
        error: {
          code: 'TASK_TIMEOUT',
          message: `The task did not finish within ${timeoutMs / 1000} s.`,
          details: { timeout_seconds: timeoutMs / 1000 },
        },
      });
    }, timeoutMs);
    const entry: RunningTask = {
      controller,
      timer,
      done: Promise.resolve(),
      metrics: emptyMetrics(),
      artifacts: [],
    };
    this.running.set(taskId, entry);
    this.events.emit(taskId, 'task.started', { status: 'running', started_at: startedAt });
    entry.done = this.run(record, entry, now.getTime() + timeoutMs);
  }

  private timeoutSeconds(record: TaskRecord): number {
    const limit = this.config.get('execution').timeout_seconds;
    const asked =
      record.request.context?.constraints?.max_execution_time ??
      this.config.get('service').default_task_timeout;
    return Math.max(1, Math.min(asked, limit));
  }

  private async run(record: TaskRecord, entry: RunningTask, deadline: number): Promise<void> {
    const taskId = record.task_id;
    const signal = entry.controller.signal;
    let completion: Omit<TaskCompletion, 'completed_at'>;
    try {
      const outcome = await this.agent.processTask({
        record,
        signal,
        deadline,
        metrics: entry.metrics,
        artifacts: entry.artifacts,
        // Once cancelled or timed out the task is terminal: nothing more is recorded for it.
        onPlan: (plan) => {
          if (signal.aborted) return;
          this.stateChanges.write(`plan:${taskId}`, () =>
            this.store.updateProgress(taskId, { plan }),
          );
          this.events.emit(taskId, 'plan.created', { plan });
        },
        onStep: (live, phase) => {
          if (signal.aborted) return;
          // The agent keeps changing its step object; a retried write must store this state.
          const step = { ...live };
          this.saveStep(taskId, step);
          this.events.emit(taskId, phase === 'started' ? 'step.started' : 'step.completed', {
            step,
          });
        },
      });
      completion = { ...outcome, result: outcome.result ?? null, error: outcome.error ?? null };
    } catch (e) {
      this.logger.error(`task ${taskId} crashed: ${(e as Error).stack ?? String(e)}`);
      completion = {
        status: 'failed',
        error: {
          code: 'INTERNAL_ERROR',
          message: 'The task failed with an internal error.',
          details: null,
        },
      };
    }
    try {
      // A cancel or timeout already recorded its terminal state; this late result is dropped.
      this.finish(this.store.getTask(taskId)!, completion);
    } catch (e) {
      this.logger.error(`could not record the end of task ${taskId}: ${(e as Error).message}`);
    } finally {
      this.release(taskId);
    }
  }

  /**
   * The single terminal transition. Stores it only if the task is still queued or running, then
   * aborts the run, publishes the event, counts it and wakes waiters.
   */
  private finish(record: TaskRecord, completion: Omit<TaskCompletion, 'completed_at'>): boolean {
    // Its end is decided already and waits for the store: the first end stands.
    if (this.ending.has(record.task_id)) return false;
    const now = new Date();
    const startedMs = record.started_at ? Date.parse(record.started_at) : now.getTime();
    const current = this.store.getTask(record.task_id) ?? record;
    const running = this.running.get(record.task_id);
    // Steps still running are closed below; their time and count belong to the task's figures.
    const open = completion.error
      ? this.store.getSteps(record.task_id).filter((s) => s.status === 'running')
      : [];
    const metrics = {
      ...withClosedSteps(completion.metrics ?? running?.metrics ?? current.metrics, open, now),
      total_time_ms: now.getTime() - Date.parse(record.created_at),
      queue_time_ms:
        (record.started_at ? startedMs : now.getTime()) - Date.parse(record.created_at),
    };
    const result =
      completion.result ??
      failureResult(completion, running?.artifacts ?? [], startedMs, now.getTime());
    const end: TaskCompletion = {
      ...completion,
      result,
      completed_at: now.toISOString(),
      metrics,
    };
    const written = this.stateChanges.write(`end:${record.task_id}`, () =>
      this.store.completeTask(record.task_id, end),
    );
    // false: the store holds another end already; undefined: not written yet, retried.
    if (written.result === false) return false;
    // What completeTask stores: fields it was given replace the record's.
    const stored: TaskRecord = {
      ...current,
      status: end.status,
      completed_at: end.completed_at,
      result,
      metrics,
      ...(end.error !== undefined ? { error: end.error } : {}),
      ...(end.plan !== undefined ? { plan: end.plan } : {}),
    };
    this.ending.set(record.task_id, stored);
    if (completion.error) this.closeOpenSteps(record.task_id, completion.error, now);
    if (running) {
      const reason: AbortReason = completion.status === 'timeout' ? 'timeout' : 'cancel';
      if (completion.status === 'cancelled' || completion.status === 'timeout')
        running.controller.abort(reason);
      clearTimeout(running.timer);
    }
    this.queue.remove(record.task_id);
    // The terminal state and its event commit with the turn's other writes. Nobody outside is
    // told before they land: the event is published and waiting callers are woken then, and the
    // HTTP edge holds every answer while a terminal state's commit is pending
    // (terminalsDurable). So a client never sees an end that a crash could take back. While the
    // store cannot write, both are written again until they land (StateChangeWriter).
    const terminal = this.events.record(record.task_id, TERMINAL_EVENT[completion.status], {
      status: completion.status,
      ...(stored.result ? { result: stored.result } : {}),
      ...(stored.error ? { error: stored.error } : {}),
      metrics: stored.metrics,
    });
    this.events.forget(record.task_id);
    this.metrics.taskFinished(
      completion.status,
      stored.error?.code ?? null,
      metrics.total_time_ms / 1000,
    );
    this.terminalsPending++;
    const committed = () => this.terminalsPending--;
    // A failed commit is reported by the store; answers wait for the attempt, not the retries.
    void this.store.whenDurable().then(committed, committed);
    void Promise.all([written.landed, terminal.landed]).then(() => {
      this.ending.delete(record.task_id);
      this.events.publish(terminal.event);
      const waiters = this.terminalWaiters.get(record.task_id);
      if (waiters) for (const wake of [...waiters]) wake();
    });
    for (const hook of this.onTerminal) hook(stored);
    this.publishGauges();
    return true;
  }

  /** Writes a step (an upsert), again and again until it lands. */
  private saveStep(taskId: string, step: TaskStep): void {
    this.stateChanges.write(`step:${taskId}:${step.step_number}`, () =>
      this.store.saveStep(taskId, step),
    );
  }

  /** Steps still `running` when a task is cut short end `failed`, before the terminal event. */
  private closeOpenSteps(taskId: string, error: TaskError, now: Date, publish = true): void {
    for (const step of this.store.getSteps(taskId)) {
      if (step.status !== 'running') continue;
      const closed = {
        ...step,
        status: 'failed' as const,
        error: `${error.code}: ${error.message}`,
        completed_at: now.toISOString(),
        duration_ms: now.getTime() - Date.parse(step.started_at),
      };
      this.saveStep(taskId, closed);
      if (publish) this.events.emit(taskId, 'step.completed', { step: closed });
    }
  }

  /** Frees the run slot once the agent has actually stopped (processes killed, model call aborted). */
  private release(taskId: string): void {
    const entry = this.running.get(taskId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.running.delete(taskId);
    this.dispatch();
  }

  private publishGauges(): void {
    this.metrics.setTaskGauges(this.running.size, this.queue.size);
  }

  /** Shutdown begins: no new work, and callers waiting for a result get their 202 at once. */
  onModuleDestroy(): void {
    this.stopAccepting();
  }

  private stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    for (const waiters of [...this.terminalWaiters.values()])
      for (const wake of [...waiters]) wake();
  }

  /**
   * Graceful shutdown: stop taking and starting tasks, give running ones `shutdown_grace_seconds`
   * to finish, then stop the rest as TASK_INTERRUPTED. Queued tasks stay queued in the store and
   * run after the restart.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopAccepting();
    if (this.running.size === 0) return;
    const graceMs = this.config.get('service').shutdown_grace_seconds * 1000;
    this.logger.log(
      `shutting down: waiting up to ${graceMs / 1000} s for ${this.running.size} running task(s)`,
    );
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const [taskId, entry] of [...this.running]) {
      const record = this.store.getTask(taskId);
      if (record && !isTerminal(record.status)) {
        this.finish(record, {
          status: 'failed',
          error: {
            code: 'TASK_INTERRUPTED',
            message: 'The service shut down while the task was running.',
            details: null,
          },
        });
        entry.controller.abort('shutdown');
      }
    }
    // Wait (boundedly) for the aborted runs to unwind so their processes are gone (SIGKILL
    // follows SIGTERM after 2 s); the whole stop must fit in the grace plus 5 s.
    let unwindTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.running.values()].map((r) => r.done)),
      new Promise((r) => (unwindTimer = setTimeout(r, UNWIND_MS))),
    ]);
    clearTimeout(unwindTimer);
  }

  /** Last resort after the graceful drain: nothing may keep running once the app is closed. */
  onApplicationShutdown(): void {
    for (const entry of this.running.values()) {
      clearTimeout(entry.timer);
      entry.controller.abort('shutdown');
    }
  }
}
