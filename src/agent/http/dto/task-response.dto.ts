import { ApiProperty } from '@nestjs/swagger';
import { TASK_ERROR_CODES, type TaskErrorCode } from '../../../common/errors';
import type { BatchResponse } from '../../batches/task-batch.service';
import type {
  ArtifactType,
  Complexity,
  StepStatus,
  StepType,
  TaskArtifact,
  TaskError,
  TaskMetrics,
  TaskPlan,
  TaskPriority,
  TaskResponse,
  TaskResult,
  TaskStatus,
  TaskStep,
} from '../../../contracts/task.types';

/**
 * Response schemas of the task routes for the OpenAPI document (the Swagger plugin reads these
 * classes and their JSDoc). Each implements the runtime type it documents, so the two cannot
 * drift apart.
 */

export class TaskArtifactDto implements TaskArtifact {
  /** What the task produced: a file it wrote, a file it edited, or a command it ran. */
  type!: ArtifactType;
  /** The file, relative to the working directory (file artifacts). */
  path?: string;
  /** Size of the file after the write or edit, in bytes (file artifacts). */
  bytes?: number;
  /** The command line as the model gave it (command artifacts). */
  command?: string;
  /** The command's exit code; 128 + n when a signal ended it (command artifacts). */
  exit_code?: number;
}

export class TaskResultDto implements TaskResult {
  /**
   * True when the task completed and its goal was met. False when it completed but the agent
   * reports the goal was not met (e.g. the command it was asked to run exited non-zero), and for
   * every task that failed, timed out or was cancelled.
   */
  success!: boolean;
  /** The outcome in a sentence or paragraph (at most 500 characters). */
  summary!: string;
  /** The agent's whole final answer; for a task that did not complete, `CODE: message`. */
  details!: string;
  /** Files written or edited and commands run, in order. */
  artifacts!: TaskArtifactDto[];
  /** Seconds from start to end, measured. */
  execution_time!: number;
}

export class TaskPlanDto implements TaskPlan {
  /** What the task asks for, in the model's words. */
  understanding!: string;
  /** How the agent means to do it. */
  approach!: string;
  /** The model's estimate of how hard the task is. */
  complexity!: Complexity;
  /** Tool calls the model expects to need. */
  estimated_steps!: number;
  /** Files, tools, commands or facts the task needs. */
  requirements!: string[];
  /** The prompt scenario used (e.g. documentation), or null when none applied. */
  scenario!: string | null;
}

export class TaskStepDto implements TaskStep {
  /** 1, 2, 3, … in the order the steps started. */
  step_number!: number;
  /** planning (the plan), model (one model call), tool (one tool call), completion (the final answer). */
  step_type!: StepType;
  /** The tool called (tool steps), else null. */
  tool!: string | null;
  /** What the step does, for people. */
  description!: string;
  /**
   * running until it ends; then completed, failed (a tool error, or the task ended while it ran:
   * `error` is then `TASK_CANCELLED: …`, `TASK_TIMEOUT: …` or `TASK_INTERRUPTED: …`) or denied
   * (refused by the sandbox or command policy).
   */
  status!: StepStatus;
  /** The tool's arguments (tool steps), `{round}` (model steps), else empty. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  input!: Record<string, unknown>;
  /** What the step produced (cut at 4000 characters with `… (truncated)`), or null. */
  output!: string | null;
  /** Why the step failed or was denied, or null. */
  error!: string | null;
  /** When the step started (ISO-8601 UTC). */
  started_at!: string;
  /** When it ended, or null while running. */
  completed_at!: string | null;
  /** How long it took, or null while running. */
  duration_ms!: number | null;
}

export class TokensUsedDto {
  /** Prompt tokens the model provider counted. */
  prompt!: number;
  /** Completion tokens the model provider counted. */
  completion!: number;
  /** Both together. */
  total!: number;
}

export class TaskMetricsDto implements TaskMetrics {
  /** From submission to the end (or to the last update while running). */
  total_time_ms!: number;
  /** Time spent waiting in the queue. */
  queue_time_ms!: number;
  /** Time spent waiting for the model. */
  model_time_ms!: number;
  /** Time spent in tool calls. */
  tool_time_ms!: number;
  /** Steps that ended (completed, failed or denied). */
  steps_executed!: number;
  /** Model calls made (planning included). */
  model_calls!: number;
  /** HTTP attempts to the model, retries included (0 for the built-in offline model). */
  model_attempts!: number;
  /** Tool calls started, including one cut short by a cancel or timeout. */
  tool_calls!: number;
  /** Tokens used by the model calls. */
  tokens_used!: TokensUsedDto;
}

export class TaskErrorDto implements TaskError {
  /** Why the task did not complete. */
  @ApiProperty({ enum: TASK_ERROR_CODES, enumName: 'TaskErrorCode' })
  code!: TaskErrorCode;
  /** What happened, for people. */
  message!: string;
  /** Facts about it (e.g. `timeout_seconds`, `max_steps`, `failed_task_id`), or null. */
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  details!: Record<string, unknown> | null;
}

/** A task as listed: everything but its steps. */
export class TaskSummaryDto implements Omit<TaskResponse, 'steps'> {
  /** The client's `task_id`, else a UUID version 7 the service made. */
  task_id!: string;
  /** Where the task is in its lifecycle; completed, failed, cancelled and timeout are final. */
  status!: TaskStatus;
  /** The instruction, trimmed. */
  task!: string;
  /** Queue order among waiting tasks. */
  priority!: TaskPriority;
  /** Name of the API key that submitted the task, or null when auth is off. */
  owner!: string | null;
  /** The request's metadata, as sent (empty object when none). */
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;
  /** When the task was accepted (ISO-8601 UTC). */
  created_at!: string;
  /** When it started running, or null while queued (and for a task cancelled in the queue). */
  started_at!: string | null;
  /** When it ended, or null until then. */
  completed_at!: string | null;
  /** Present once the task ended (whatever its status). */
  result?: TaskResultDto;
  /** Present once planning produced a plan. */
  plan?: TaskPlanDto;
  /** Counters of what the task did so far. */
  metrics!: TaskMetricsDto;
  /** Present when the task failed, timed out or was cancelled. */
  error?: TaskErrorDto;
}

/** A task with its steps: the answer of submit, get and cancel. */
export class TaskResponseDto extends TaskSummaryDto implements TaskResponse {
  /** Every step so far, in order. */
  steps!: TaskStepDto[];
}

export class TaskListDto {
  /** Tasks the caller may see, newest first, without their steps (GET a task for those). */
  tasks!: TaskSummaryDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor!: string | null;
}

export class BatchStatisticsDto {
  /** Tasks in the batch. */
  total_tasks!: number;
  /** Tasks that completed. */
  successful_tasks!: number;
  /** Tasks that failed or timed out. */
  failed_tasks!: number;
  /** Tasks cancelled (including the rest of a sequential batch after a failure: BATCH_ABORTED). */
  cancelled_tasks!: number;
  /** Wall clock from submission to the last task's end (or to now while running). */
  total_time_ms!: number;
  /** Mean total_time_ms of the finished tasks. */
  average_time_ms!: number;
}

export class BatchResponseDto implements BatchResponse {
  /** The batch's id (UUID version 7). */
  batch_id!: string;
  /** completed once every task in it ended, else running. */
  status!: 'running' | 'completed';
  /** parallel: all tasks queued at once; sequential: one after another, in order. */
  mode!: 'parallel' | 'sequential';
  /** Sequential only: whether the rest ran after a task did not complete. */
  continue_on_error!: boolean;
  /** Name of the API key that submitted the batch, or null when auth is off. */
  owner!: string | null;
  /** When the batch was accepted (ISO-8601 UTC). */
  created_at!: string;
  /** When its last task ended, or null until then. */
  completed_at!: string | null;
  /** Every task of the batch, in the order given, with its steps. */
  results!: TaskResponseDto[];
  /** Counts and times over the batch's tasks. */
  statistics!: BatchStatisticsDto;
}
