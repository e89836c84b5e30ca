import type { PathSandbox } from './sandbox/path-sandbox';

/** Everything a tool call needs to know about the task it runs for. */
export interface ToolContext {
  task_id: string;
  /** Absolute, from `resolveTaskWorkingDirectory`. */
  workingDirectory: string;
  /** The task's `constraints.allowed_paths` (they only narrow `tools.allowed_paths`). */
  allowedPaths?: string[];
  /** The task's `context.environment`. */
  environment?: Record<string, string>;
  /** Aborted when the task is cancelled or times out: running commands are killed. */
  signal: AbortSignal;
  /** Epoch ms after which nothing may run (the task's deadline). */
  deadline?: number;
  /** The task's `context.tools`; undefined = every enabled tool. */
  enabledTools?: string[];
}

/**
 * A file or command the call produced (a task result's `artifacts`, docs/api.md,
 * `POST /api/v1/tasks`).
 */
export interface ToolArtifact {
  type: 'file_written' | 'file_edited' | 'command';
  path?: string;
  bytes?: number;
  command?: string;
  exit_code?: number;
}

/** The result of one tool call; model-caused problems are results, never exceptions. */
export interface ToolOutcome {
  status: 'ok' | 'error' | 'denied';
  /** Text returned to the model. */
  output: string;
  /** Structured result (e.g. exit_code, stdout, stderr, timed_out, truncated for run_command). */
  data?: Record<string, unknown>;
  artifact?: ToolArtifact;
  /** Short reason when status is not ok. */
  error?: string;
}

/** The subset of JSON Schema the tools use for their arguments. */
export interface ArgumentSchema {
  type: 'object';
  properties: Record<string, PropertySchema>;
  required: string[];
  additionalProperties: false;
}

export interface PropertySchema {
  type: 'string' | 'integer' | 'boolean';
  description: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
}

/** What a tool gets for one call: the task, and a path sandbox already bound to its roots. */
export interface ToolScope {
  ctx: ToolContext;
  sandbox: PathSandbox;
}

/** One tool the model can call. */
export interface ToolHandler<A = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly parameters: ArgumentSchema;
  /** Which `tools.enable_*` switch governs it. */
  readonly kind: 'file' | 'command';
  run(args: A, scope: ToolScope): Promise<ToolOutcome>;
}
