import type { TaskPlan, TaskResponse, TaskResult, TaskStep } from '../../contracts/task.types';

const MARK: Record<TaskStep['status'], string> = {
  running: '…',
  completed: '✓',
  failed: '✗',
  denied: '⊘',
};

export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, Math.max(1, max - 1))}…` : flat;
}

/** "1.2 s" / "56 ms". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return ms >= 1000 ? `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s` : `${Math.round(ms)} ms`;
}

/** What a step does, in a few words: the tool and its main argument, or the step's description. */
export function stepLabel(step: TaskStep, max = 70): string {
  if (step.step_type === 'tool' && step.tool) {
    const input = step.input ?? {};
    const main = input.command ?? input.path ?? input.pattern;
    return oneLine(`${step.tool}${typeof main === 'string' ? ` ${main}` : ''}`, max);
  }
  return oneLine(step.description, max);
}

export function stepMark(step: TaskStep): string {
  return MARK[step.status] ?? '·';
}

/**
 * "✓ 3 run_command echo hi (56 ms)" plus why a tool call failed or was denied. The reason the
 * task itself ended is printed once, with its outcome: a failed model or planning step (which
 * ends the task) shows none, and a step closed by the task's end only the task's code.
 */
export function stepLine(step: TaskStep, max = 70): string {
  const error = step.error ?? step.status;
  const closedBy = /^(TASK_[A-Z_]+): /.exec(error)?.[1];
  const why =
    (step.status === 'failed' || step.status === 'denied') &&
    (step.step_type === 'tool' || closedBy)
      ? `: ${closedBy ?? oneLine(error, 100)}`
      : '';
  const took = step.status === 'running' ? '' : ` (${duration(step.duration_ms)})`;
  return `${stepMark(step)} ${step.step_number} ${stepLabel(step, max)}${took}${why}`;
}

export function planLines(plan: TaskPlan): string[] {
  const lines = [`Plan: ${oneLine(plan.understanding, 200)}`];
  if (plan.approach) lines.push(`  approach: ${oneLine(plan.approach, 200)}`);
  lines.push(
    `  ${plan.complexity}, ~${plan.estimated_steps} step${plan.estimated_steps === 1 ? '' : 's'}${plan.scenario ? `, scenario ${plan.scenario}` : ''}`,
  );
  return lines;
}

/**
 * "completed in 0.1 s · 5 steps · 3 model calls · 1 tool call · 45 tokens" ("completed, goal not
 * met, in …" when the agent says so). Why a task did not complete is printed once, apart.
 */
export function outcomeLine(task: TaskResponse): string {
  const m = task.metrics;
  const state =
    task.status === 'completed' && task.result?.success === false
      ? 'completed, goal not met,'
      : task.status;
  const parts = [
    `${state} in ${duration(m.total_time_ms)}`,
    `${m.steps_executed} step${m.steps_executed === 1 ? '' : 's'}`,
    `${m.model_calls} model call${m.model_calls === 1 ? '' : 's'}`,
    `${m.tool_calls} tool call${m.tool_calls === 1 ? '' : 's'}`,
  ];
  if (m.tokens_used.total) parts.push(`${m.tokens_used.total} tokens`);
  return parts.join(' · ');
}

/** A task's answer, once: the details when they begin with the summary (they usually do). */
export function answerText(result: TaskResult): string {
  const summary = result.summary.trim();
  const details = result.details?.trim() ?? '';
  const head = summary.replace(/\.\.\.$/, '');
  if (!details || details === summary) return summary;
  return details.startsWith(head) ? details : `${summary}\n\n${details}`;
}
