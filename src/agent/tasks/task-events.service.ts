import { Inject, Injectable } from '@nestjs/common';
import { StateChangeWriter } from '../store/state-change-writer';
import { DuplicateEventError } from '../store/task-interrupted';
import { TASK_STORE, TaskStore } from '../store/task-store';
import { TaskEvent, TaskEventType } from '../../contracts/task.types';

export type TaskEventListener = (event: TaskEvent) => void;

/**
 * Every state change and step is an event: numbered per task, stored, then published to live
 * listeners (SSE streams, waiting callers). Listeners must not block: they are called in-line.
 */
@Injectable()
export class TaskEventsService {
  private readonly seqs = new Map<string, number>();
  private readonly listeners = new Map<string, Set<TaskEventListener>>();

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly stateChanges: StateChangeWriter,
  ) {}

  /**
   * Numbers, stores and publishes an event at once. Its write is retried until it lands
   * (StateChangeWriter); `retry: false` is for a submission's first event, which commits with the
   * task's insert or not at all.
   */
  emit(
    taskId: string,
    type: TaskEventType,
    data: Record<string, unknown>,
    options: { retry?: boolean } = {},
  ): TaskEvent {
    const event = this.next(taskId, type, data);
    if (options.retry === false) this.store.appendEvent(event);
    else this.write(event);
    this.publish(event);
    return event;
  }

  /**
   * Numbers and stores an event without publishing it (the caller publishes it once `landed`
   * resolves, e.g. a terminal event once its commit is durable).
   */
  record(
    taskId: string,
    type: TaskEventType,
    data: Record<string, unknown>,
  ): { event: TaskEvent; landed: Promise<void> } {
    const event = this.next(taskId, type, data);
    return { event, landed: this.write(event) };
  }

  private next(taskId: string, type: TaskEventType, data: Record<string, unknown>): TaskEvent {
    let seq = this.seqs.get(taskId);
    if (seq === undefined) {
      const past = this.store.getEvents(taskId);
      seq = past.length ? past[past.length - 1].seq : 0;
    }
    seq += 1;
    this.seqs.set(taskId, seq);
    return { task_id: taskId, seq, type, timestamp: new Date().toISOString(), data };
  }

  /** Stores an event until it lands; a retry that finds it stored (its commit did land) is done. */
  private write(event: TaskEvent): Promise<void> {
    let attempts = 0;
    return this.stateChanges.write(`event:${event.task_id}:${event.seq}`, () => {
      try {
        this.store.appendEvent(event);
      } catch (err) {
        if (attempts++ > 0 && err instanceof DuplicateEventError) return;
        throw err;
      }
      attempts++;
    }).landed;
  }

  /** Hands a recorded event to the task's live listeners. */
  publish(event: TaskEvent): void {
    const subs = this.listeners.get(event.task_id);
    if (subs) for (const listener of [...subs]) listener(event);
  }

  /** Starts numbering a task that was just inserted, so its first event needs no store lookup. */
  startNumbering(taskId: string): void {
    if (!this.seqs.has(taskId)) this.seqs.set(taskId, 0);
  }

  /** Stops numbering a finished task in memory (its events stay in the store). */
  forget(taskId: string): void {
    this.seqs.delete(taskId);
  }

  subscribe(taskId: string, listener: TaskEventListener): () => void {
    let subs = this.listeners.get(taskId);
    if (!subs) this.listeners.set(taskId, (subs = new Set()));
    subs.add(listener);
    return () => {
      subs.delete(listener);
      if (subs.size === 0) this.listeners.delete(taskId);
    };
  }

  history(taskId: string, afterSeq = 0): TaskEvent[] {
    return this.store.getEvents(taskId, afterSeq);
  }
}
