import { Inject, Injectable } from '@nestjs/common';
import {
  isTerminal,
  TaskError,
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
   * Ends the task with `end` unless it has ended already (or its end is being committed);
   * returns whether this call ended it.
   */
  finish(record: TaskRecord, end: TaskEnd): boolean {
    // Its end is decided already and waits for the store: the first end stands.
    if (this.ending.has(record.task_id)) return false;
    const now = new Date();
    const current = this.store.getTask(record.task_id) ?? record;
    const completion = this.completionOf(current, end, now);
    const written = this.stateChanges.write(`end:${record.task_id}`, () =>
      this.store.completeTask(record.task_id, completion),
    );
    // false: the store holds another end already; undefined: not written yet, retried.
    if (written.result === false) return false;
    const stored = storedRecord(current, completion);
    this.ending.set(record.task_id, stored);
    if (end.error) this.progress.closeOpenSteps(record.task_id, end.error, now);
    this.stopRun(record.task_id, end.status);
    this.announce(stored, end.status, written.landed);
    return true;
  }

  /** Ends a task the system itself gives up on (a batch abort), with no caller checks. */
  abandon(taskId: string, error: TaskError): boolean {
    const record = this.store.getTask(taskId);
    return (
      !!record && !isTerminal(record.status) && this.finish(record, { status: 'cancelled', error })
    );
  }

  /** What completeTask is given: the end, its time, the figures and a result. */
  private completionOf(record: TaskRecord, end: TaskEnd, now: Date): TaskCompletion {
    const run = this.running.get(record.task_id);
    const startedMs = record.started_at ? Date.parse(record.started_at) : now.getTime();
    const createdMs = Date.parse(record.created_at);
    // Steps still running are closed with the end; their time and count belong to its figures.
    const open = end.error ? this.progress.openSteps(record.task_id) : [];
    const metrics: TaskMetrics = {
      ...withClosedSteps(end.metrics ?? run?.metrics ?? record.metrics, open, now),
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
   * The terminal state and its event commit with the turn's other writes. Nobody outside is told
   * before they land: the event is published and the listeners' `landed` resolves then, and the
   * HTTP edge holds every answer while a terminal commit is pending (terminalsDurable). While the
   * store cannot write, both are written again until they land (StateChangeWriter).
   */
  private announce(stored: TaskRecord, status: TaskEnd['status'], endLanded: Promise<void>): void {
    const taskId = stored.task_id;
    const terminal = this.events.record(taskId, TERMINAL_EVENT[status], {
      status,
      ...(stored.result ? { result: stored.result } : {}),
      ...(stored.error ? { error: stored.error } : {}),
      metrics: stored.metrics,
    });
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
    const landed = Promise.all([endLanded, terminal.landed]).then(() => {
      this.ending.delete(taskId);
      this.events.publish(terminal.event);
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
function withClosedSteps(metrics: TaskMetrics, open: TaskStep[], now: Date): TaskMetrics {
  if (!open.length) return metrics;
  const toolMs = open
    .filter((s) => s.step_type === 'tool')
    .reduce((ms, s) => ms + Math.max(0, now.getTime() - Date.parse(s.started_at)), 0);
  return {
    ...metrics,
    steps_executed: metrics.steps_executed + open.length,
    tool_time_ms: metrics.tool_time_ms + toolMs,
  };
}
