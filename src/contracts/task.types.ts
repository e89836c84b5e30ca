/**
 * Wire types of the task API (snake_case; docs/api.md), shared by the HTTP API, the library and the CLI.
 */

export const TASK_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'timeout',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES = [
  'completed',
  'failed',
  'cancelled',
  'timeout',
] as const satisfies readonly TaskStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** A terminal state never changes again (docs/api.md, Lifecycle and guarantees). */
export function isTerminal(status: TaskStatus | string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export const TASK_PRIORITIES = ['low', 'normal', 'high', 'critical'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

export const SCENARIOS = [
  'code_generation',
  'refactoring',
  'debugging',
  'testing',
  'documentation',
  'architecture',
  'optimization',
  'file_operations',
  'command_execution',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface TaskConstraints {
  max_execution_time?: number;
  max_steps?: number;
  allowed_paths?: string[];
}

export interface TaskContext {
  working_directory?: string;
  environment?: Record<string, string>;
  tools?: string[];
  scenario?: string;
  constraints?: TaskConstraints;
}

export interface TaskRequest {
  task: string;
  task_id?: string;
  context?: TaskContext;
  priority?: TaskPriority;
  metadata?: Record<string, unknown>;
}

export type ArtifactType = 'file_written' | 'file_edited' | 'command';

export interface TaskArtifact {
  type: ArtifactType;
  path?: string;
  bytes?: number;
  command?: string;
  exit_code?: number;
}

export interface TaskResult {
  success: boolean;
  summary: string;
  details: string;
  artifacts: TaskArtifact[];
  /** Seconds, measured. */
  execution_time: number;
}

export type Complexity = 'simple' | 'moderate' | 'complex';

export interface TaskPlan {
  understanding: string;
  approach: string;
  complexity: Complexity;
  estimated_steps: number;
  requirements: string[];
  scenario: string | null;
}

export type StepType = 'planning' | 'model' | 'tool' | 'completion';
export type StepStatus = 'running' | 'completed' | 'failed' | 'denied';

export interface TaskStep {
  step_number: number;
  step_type: StepType;
  tool: string | null;
  description: string;
  status: StepStatus;
  input: Record<string, unknown>;
  output: string | null;
  error: string | null;
  started_at: string;
  completed_at: string | null;
  duration_ms: number | null;
}

export interface TaskMetrics {
  total_time_ms: number;
  queue_time_ms: number;
  model_time_ms: number;
  tool_time_ms: number;
  steps_executed: number;
  model_calls: number;
  /** HTTP attempts to the model, retries included (0 for the built-in offline model). */
  model_attempts: number;
  tool_calls: number;
  tokens_used: { prompt: number; completion: number; total: number };
}

export interface TaskError {
  code: string;
  message: string;
  details: unknown;
}

export interface TaskResponse {
  task_id: string;
  status: TaskStatus;
  task: string;
  priority: TaskPriority;
  owner: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  result?: TaskResult;
  plan?: TaskPlan;
  steps: TaskStep[];
  metrics: TaskMetrics;
  error?: TaskError;
}

export const TASK_EVENT_TYPES = [
  'task.queued',
  'task.started',
  'plan.created',
  'step.started',
  'step.completed',
  'task.completed',
  'task.failed',
  'task.cancelled',
  'task.timeout',
] as const;
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export interface TaskEvent {
  task_id: string;
  seq: number;
  type: TaskEventType;
  timestamp: string;
  data: Record<string, unknown>;
}

/** The event that records each terminal state; a task's event stream ends with one of them. */
export const TERMINAL_EVENT: Readonly<Record<TerminalStatus, TaskEventType>> = {
  completed: 'task.completed',
  failed: 'task.failed',
  cancelled: 'task.cancelled',
  timeout: 'task.timeout',
};

export const TERMINAL_EVENT_TYPES: ReadonlySet<TaskEventType> = new Set(
  Object.values(TERMINAL_EVENT),
);
