import { Inject, Injectable } from '@nestjs/common';
import {
  isTerminal,
  TaskError,
  TaskEvent,
  TaskMetrics,
  TaskResult,
  TaskStep,
  TERMINAL_EVENT,
} from '../../contracts/task.types';
import { MetricsService } from '../../metrics/metrics.service';
import { StateChangeWriter } from '../store/state-change-writer';
import { TASK_STORE, TaskCompletion, TaskRecord, TaskStore } from '../store/task-store';
import { failureResult } from './failure-result';
import { RunningTasks } from './running-tasks';
import { TaskEventsService } from './task-events.service';
import { TaskProgressService } from './task-progress.service';
import { TaskQueue } from './task-queue';

/** How a task ends, as its decider says it (the time and the figures are added here). */
export type TaskEnd = Omit<TaskCompletion, 'completed_at'>;

/**
 * Told of every terminal transition as soon as it is decided (written, before its commit), with
 * a promise that resolves once it has landed and its event is published.
 */
export type TerminalListener = (record: TaskRecord, landed: Promise<void>) => void;

/**
 * The single terminal transition of a task, wherever its end comes from (its run, a cancel, its
 * deadline, a batch abort, shutdown): stored only while the task is still queued or running,
 * with its open steps closed, its figures and a result; then the run is stopped, the event
 * published once it landed, and the listeners told.
 */
@Injectable()
export class TaskCompletionService {
  /** Tasks whose end is being decided here right now (the first caller decides). */
  private readonly deciding = new Set<string>();
  /** Tasks whose end is decided but not yet committed: their record as it will be stored. */
  private readonly ending = new Map<string, TaskRecord>();
  private readonly listeners: TerminalListener[] = [];
  /** Terminal states written but not yet committed. */
  private pendingCommits = 0;

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly events: TaskEventsService,
    private readonly progress: TaskProgressService,
    private readonly stateChanges: StateChangeWriter,
    private readonly metrics: MetricsService,
    private readonly running: RunningTasks,
    private readonly queue: TaskQueue,
  ) {}

  onTerminal(listener: TerminalListener): void {
    this.listeners.push(listener);
  }

  /** The record of a task whose end is decided but not yet committed. */
  pendingEnd(taskId: string): TaskRecord | undefined {
    return this.ending.get(taskId);
  }

  /**
   * Resolves once every terminal state written so far is committed; undefined when none is
   * pending (the common case costs no promise). Answers wait for it, so nobody is shown an end
   * a crash could still take back. Never rejects: a failed commit is reported by the store.
   */
  terminalsDurable(): Promise<void> | undefined {
    if (this.pendingCommits === 0) return undefined;
    return this.store.whenDurable().catch(() => undefined);
  }

  /**
   * Ends the task with `end` unless it has ended already (or its end is being decided or
   * committed); resolves with whether this call ended it.
   */
  async finish(record: TaskRecord, end: TaskEnd): Promise<boolean> {
    const taskId = record.task_id;
    // The first end stands: another is being decided, or waits for the store.
    if (this.deciding.has(taskId) || this.ending.has(taskId)) return false;
    this.deciding.add(taskId);
    try {
      return await this.decide(record, end);
    } finally {
      this.deciding.delete(taskId);
    }
  }

  private async decide(record: TaskRecord, end: TaskEnd): Promise<boolean> {
    const taskId = record.task_id;
    const now = new Date();
    // An end is never lost to a failed read: the caller's record and no open steps then.
    const current = (await this.store.getTask(taskId).catch(() => undefined)) ?? record;
    // Steps still running close with the end, their events numbered before the terminal one.
    const closing = end.error
      ? await this.progress.closingSteps(taskId, end.error, now).catch(() => [])
      : [];
    const closingEvents: TaskEvent[] = [];
    for (const step of closing) {
      closingEvents.push(await this.events.next(taskId, 'step.completed', { step }));
    }
    const completion = this.completionOf(current, end, closing, now);
    const terminal = await this.events.next(taskId, TERMINAL_EVENT[end.status], {
      status: end.status,
      ...(completion.result ? { result: completion.result } : {}),
      ...(completion.error ? { error: completion.error } : {}),
      metrics: completion.metrics,
    });
    // The end and its terminal event are stored together, again and again until they land.
    const written = await this.stateChanges.write(`end:${taskId}`, () =>
      this.store.completeTask(taskId, completion, terminal),
    );
    // false: the store holds another end already; undefined: not written yet, retried.
    if (written.result === false) return false;
    const stored = storedRecord(current, completion);
    this.ending.set(taskId, stored);
    this.stopRun(taskId, end.status);
    this.progress.saveClosed(taskId, closing, closingEvents);
    this.announce(stored, end.status, terminal, written.landed);
    return true;
  }

  /** Ends a task the system itself gives up on (a batch abort), with no caller checks. */
  async abandon(taskId: string, error: TaskError): Promise<boolean> {
    const record = await this.store.getTask(taskId);
    if (!record || isTerminal(record.status)) return false;
    return this.finish(record, { status: 'cancelled', error });
  }

  /** What completeTask is given: the end, its time, the figures and a result. */
  private completionOf(
    record: TaskRecord,
    end: TaskEnd,
    closing: TaskStep[],
    now: Date,
  ): TaskCompletion {
    const run = this.running.get(record.task_id);
    const startedMs = record.started_at ? Date.parse(record.started_at) : now.getTime();
    const createdMs = Date.parse(record.created_at);
    const metrics: TaskMetrics = {
      ...withClosedSteps(end.metrics ?? run?.metrics ?? record.metrics, closing, now),
      total_time_ms: now.getTime() - createdMs,
      queue_time_ms: startedMs - createdMs,
    };
    const result: TaskResult =
      end.result ?? failureResult(end, run?.artifacts ?? [], startedMs, now.getTime());
    return { ...end, result, metrics, completed_at: now.toISOString() };
  }

  /** A cancel or timeout aborts the run; any end clears its deadline and its queue place. */
  private stopRun(taskId: string, status: TaskCompletion['status']): void {
    const run = this.running.get(taskId);
    if (run) {
      clearTimeout(run.timer);
      if (status === 'cancelled' || status === 'timeout') {
        this.running.abort(taskId, status === 'timeout' ? 'timeout' : 'cancel');
      }
    }
    this.queue.remove(taskId);
  }

  /**
   * The terminal state and its event commit together. Nobody outside is told before they land:
   * the event is published and the listeners' `landed` resolves then, and the HTTP edge holds
   * every answer while a terminal commit is pending (terminalsDurable). While the store cannot
   * write, both are written again until they land (StateChangeWriter).
   */
  private announce(
    stored: TaskRecord,
    status: TaskEnd['status'],
    terminal: TaskEvent,
    endLanded: Promise<void>,
  ): void {
    const taskId = stored.task_id;
    this.events.forget(taskId);
    this.metrics.taskFinished(
      status,
      stored.error?.code ?? null,
      stored.metrics.total_time_ms / 1000,
    );
    this.pendingCommits++;
    const committed = () => this.pendingCommits--;
    // A failed commit is reported by the store; answers wait for the attempt, not the retries.
    void this.store.whenDurable().then(committed, committed);
    const landed = endLanded.then(() => {
      this.ending.delete(taskId);
      this.events.publish(terminal);
    });
    for (const listener of this.listeners) listener(stored, landed);
    this.metrics.setTaskGauges(this.running.size, this.queue.size);
  }
}

/** The record as completeTask stores it: the fields it was given replace the record's. */
function storedRecord(current: TaskRecord, completion: TaskCompletion): TaskRecord {
  return {
    ...current,
    status: completion.status,
    completed_at: completion.completed_at,
    result: completion.result ?? null,
    metrics: completion.metrics ?? current.metrics,
    ...(completion.error !== undefined ? { error: completion.error } : {}),
    ...(completion.plan !== undefined ? { plan: completion.plan } : {}),
  };
}

/** The figures with the steps the task's end closes counted in (tool time up to now). */
function withClosedSteps(metrics: TaskMetrics, closed: TaskStep[], now: Date): TaskMetrics {
  if (!closed.length) return metrics;
  const toolMs = closed
    .filter((s) => s.step_type === 'tool')
    .reduce((ms, s) => ms + Math.max(0, now.getTime() - Date.parse(s.started_at)), 0);
  return {
    ...metrics,
    steps_executed: metrics.steps_executed + closed.length,
    tool_time_ms: metrics.tool_time_ms + toolMs,
  };
}
