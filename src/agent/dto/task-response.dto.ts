/**
 * Response schemas of SPEC 1.2 for the OpenAPI document (the Swagger plugin reads these classes
 * and their JSDoc). The runtime objects are the plain types of task.types.ts.
 */

export class TaskArtifactDto {
  /** file_written | file_edited | command */
  type!: string;
  path?: string;
  bytes?: number;
  command?: string;
  exit_code?: number;
}

export class TaskResultDto {
  success!: boolean;
  summary!: string;
  details!: string;
  artifacts!: TaskArtifactDto[];
  /** Seconds, measured. */
  execution_time!: number;
}

export class TaskPlanDto {
  understanding!: string;
  approach!: string;
  /** simple | moderate | complex */
  complexity!: string;
  estimated_steps!: number;
  requirements!: string[];
  /** The prompt scenario used, or null. */
  scenario!: string | null;
}

export class TaskStepDto {
  step_number!: number;
  /** planning | model | tool | completion */
  step_type!: string;
  tool!: string | null;
  description!: string;
  /** running | completed | failed | denied */
  status!: string;
  input!: Record<string, unknown>;
  output!: string | null;
  error!: string | null;
  started_at!: string;
  completed_at!: string | null;
  duration_ms!: number | null;
}

export class TokensUsedDto {
  prompt!: number;
  completion!: number;
  total!: number;
}

export class TaskMetricsDto {
  total_time_ms!: number;
  queue_time_ms!: number;
  model_time_ms!: number;
  tool_time_ms!: number;
  steps_executed!: number;
  model_calls!: number;
  /** HTTP attempts to the model, retries included. */
  model_attempts!: number;
  tool_calls!: number;
  tokens_used!: TokensUsedDto;
}

export class TaskErrorDto {
  /** MODEL_ERROR, MODEL_NOT_CONFIGURED, TASK_TIMEOUT, TASK_CANCELLED, TASK_INTERRUPTED, MAX_STEPS_EXCEEDED, BATCH_ABORTED, … */
  code!: string;
  message!: string;
  details!: unknown;
}

export class TaskResponseDto {
  task_id!: string;
  /** queued | running | completed | failed | cancelled | timeout */
  status!: string;
  task!: string;
  priority!: string;
  /** API key name that submitted the task, or null. */
  owner!: string | null;
  metadata!: Record<string, unknown>;
  created_at!: string;
  started_at!: string | null;
  completed_at!: string | null;
  /** Present once terminal. */
  result?: TaskResultDto;
  plan?: TaskPlanDto;
  steps!: TaskStepDto[];
  metrics!: TaskMetricsDto;
  /** Present when failed, timed out or cancelled. */
  error?: TaskErrorDto;
}

export class TaskListDto {
  /** Newest first; each without its steps (GET the task for those). */
  tasks!: TaskResponseDto[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor!: string | null;
}

export class BatchStatisticsDto {
  total_tasks!: number;
  successful_tasks!: number;
  failed_tasks!: number;
  cancelled_tasks!: number;
  /** Wall clock from submission to the last task's end (or now). */
  total_time_ms!: number;
  average_time_ms!: number;
}

export class BatchResponseDto {
  batch_id!: string;
  /** running | completed */
  status!: string;
  mode!: string;
  continue_on_error!: boolean;
  owner!: string | null;
  created_at!: string;
  completed_at!: string | null;
  results!: TaskResponseDto[];
  statistics!: BatchStatisticsDto;
}
