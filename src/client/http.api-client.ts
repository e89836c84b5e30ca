import type { BatchRequest, BatchResponse } from '../agent/batches/task-batch.service';
import type { TaskEvent, TaskRequest, TaskResponse } from '../contracts/task.types';
import type { PartialConfig } from '../config/config.schema';
import type { MetricsSnapshot } from '../metrics/metrics.service';
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
import { ConnectionError } from './connection.error';
import { httpTaskEvents } from './http-event-stream';
import { HttpClientOptions, HttpRequester, sleep } from './http-requester';
import { validBatchId, validTaskId } from './request-validation';
import { isTerminal, TERMINAL_EVENT_TYPES } from '../contracts/task.types';

const TASKS = '/api/v1/tasks';

/**
 * The HTTP transport over Node's fetch: the routes of docs/api.md, the same answers and errors as
 * in process. Reads are retried, writes never; long waits follow the task's event stream.
 */
export class HttpApiClient implements ApiClient {
  readonly transport = 'http' as const;
  private readonly http: HttpRequester;

  constructor(baseUrl: string, options: HttpClientOptions = {}) {
    this.http = new HttpRequester(baseUrl, options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /**
   * POST with `Prefer: respond-async` (202 + Location at once, so no request outlives the
   * timeout), then the event stream until the terminal event, then GET Location.
   */
  async executeTask(request: TaskRequest, options: ExecuteTaskOptions = {}): Promise<TaskResponse> {
    const answer = await this.post(request, options, { prefer: 'respond-async' });
    if (isTerminal(answer.body.status)) return answer.body;
    const taskId = answer.body.task_id;
    await this.waitTerminal(taskId, options.signal);
    const location = answer.headers.get('location');
    const target = location ? new URL(location, answer.url).href : this.taskPath(taskId);
    return (
      await this.http.json<TaskResponse>('GET', target, {
        retry: true,
        signal: options.signal,
        context: { taskId },
      })
    ).body;
  }

  async submitTask(request: TaskRequest, options: SubmitTaskOptions = {}): Promise<TaskResponse> {
    return (await this.post(request, options, { prefer: 'respond-async' })).body;
  }

  async waitForTask(taskId: string, options: WaitOptions = {}): Promise<TaskResponse> {
    const id = await validTaskId(taskId);
    await this.waitTerminal(id, options.signal);
    return this.read<TaskResponse>(this.taskPath(id), { taskId: id }, options.signal);
  }

  async getTaskStatus(taskId: string): Promise<TaskResponse> {
    const id = await validTaskId(taskId);
    return this.read<TaskResponse>(this.taskPath(id), { taskId: id });
  }

  async listTasks(query: ListTasksQuery = {}): Promise<TaskList> {
    return (await this.http.json<TaskList>('GET', TASKS, { query: { ...query }, retry: true }))
      .body;
  }

  async cancelTask(taskId: string): Promise<TaskResponse> {
    const id = await validTaskId(taskId);
    return (
      await this.http.json<TaskResponse>('DELETE', this.taskPath(id), { context: { taskId: id } })
    ).body;
  }

  async *streamTaskEvents(
    taskId: string,
    options: StreamEventsOptions = {},
  ): AsyncGenerator<TaskEvent> {
    const id = await validTaskId(taskId);
    yield* httpTaskEvents(this.http, id, {
      lastEventId: options.lastEventId ?? 0,
      signal: options.signal,
      taskStatus: () => this.getTaskStatus(id),
    });
  }

  async executeBatch(batch: BatchRequest, options: WaitOptions = {}): Promise<BatchResponse> {
    const accepted = await this.submitBatch(batch);
    return accepted.status === 'completed'
      ? accepted
      : this.waitForBatch(accepted.batch_id, options);
  }

  async submitBatch(batch: BatchRequest): Promise<BatchResponse> {
    return (
      await this.http.json<BatchResponse>('POST', `${TASKS}/batch`, {
        body: batch,
        query: { wait: false },
      })
    ).body;
  }

  async waitForBatch(batchId: string, options: WaitOptions = {}): Promise<BatchResponse> {
    const id = await validBatchId(batchId);
    let delay = 100;
    for (;;) {
      const batch = await this.read<BatchResponse>(
        `/api/v1/batches/${encodeURIComponent(id)}`,
        { batchId: id },
        options.signal,
      );
      if (batch.status === 'completed') return batch;
      await sleep(delay, options.signal);
      delay = Math.min(this.http.options.pollIntervalMs, delay * 2);
    }
  }

  async getBatchStatus(batchId: string): Promise<BatchResponse> {
    const id = await validBatchId(batchId);
    return this.read<BatchResponse>(`/api/v1/batches/${encodeURIComponent(id)}`, { batchId: id });
  }

  getServiceStatus(): Promise<ServiceStatus> {
    return this.read<ServiceStatus>('/api/v1/status');
  }

  getMetrics(): Promise<MetricsSnapshot> {
    return this.read<MetricsSnapshot>('/api/v1/metrics');
  }

  listTools(): Promise<ToolsResponse> {
    return this.read<ToolsResponse>('/api/v1/tools');
  }

  getConfig(): Promise<RedactedConfig> {
    return this.read<RedactedConfig>('/api/v1/config');
  }

  async updateConfig(patch: PartialConfig): Promise<RedactedConfig> {
    return (await this.http.json<RedactedConfig>('PUT', '/api/v1/config', { body: patch })).body;
  }

  async updateModelConfig(patch: ModelConfigUpdate): Promise<RedactedConfig> {
    return (await this.http.json<RedactedConfig>('PUT', '/api/v1/config/model', { body: patch }))
      .body;
  }

  async validateConfig(
    config: PartialConfig | Record<string, unknown>,
  ): Promise<ConfigValidationResult> {
    // Validation changes nothing, so it is retried like a read.
    return (
      await this.http.json<ConfigValidationResult>('POST', '/api/v1/config/validate', {
        body: { config },
        retry: true,
      })
    ).body;
  }

  private taskPath(taskId: string): string {
    return `${TASKS}/${encodeURIComponent(taskId)}`;
  }

  private async read<T>(path: string, context = {}, signal?: AbortSignal): Promise<T> {
    return (await this.http.json<T>('GET', path, { retry: true, context, signal })).body;
  }

  private post(request: TaskRequest, options: SubmitTaskOptions, headers: Record<string, string>) {
    return this.http.json<TaskResponse>('POST', TASKS, {
      body: request,
      headers: {
        ...headers,
        ...(options.idempotencyKey !== undefined
          ? { 'idempotency-key': options.idempotencyKey }
          : {}),
      },
      context: { taskId: request?.task_id ?? options.idempotencyKey },
    });
  }

  /** Follows the event stream to the terminal event; polls when streaming is not possible. */
  private async waitTerminal(taskId: string, signal?: AbortSignal): Promise<void> {
    try {
      for await (const event of this.streamTaskEvents(taskId, { signal })) {
        if (TERMINAL_EVENT_TYPES.has(event.type)) return;
      }
      return;
    } catch (e) {
      if (signal?.aborted || !(e instanceof ConnectionError)) throw e;
    }
    for (;;) {
      if (
        isTerminal(
          (await this.read<TaskResponse>(this.taskPath(taskId), { taskId }, signal)).status,
        )
      )
        return;
      await sleep(this.http.options.pollIntervalMs, signal);
    }
  }
}
