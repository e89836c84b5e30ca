import type { TaskEvent, TaskPlan, TaskResponse, TaskStep } from '../../contracts/task.types';
import type { CliIo } from '../cli-io';
import { taskSucceeded } from '../exit-codes';
import { duration, oneLine, outcomeLine, planLines, stepLabel, stepLine } from './step-text';

/** live: one redrawn status line on a terminal; plain: a line per event; off: nothing. */
export type ProgressMode = 'live' | 'plain' | 'off';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[2K';

/**
 * Task progress on stderr (stdout stays for results): the plan, each step as it starts and ends
 * with its duration, and the outcome. On a terminal the running step is one line redrawn with a
 * spinner and a clock; elsewhere every event is one plain line.
 */
export class TaskProgressRenderer {
  private timer?: NodeJS.Timeout;
  private frame = 0;
  private status = 'queued';
  private current?: { step: TaskStep; since: number };
  private readonly startedAt = Date.now();

  constructor(
    private readonly io: CliIo,
    readonly mode: ProgressMode,
  ) {}

  /** A line shown before the task starts (model in use, working directory). */
  header(text: string): void {
    if (this.mode !== 'off')
      this.io.err(`${this.mode === 'plain' ? '[agent-runner] ' : ''}${text}\n`);
  }

  note(text: string): void {
    if (this.mode === 'off') return;
    this.print(text);
  }

  onEvent(event: TaskEvent): void {
    if (this.mode === 'off') return;
    const step = event.data.step as TaskStep | undefined;
    switch (event.type) {
      case 'task.queued':
        if (this.mode === 'plain') this.print(`task ${event.task_id} queued`);
        this.startSpinner();
        break;
      case 'task.started':
        this.status = 'running';
        if (this.mode === 'plain') this.print('task started');
        break;
      case 'plan.created':
        for (const line of planLines(event.data.plan as TaskPlan)) this.print(line);
        break;
      case 'step.started':
        if (!step) break;
        this.current = { step, since: Date.now() };
        if (this.mode === 'plain') this.print(`▸ ${step.step_number} ${stepLabel(step)}`);
        else this.redraw();
        break;
      case 'step.completed':
        if (!step) break;
        if (this.current?.step.step_number === step.step_number) this.current = undefined;
        this.print(stepLine(step));
        break;
      default:
        this.stopSpinner();
    }
  }

  /** The outcome line; stops the spinner. */
  finish(task: TaskResponse): void {
    this.stopSpinner();
    if (this.mode === 'off') return;
    const mark = taskSucceeded(task) ? '✓' : task.status === 'cancelled' ? '⊘' : '✗';
    this.print(`${mark} ${outcomeLine(task)}`);
  }

  /** Stops redrawing (always call it, even when the run fails). */
  dispose(): void {
    this.stopSpinner();
  }

  private print(line: string): void {
    if (this.mode === 'live') {
      this.io.err(`${CLEAR_LINE}${line}\n`);
      this.redraw();
    } else {
      this.io.err(`[agent-runner] ${line}\n`);
    }
  }

  private startSpinner(): void {
    if (this.mode !== 'live' || this.timer) return;
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % FRAMES.length;
      this.redraw();
    }, 100);
    this.timer.unref();
  }

  private stopSpinner(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.io.err(CLEAR_LINE);
  }

  private redraw(): void {
    if (this.mode !== 'live' || !this.timer) return;
    const now = Date.now();
    const what = this.current
      ? `${this.current.step.step_number} ${stepLabel(this.current.step)} ${duration(now - this.current.since)}`
      : this.status;
    const line = `${FRAMES[this.frame]} ${what} · ${duration(now - this.startedAt)}`;
    this.io.err(`${CLEAR_LINE}${oneLine(line, Math.max(20, this.io.columns - 1))}`);
  }
}
