import { Inject, Injectable } from '@nestjs/common';
import { TaskEvent, TaskEventType } from '../../contracts/task.types';
import { StateChangeWriter } from '../store/state-change-writer';
import { DuplicateEventError } from '../store/task-interrupted';
import { TASK_STORE, TaskStore } from '../store/task-store';

export type TaskEventListener = (event: TaskEvent) => void;

/**
 * Every state change and step is an event: numbered per task, stored, then published to live
 * listeners (SSE streams, waiting callers). Listeners must not block: they are called in-line.
 */
@Injectable()
export class TaskEventsService {
  /** The last seq given out, per task this process writes events for. */
  private readonly seqs = new Map<string, number>();
  /** A task whose numbering is being read from the store (its first event here after a restart). */
  private readonly loading = new Map<string, Promise<void>>();
  private readonly listeners = new Map<string, Set<TaskEventListener>>();

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly stateChanges: StateChangeWriter,
  ) {}

  /**
   * Numbers, stores and publishes an event. Its write is retried until it lands
   * (StateChangeWriter); the promise resolves once it is numbered and handed to the writer.
   */
  async emit(
    taskId: string,
    type: TaskEventType,
    data: Record<string, unknown>,
  ): Promise<TaskEvent> {
    const event = await this.next(taskId, type, data);
    this.record(event);
    return event;
  }

  /** Stores (until it lands) and publishes an event numbered by {@link next}. */
  record(event: TaskEvent): void {
    void this.write(event);
    this.publish(event);
  }

  /**
   * The next event of a task, numbered but neither stored nor published: for writes that store
   * an event together with a state change (a task's insert, its end).
   */
  async next(
    taskId: string,
    type: TaskEventType,
    data: Record<string, unknown>,
  ): Promise<TaskEvent> {
    if (!this.seqs.has(taskId)) await this.loadNumbering(taskId);
    const seq = this.seqs.get(taskId)! + 1;
    this.seqs.set(taskId, seq);
    return { task_id: taskId, seq, type, timestamp: new Date().toISOString(), data };
  }

  /** The first event of a task that is being inserted: seq 1, no store read. */
  first(taskId: string, type: TaskEventType, data: Record<string, unknown>): TaskEvent {
    this.seqs.set(taskId, 1);
    return { task_id: taskId, seq: 1, type, timestamp: new Date().toISOString(), data };
  }

  /** Reads where a task's numbering stands, once, however many events wait for it. */
  private loadNumbering(taskId: string): Promise<void> {
    let loading = this.loading.get(taskId);
    if (!loading) {
      loading = this.store
        .lastEventSeq(taskId)
        .then((last) => {
          if (!this.seqs.has(taskId)) this.seqs.set(taskId, last);
        })
        .finally(() => this.loading.delete(taskId));
      this.loading.set(taskId, loading);
    }
    return loading;
  }

  /** Stores an event until it lands; a retry that finds it stored (its commit did land) is done. */
  private write(event: TaskEvent): Promise<void> {
    let attempts = 0;
    return this.stateChanges.track(`event:${event.task_id}:${event.seq}`, async () => {
      try {
        await this.store.appendEvent(event);
      } catch (err) {
        if (attempts++ > 0 && err instanceof DuplicateEventError) return;
        throw err;
      }
      attempts++;
    });
  }

  /** Hands a recorded event to the task's live listeners. */
  publish(event: TaskEvent): void {
    const subs = this.listeners.get(event.task_id);
    if (subs) for (const listener of [...subs]) listener(event);
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

  history(taskId: string, afterSeq = 0): Promise<TaskEvent[]> {
    return this.store.getEvents(taskId, afterSeq);
  }
}
