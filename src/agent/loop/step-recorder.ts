import { TaskRun } from './task-agent.types';
import { StepStatus, StepType, TaskStep } from '../../contracts/task.types';

/** Longest step output kept in the task record; the model still gets the whole tool result. */
export const MAX_STEP_OUTPUT_CHARS = 4000;

export function truncateForStep(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  return text.length <= MAX_STEP_OUTPUT_CHARS
    ? text
    : `${text.slice(0, MAX_STEP_OUTPUT_CHARS)}… (truncated)`;
}

/** Numbers, times and publishes a task's steps (docs/api.md, `GET /api/v1/tasks/{id}`). */
export class StepRecorder {
  private next = 1;

  constructor(private readonly run: TaskRun) {}

  start(
    type: StepType,
    description: string,
    input: Record<string, unknown> = {},
    tool: string | null = null,
  ): TaskStep {
    const step: TaskStep = {
      step_number: this.next++,
      step_type: type,
      tool,
      description,
      status: 'running',
      input,
      output: null,
      error: null,
      started_at: new Date().toISOString(),
      completed_at: null,
      duration_ms: null,
    };
    this.run.onStep(step, 'started');
    return step;
  }

  end(
    step: TaskStep,
    status: Exclude<StepStatus, 'running'>,
    output: string | null,
    error: string | null = null,
  ): TaskStep {
    const now = Date.now();
    step.status = status;
    step.output = truncateForStep(output);
    step.error = error;
    step.completed_at = new Date(now).toISOString();
    step.duration_ms = now - Date.parse(step.started_at);
    this.run.metrics.steps_executed += 1;
    this.run.onStep(step, 'completed');
    return step;
  }
}
