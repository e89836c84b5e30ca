import { LOCAL_ADMIN } from '../contracts/caller-identity';
import type { BatchRequest, BatchResponse } from '../agent/batches/task-batch.service';
import type { TaskEvent, TaskRequest, TaskResponse } from '../contracts/task.types';
import { mapError } from '../common/error-body';
import { AgentRunnerError } from '../common/errors';
import type { PartialConfig } from '../config/config.schema';
import type { MetricsSnapshot } from '../metrics/metrics.service';
import type { CoreProviders } from '../library/core-providers';
import type {
  ApiClient,
  ConfigValidationResult,
  ExecuteTaskOptions,
  ListTasksQuery,
  ModelConfigUpdate,
  RedactedConfig,
  ServiceStatus,
  StreamEventsOptions,
  SubmitTaskOptions,
  TaskList,
  ToolsResponse,
  WaitOptions,
} from './api-client';
import { errorFromBody } from './error-from-body';
import { abortPromise, inProcessEvents } from './in-process-event-stream';
import {
  validBatchId,
  validBatchRequest,
  validConfigPatch,
  validConfigToValidate,
  validListQuery,
  validModelPatch,
  validTaskId,
  validTaskRequest,
} from './request-validation';
import { isTerminal, TERMINAL_EVENT_TYPES } from '../contracts/task.types';
import { toWire } from '../common/plain-data';

/** How long one wait for a batch's end lasts before it is renewed. */
const BATCH_WAIT_MS = 60_000;
/** Anything thrown inside the service, as the HTTP edge would have reported it. */
function asClientError(e: unknown): unknown {
  if (e instanceof AgentRunnerError) return e;
  if (e instanceof DOMException && e.name === 'AbortError') return e;
  return errorFromBody(mapError(e).body, { cause: e });
}

/**
 * The in-process transport: calls the service's providers directly, as the local admin (like a
 * server with auth off), with the HTTP edge's validation. No HTTP, no sockets, no wait cap.
 */
export class InProcessApiClient implements ApiClient {
  readonly transport = 'in-process' as const;

  constructor(
    private readonly core: CoreProviders,
    /** Aborted when the embedded service closes: pending waits end then. */
    private readonly closed: AbortSignal,
  ) {}

  private async call<T>(fn: () => T | Promise<T>): Promise<T> {
    try {
      if (this.closed.aborted) throw this.closed.reason;
      return toWire(await fn());
    } catch (e) {
      throw asClientError(e);
    }
  }

  executeTask(request: TaskRequest, options: ExecuteTaskOptions = {}): Promise<TaskResponse> {
    return this.call(async () => {
      const task = await this.submit(request, options);
      return this.isDone(task) ? task : this.waitTerminal(task.task_id, options.signal);
    });
  }

  submitTask(request: TaskRequest, options: SubmitTaskOptions = {}): Promise<TaskResponse> {
    return this.call(() => this.submit(request, options));
  }

  waitForTask(taskId: string, options: WaitOptions = {}): Promise<TaskResponse> {
    return this.call(async () => this.waitTerminal(await validTaskId(taskId), options.signal));
  }

  getTaskStatus(taskId: string): Promise<TaskResponse> {
    return this.call(async () => this.core.tasks.get(await validTaskId(taskId), LOCAL_ADMIN));
  }

  listTasks(query: ListTasksQuery = {}): Promise<TaskList> {
    return this.call(async () => this.core.tasks.list(LOCAL_ADMIN, await validListQuery(query)));
  }

  cancelTask(taskId: string): Promise<TaskResponse> {
    return this.call(async () => this.core.tasks.cancel(await validTaskId(taskId), LOCAL_ADMIN));
  }

  async *streamTaskEvents(
    taskId: string,
    options: StreamEventsOptions = {},
  ): AsyncGenerator<TaskEvent> {
    const id = await this.call(() => validTaskId(taskId));
    const signals = [this.closed, ...(options.signal ? [options.signal] : [])];
    try {
      yield* inProcessEvents(this.core, id, options.lastEventId ?? 0, signals);
    } catch (e) {
      throw asClientError(e);
    }
  }

  executeBatch(batch: BatchRequest, options: WaitOptions = {}): Promise<BatchResponse> {
    return this.call(async () => {
      const accepted = await this.core.batches.submit(await validBatchRequest(batch), LOCAL_ADMIN);
      return this.waitBatch(accepted.batch_id, options.signal);
    });
  }

  submitBatch(batch: BatchRequest): Promise<BatchResponse> {
    return this.call(async () =>
      this.core.batches.submit(await validBatchRequest(batch), LOCAL_ADMIN),
    );
  }

  waitForBatch(batchId: string, options: WaitOptions = {}): Promise<BatchResponse> {
    return this.call(async () => {
      const id = await validBatchId(batchId);
      await this.core.batches.get(id, LOCAL_ADMIN); // 404 before waiting
      return this.waitBatch(id, options.signal);
    });
  }

  getBatchStatus(batchId: string): Promise<BatchResponse> {
    return this.call(async () => this.core.batches.get(await validBatchId(batchId), LOCAL_ADMIN));
  }

  getServiceStatus(): Promise<ServiceStatus> {
    return this.call(() => this.core.status.status());
  }

  getMetrics(): Promise<MetricsSnapshot> {
    return this.call(() => this.core.metrics.snapshot());
  }

  listTools(): Promise<ToolsResponse> {
    return this.call(() => this.core.tools.overview());
  }

  getConfig(): Promise<RedactedConfig> {
    return this.call(() => this.core.configAdmin.show());
  }

  updateConfig(patch: PartialConfig): Promise<RedactedConfig> {
    return this.call(async () => this.core.configAdmin.update(await validConfigPatch(patch)));
  }

  updateModelConfig(patch: ModelConfigUpdate): Promise<RedactedConfig> {
    return this.call(async () => this.core.configAdmin.updateModel(await validModelPatch(patch)));
  }

  validateConfig(config: PartialConfig | Record<string, unknown>): Promise<ConfigValidationResult> {
    return this.call(async () =>
      this.core.configAdmin.validate(await validConfigToValidate(config)),
    );
  }

  /** What POST /tasks?wait=false does: submit, then the task as it is now. */
  private async submit(request: TaskRequest, options: SubmitTaskOptions): Promise<TaskResponse> {
    const accepted = await validTaskRequest(request);
    const { task } = await this.core.tasks.submitAndWait(accepted, LOCAL_ADMIN, {
      idempotencyKey: options.idempotencyKey,
      wait: false,
    });
    return task;
  }

  private isDone(task: TaskResponse): boolean {
    return isTerminal(task.status);
  }

  /** Resolves on the task's terminal event (no polling, no timer), then reads the task. */
  private async waitTerminal(taskId: string, signal?: AbortSignal): Promise<TaskResponse> {
    const abort = abortPromise([this.closed, ...(signal ? [signal] : [])]);
    let unsubscribe = () => {};
    try {
      await Promise.race([
        abort.promise,
        new Promise<void>((resolve) => {
          unsubscribe = this.core.events.subscribe(taskId, (event) => {
            if (TERMINAL_EVENT_TYPES.has(event.type)) resolve();
          });
          // It may have ended before the subscription.
          void this.core.tasks.get(taskId, LOCAL_ADMIN).then(
            (task) => this.isDone(task) && resolve(),
            () => resolve(),
          );
        }),
      ]);
    } finally {
      unsubscribe();
      abort.dispose();
    }
    return this.core.tasks.get(taskId, LOCAL_ADMIN);
  }

  /** Resolves once every task of the batch is terminal and the batch is recorded complete. */
  private async waitBatch(batchId: string, signal?: AbortSignal): Promise<BatchResponse> {
    const abort = abortPromise([this.closed, ...(signal ? [signal] : [])]);
    try {
      for (;;) {
        // Woken when the batch completes; the bound only keeps one wait from being endless.
        const batch = await Promise.race([
          this.core.batches.waitFor(batchId, BATCH_WAIT_MS),
          abort.promise,
        ]);
        if (batch.completed_at) return batch;
        // Shutting down: waits are answered at once from now on; only the abort ends this one.
        if (!this.core.tasks.acceptingWork) await abort.promise;
      }
    } finally {
      abort.dispose();
    }
  }
}
