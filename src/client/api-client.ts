import type { ConfigViewDto } from '../admin/dto/config-view.dto';
import type { ConfigValidationResultDto } from '../admin/dto/validate-config.dto';
import type { UpdateModelConfigDto } from '../admin/dto/update-model-config.dto';
import type { BatchRequest, BatchResponse } from '../agent/batches/task-batch.service';
import type {
  TaskEvent,
  TaskPriority,
  TaskRequest,
  TaskResponse,
  TaskStatus,
} from '../contracts/task.types';
import type { PartialConfig } from '../config/config.schema';
import type { ToolsResponseDto } from '../execution/dto/tools-response.dto';
import type { MetricsSnapshot } from '../metrics/metrics.service';
import type { ServiceStatusDto } from '../status/service-status.dto';

/** GET /api/v1/status */
export type ServiceStatus = ServiceStatusDto;
/** GET /api/v1/tools: the enabled tools and the command sandbox in effect. */
export type ToolsResponse = ToolsResponseDto;
/** POST /api/v1/config/validate */
export type ConfigValidationResult = ConfigValidationResultDto;
/** PUT /api/v1/config/model (every field optional). */
export type ModelConfigUpdate = Partial<UpdateModelConfigDto>;
/** The effective configuration as shown to clients: same shape as the file, secrets redacted. */
export type RedactedConfig = ConfigViewDto;

/** GET /api/v1/tasks filters. */
export interface ListTasksQuery {
  status?: TaskStatus;
  priority?: TaskPriority;
  /** 1..100, default 20. */
  limit?: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

export interface TaskList {
  tasks: TaskResponse[];
  next_cursor: string | null;
}

export interface SubmitTaskOptions {
  /**
   * Same as `task_id` (docs/api.md, `POST /api/v1/tasks`, idempotency): resubmitting the same
   * request returns the same task.
   */
  idempotencyKey?: string;
}

export interface WaitOptions {
  /** Stops waiting (rejects with the signal's reason); the task itself keeps running. */
  signal?: AbortSignal;
}

export type ExecuteTaskOptions = SubmitTaskOptions & WaitOptions;

export interface StreamEventsOptions {
  /** Resume after this event `seq` (SSE `Last-Event-ID`); 0 or unset replays everything. */
  lastEventId?: number;
  /** Ends the stream (the iterator throws the signal's reason). */
  signal?: AbortSignal;
}

/**
 * One transport to an agent-runner service. Both implementations (in-process and HTTP) return the
 * same wire objects (those of docs/api.md, snake_case) and throw the same {@link AgentRunnerError}
 * subclasses with the same codes. Build one with `ApiClientBuilder`; use it through
 * `TaskRunnerClient`.
 */
export interface ApiClient {
  readonly transport: 'in-process' | 'http';
  /** Submits and waits until the task is terminal (no cap; `signal` stops waiting). */
  executeTask(request: TaskRequest, options?: ExecuteTaskOptions): Promise<TaskResponse>;
  /** Submits and returns at once (the 202 answer): usually `queued` or `running`. */
  submitTask(request: TaskRequest, options?: SubmitTaskOptions): Promise<TaskResponse>;
  /** Waits until the task is terminal and returns it. */
  waitForTask(taskId: string, options?: WaitOptions): Promise<TaskResponse>;
  getTaskStatus(taskId: string): Promise<TaskResponse>;
  listTasks(query?: ListTasksQuery): Promise<TaskList>;
  /** Cancels a queued or running task; TaskNotCancellableError when it already ended. */
  cancelTask(taskId: string): Promise<TaskResponse>;
  /** Past events, then live ones; ends after the terminal event. */
  streamTaskEvents(taskId: string, options?: StreamEventsOptions): AsyncIterable<TaskEvent>;
  /** Submits a batch and waits until every task in it is terminal. */
  executeBatch(batch: BatchRequest, options?: WaitOptions): Promise<BatchResponse>;
  /** Submits a batch and returns at once. */
  submitBatch(batch: BatchRequest): Promise<BatchResponse>;
  waitForBatch(batchId: string, options?: WaitOptions): Promise<BatchResponse>;
  getBatchStatus(batchId: string): Promise<BatchResponse>;
  getServiceStatus(): Promise<ServiceStatus>;
  getMetrics(): Promise<MetricsSnapshot>;
  listTools(): Promise<ToolsResponse>;
  /** Admin: the effective configuration, secrets redacted. */
  getConfig(): Promise<RedactedConfig>;
  /** Admin: updates sections live; nothing changes when any part is invalid. */
  updateConfig(patch: PartialConfig): Promise<RedactedConfig>;
  /** Admin: swaps the model for tasks started afterwards. */
  updateModelConfig(patch: ModelConfigUpdate): Promise<RedactedConfig>;
  /** Checks a partial configuration merged onto the defaults; changes nothing. */
  validateConfig(config: PartialConfig | Record<string, unknown>): Promise<ConfigValidationResult>;
}
