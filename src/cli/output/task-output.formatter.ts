import type { TaskEvent, TaskPlan, TaskResponse, TaskStep } from '../../contracts/task.types';
import type { CliIo } from '../cli-io';
import { answerText, outcomeLine, planLines, stepLine } from './step-text';

/**
 * `-o` (docs/cli.md, `task`): text (summary and details), verbose (also plan and steps live), json.
 */
export const OUTPUT_FORMATS = ['text', 'verbose', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

/** Cuts long tool output to its first lines in verbose mode. */
function excerpt(text: string, maxLines = 8): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.length > maxLines
    ? `${lines.slice(0, maxLines).join('\n')}\n… (${lines.length - maxLines} more lines)`
    : lines.join('\n');
}

/** Writes a task's result on stdout in the chosen format; json is the TaskResponse alone. */
export class TaskOutputFormatter {
  constructor(
    private readonly io: CliIo,
    readonly format: OutputFormat,
    /** One JSON object per line (interactive) instead of pretty-printed. */
    private readonly compactJson = false,
  ) {}

  /** verbose only: what the run uses, before it starts. */
  header(text: string): void {
    if (this.format === 'verbose') this.io.out(`${text}\n`);
  }

  /** verbose only: the plan and each step as it happens, on stdout. */
  onEvent(event: TaskEvent): void {
    if (this.format !== 'verbose') return;
    if (event.type === 'plan.created') {
      this.io.out(`${planLines(event.data.plan as TaskPlan).join('\n')}\n`);
    } else if (event.type === 'step.completed') {
      const step = event.data.step as TaskStep;
      this.io.out(`${stepLine(step, 100)}\n`);
      if (step.step_type === 'tool' && step.output)
        this.io.out(`${indent(excerpt(step.output))}\n`);
    }
  }

  /**
   * The outcome: the answer of a completed task on stdout (json: the TaskResponse), and why a
   * task did not complete on stderr, each once.
   */
  result(task: TaskResponse): void {
    if (this.format === 'json') {
      this.io.out(`${this.compactJson ? JSON.stringify(task) : JSON.stringify(task, null, 2)}\n`);
    } else {
      if (this.format === 'verbose') this.io.out('\n');
      if (task.status === 'completed' && task.result) this.io.out(`${answerText(task.result)}\n`);
      if (this.format === 'verbose') {
        this.artifacts(task);
        this.io.out(`\n${outcomeLine(task)}\n`);
      }
    }
    if (task.error) this.io.err(`Task ${task.status}: ${task.error.code}: ${task.error.message}\n`);
  }

  private artifacts(task: TaskResponse): void {
    const artifacts = task.result?.artifacts ?? [];
    if (!artifacts.length) return;
    this.io.out('\nArtifacts:\n');
    for (const a of artifacts) {
      const what = a.type === 'command' ? a.command : a.path;
      const extra =
        a.exit_code !== undefined
          ? ` (exit ${a.exit_code})`
          : a.bytes !== undefined
            ? ` (${a.bytes} bytes)`
            : '';
      this.io.out(`  ${a.type} ${what ?? ''}${extra}\n`);
    }
  }
}
