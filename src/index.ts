/**
 * agent-runner as a library (README.md, Library (TypeScript)):
 *
 * ```ts
 * import { TaskRunnerService, TaskRunnerClient, ApiClientBuilder, AgentConfig } from 'agent-runner';
 * const service = await TaskRunnerService.create(undefined, AgentConfig.loadWithFallback('config.toml'));
 * const client = new TaskRunnerClient(ApiClientBuilder.inProcess(service));
 * const response = await client.executeSimpleTask('Create a Hello World program');
 * await service.close();
 * ```
 */
export { TaskRunnerService } from './library/task-runner.service';
export type {
  ServiceConfigOverrides,
  TaskRunnerServiceOptions,
} from './library/task-runner.service';
export { AgentConfig } from './library/agent-config';
export { StderrLogger } from './library/stderr-logger';

export { TaskRunnerClient } from './client/task-runner.client';
export type { BatchOptions } from './client/task-runner.client';
export { ApiClientBuilder, DEFAULT_SERVICE_URL } from './client/api-client.builder';
export type {
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
} from './client/api-client';
export type { HttpClientOptions } from './client/http-requester';
export { ConnectionError } from './client/connection.error';
export { errorFromBody } from './client/error-from-body';

export {
  AgentRunnerError,
  AuthenticationError,
  AuthorizationError,
  BatchNotFoundError,
  InternalError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  QueueFullError,
  RateLimitError,
  TaskAlreadyExistsError,
  TaskNotCancellableError,
  TaskNotFoundError,
} from './common/errors';
export type { ErrorBody, ErrorCode, TaskErrorCode } from './common/errors';
export { ConfigValidationError } from './config/config.validation';
export type { ConfigIssue } from './config/config.validation';

export { TASK_EVENT_TYPES, TASK_PRIORITIES, TASK_STATUSES } from './contracts/task.types';
export type {
  TaskArtifact,
  TaskConstraints,
  TaskContext,
  TaskError,
  TaskEvent,
  TaskEventType,
  TaskMetrics,
  TaskPlan,
  TaskPriority,
  TaskRequest,
  TaskResponse,
  TaskResult,
  TaskStatus,
  TaskStep,
} from './contracts/task.types';
export type { BatchRequest, BatchResponse } from './agent/batches/task-batch.service';
export type { MetricsSnapshot } from './metrics/metrics.service';
export type {
  AgentRunnerConfig,
  ModelProvider,
  PartialConfig,
  ServiceConfig,
} from './config/config.schema';
