import type { BatchResponse } from '../agent/batches/task-batch.service';
import type { TaskContext, TaskEvent, TaskRequest, TaskResponse } from '../contracts/task.types';
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

/** How a batch runs (docs/api.md, `POST /api/v1/tasks/batch`). */
export interface BatchOptions extends WaitOptions {
  /** parallel (default) or sequential. */
  mode?: 'parallel' | 'sequential';
  /** Sequential only: keep going after a failed task (default: the rest end BATCH_ABORTED). */
  continue_on_error?: boolean;
}

/**
 * The agent-runner client (README.md, Library (TypeScript)): one API whatever the transport.
 *
 * ```ts
 * const client = new TaskRunnerClient(ApiClientBuilder.inProcess(service));
 * const response = await client.executeSimpleTask('Create a Hello World program');
 * console.log(response.result?.summary);
 * ```
 * Every request and response is the snake_case wire object; failures throw the service's errors
 * (`TaskNotFoundError`, `InvalidRequestError`, …, each with its `code` of docs/api.md, Errors).
 */
export class TaskRunnerClient {
  constructor(readonly api: ApiClient) {}

  /** Runs a task and waits for its terminal state (a failed task is returned, not thrown). */
  executeTask(request: TaskRequest, options?: ExecuteTaskOptions): Promise<TaskResponse> {
    return this.api.executeTask(request, options);
  }

  /** `executeTask({ task })`. */
  executeSimpleTask(task: string, options?: ExecuteTaskOptions): Promise<TaskResponse> {
    return this.api.executeTask({ task }, options);
  }

  /** `executeTask({ task, context })`, e.g. `{ working_directory: 'sub', environment: { CI: '1' } }`. */
  executeTaskWithContext(
    task: string,
    context: TaskContext,
    options?: ExecuteTaskOptions,
  ): Promise<TaskResponse> {
    return this.api.executeTask({ task, context }, options);
  }

  /** Submits and returns at once (`queued` or `running`); follow it with the methods below. */
  submitTask(request: TaskRequest, options?: SubmitTaskOptions): Promise<TaskResponse> {
    return this.api.submitTask(request, options);
  }

  waitForTask(taskId: string, options?: WaitOptions): Promise<TaskResponse> {
    return this.api.waitForTask(taskId, options);
  }

  /** Runs 1..100 tasks (strings or requests) and waits until all are terminal. */
  executeBatch(
    tasks: (TaskRequest | string)[],
    options: BatchOptions = {},
  ): Promise<BatchResponse> {
    const { signal, ...batch } = options;
    return this.api.executeBatch({ tasks: tasks.map(asRequest), ...batch }, { signal });
  }

  /** Submits a batch and returns at once; its `results` hold the accepted tasks. */
  submitBatch(
    tasks: (TaskRequest | string)[],
    options: Omit<BatchOptions, 'signal'> = {},
  ): Promise<BatchResponse> {
    return this.api.submitBatch({ tasks: tasks.map(asRequest), ...options });
  }

  waitForBatch(batchId: string, options?: WaitOptions): Promise<BatchResponse> {
    return this.api.waitForBatch(batchId, options);
  }

  getBatchStatus(batchId: string): Promise<BatchResponse> {
    return this.api.getBatchStatus(batchId);
  }

  getTaskStatus(taskId: string): Promise<TaskResponse> {
    return this.api.getTaskStatus(taskId);
  }

  listTasks(query?: ListTasksQuery): Promise<TaskList> {
    return this.api.listTasks(query);
  }

  cancelTask(taskId: string): Promise<TaskResponse> {
    return this.api.cancelTask(taskId);
  }

  /** `for await (const event of client.streamTaskEvents(id)) …`: replay, live, then the end. */
  streamTaskEvents(taskId: string, options?: StreamEventsOptions): AsyncIterable<TaskEvent> {
    return this.api.streamTaskEvents(taskId, options);
  }

  getServiceStatus(): Promise<ServiceStatus> {
    return this.api.getServiceStatus();
  }

  getMetrics(): Promise<MetricsSnapshot> {
    return this.api.getMetrics();
  }

  listTools(): Promise<ToolsResponse> {
    return this.api.listTools();
  }

  getConfig(): Promise<RedactedConfig> {
    return this.api.getConfig();
  }

  updateConfig(patch: PartialConfig): Promise<RedactedConfig> {
    return this.api.updateConfig(patch);
  }

  updateModelConfig(patch: ModelConfigUpdate): Promise<RedactedConfig> {
    return this.api.updateModelConfig(patch);
  }

  validateConfig(config: PartialConfig | Record<string, unknown>): Promise<ConfigValidationResult> {
    return this.api.validateConfig(config);
  }
}

function asRequest(task: TaskRequest | string): TaskRequest {
  return typeof task === 'string' ? { task } : task;
}
