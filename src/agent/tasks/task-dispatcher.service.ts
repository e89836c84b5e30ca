import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
} from '@nestjs/common';
import { isTerminal, TaskPriority } from '../../contracts/task.types';
import { AppConfigService } from '../../config/app-config.service';
import { MetricsService } from '../../metrics/metrics.service';
import { TaskProcessor } from '../loop/task-agent.types';
import { StateChangeWriter } from '../store/state-change-writer';
import { readWhileUnavailable } from '../store/store-retry';
import { TASK_STORE, TaskRecord, TaskStore } from '../store/task-store';
import { RunningTasks, RunningTask } from './running-tasks';
import { TaskCompletionService, TaskEnd } from './task-completion.service';
import { TaskEventsService } from './task-events.service';
import { TaskIntake } from './task-intake';
import { TaskProgressService } from './task-progress.service';
import { TaskQueue } from './task-queue';
import { emptyMetrics } from './task-views';

/** How long a stop waits for interrupted runs to unwind (their processes killed). */
const UNWIND_MS = 2500;

const INTERNAL_FAILURE: TaskEnd = {
  status: 'failed',
  error: {
    code: 'INTERNAL_ERROR',
    message: 'The task failed with an internal error.',
    details: null,
  },
};

const INTERRUPTED: TaskEnd = {
  status: 'failed',
  error: {
    code: 'TASK_INTERRUPTED',
    message: 'The service shut down while the task was running.',
    details: null,
  },
};

/**
 * Runs queued tasks under `max_concurrent_tasks`: marks each running, gives it a deadline and an
 * AbortSignal, hands it to the agent, and frees the slot once the agent has really stopped.
 * Graceful shutdown gives running tasks the grace, then interrupts them.
 */
@Injectable()
export class TaskDispatcherService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(TaskDispatcherService.name);
  /** Nothing starts before restart recovery has run (see TaskRecoveryService). */
  private started = false;
  /** Slots taken by tasks being started (their store write is in flight). */
  private starting = 0;

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly queue: TaskQueue,
    private readonly running: RunningTasks,
    private readonly completion: TaskCompletionService,
    private readonly progress: TaskProgressService,
    private readonly events: TaskEventsService,
    private readonly agent: TaskProcessor,
    private readonly intake: TaskIntake,
    private readonly stateChanges: StateChangeWriter,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
  ) {}

  /** Starts dispatching (after recovery queued what the last stop left). */
  begin(): void {
    this.started = true;
    this.dispatch();
  }

  /** Puts an acknowledged task in the run queue. */
  enqueue(taskId: string, priority: TaskPriority): void {
    this.queue.push(taskId, priority);
    this.dispatch();
  }

  private dispatch(): void {
    if (this.started) {
      const limit = this.config.get('service').max_concurrent_tasks;
      while (this.intake.accepting && this.running.size + this.starting < limit) {
        const taskId = this.queue.pop();
        if (taskId === undefined) break;
        this.starting++;
        void this.start(taskId)
          .catch((err: unknown) =>
            this.logger.error(`could not start task ${taskId}: ${(err as Error).message}`),
          )
          .finally(() => {
            this.starting--;
            this.dispatch();
          });
      }
    }
    this.metrics.setTaskGauges(this.running.size, this.queue.size);
  }

  /** Takes the slot reserved by dispatch until the run ends (or the task was not queued any more). */
  private async start(taskId: string): Promise<void> {
    const now = new Date();
    const startedAt = now.toISOString();
    const marked = await this.stateChanges.write(`start:${taskId}`, () =>
      this.store.markRunning(taskId, startedAt),
    );
    // false: not queued any more; undefined: not written yet, retried until it lands.
    if (marked.result === false) return;
    const stored = await this.read(taskId);
    // Ended meanwhile (a cancel between the queue and the store): nothing to run. (Still
    // `queued` when the start waits for the store: it runs, and the start lands later.)
    if (!stored || isTerminal(stored.status) || this.completion.pendingEnd(taskId)) return;
    const record: TaskRecord = { ...stored, status: 'running', started_at: startedAt };
    const timeoutMs = this.timeoutSeconds(record) * 1000;
    const run: RunningTask = {
      controller: new AbortController(),
      timer: setTimeout(() => void this.timedOut(taskId, timeoutMs / 1000), timeoutMs),
      done: Promise.resolve(),
      metrics: emptyMetrics(),
      artifacts: [],
    };
    this.running.set(taskId, run);
    // Numbered before anything the run emits; its write is retried by the writer, so the run
    // never waits on it (and a failure here must not leave the slot taken).
    this.events
      .emit(taskId, 'task.started', { status: 'running', started_at: startedAt })
      .catch((err: unknown) =>
        this.logger.error(`task ${taskId}: task.started not recorded: ${(err as Error).message}`),
      );
    run.done = this.run(record, run, now.getTime() + timeoutMs);
  }

  private async timedOut(taskId: string, seconds: number): Promise<void> {
    const record = await this.read(taskId);
    if (!record) return;
    await this.completion.finish(record, {
      status: 'timeout',
      error: {
        code: 'TASK_TIMEOUT',
        message: `The task did not finish within ${seconds} s.`,
        details: { timeout_seconds: seconds },
      },
    });
  }

  /** A read a state change depends on: retried while the store cannot be reached. */
  private read(taskId: string): Promise<TaskRecord | undefined> {
    return readWhileUnavailable(
      () => this.store.getTask(taskId),
      () => !this.intake.accepting,
    );
  }

  private timeoutSeconds(record: TaskRecord): number {
    const limit = this.config.get('execution').timeout_seconds;
    const asked =
      record.request.context?.constraints?.max_execution_time ??
      this.config.get('service').default_task_timeout;
    return Math.max(1, Math.min(asked, limit));
  }

  private async run(record: TaskRecord, run: RunningTask, deadline: number): Promise<void> {
    const taskId = record.task_id;
    const end = await this.outcomeOf(record, run, deadline);
    try {
      // A cancel or timeout already recorded its terminal state; this late result is dropped.
      const current = await this.read(taskId);
      if (current) await this.completion.finish(current, end);
    } catch (e) {
      this.logger.error(`could not record the end of task ${taskId}: ${(e as Error).message}`);
    } finally {
      this.release(taskId);
    }
  }

  /** What the agent made of the task; a crash of the agent is an internal failure. */
  private async outcomeOf(
    record: TaskRecord,
    run: RunningTask,
    deadline: number,
  ): Promise<TaskEnd> {
    const taskId = record.task_id;
    const signal = run.controller.signal;
    try {
      const outcome = await this.agent.processTask({
        record,
        signal,
        deadline,
        metrics: run.metrics,
        artifacts: run.artifacts,
        // Once cancelled or timed out the task is terminal: nothing more is recorded for it.
        onPlan: (plan) => {
          if (!signal.aborted) void this.progress.plan(taskId, plan);
        },
        onStep: (step, phase) => {
          if (!signal.aborted) void this.progress.step(taskId, step, phase);
        },
      });
      return { ...outcome, result: outcome.result ?? null, error: outcome.error ?? null };
    } catch (e) {
      this.logger.error(`task ${taskId} crashed: ${(e as Error).stack ?? String(e)}`);
      return INTERNAL_FAILURE;
    }
  }

  /** Frees the run slot once the agent has actually stopped (processes killed, model call aborted). */
  private release(taskId: string): void {
    const run = this.running.get(taskId);
    if (!run) return;
    clearTimeout(run.timer);
    this.running.delete(taskId);
    this.dispatch();
  }

  /**
   * Graceful shutdown: stop taking and starting tasks, give running ones `shutdown_grace_seconds`
   * to finish, then stop the rest as TASK_INTERRUPTED. Queued tasks stay queued in the store and
   * run after the restart.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.intake.close();
    if (this.running.size === 0) return;
    const graceMs = this.config.get('service').shutdown_grace_seconds * 1000;
    this.logger.log(
      `shutting down: waiting up to ${graceMs / 1000} s for ${this.running.size} running task(s)`,
    );
    await this.allStopped(graceMs);
    for (const taskId of [...this.running.keys()]) {
      // A store that cannot be read now: the run stops anyway; the next start interrupts it.
      const record = await this.store.getTask(taskId).catch(() => undefined);
      if (record && isTerminal(record.status)) continue;
      if (record) await this.completion.finish(record, INTERRUPTED).catch(() => false);
      this.running.abort(taskId, 'shutdown');
    }
    // Wait (boundedly) for the aborted runs to unwind so their processes are gone (SIGKILL
    // follows SIGTERM after 2 s); the whole stop must fit in the grace plus 5 s.
    await this.allStopped(UNWIND_MS);
  }

  /** Resolves when every run has stopped or `ms` has passed. */
  private async allStopped(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.running.values()].map((r) => r.done)),
      new Promise((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }

  /** Last resort after the graceful drain: nothing may keep running once the app is closed. */
  onApplicationShutdown(): void {
    for (const taskId of this.running.keys()) this.running.abort(taskId, 'shutdown');
  }
}
