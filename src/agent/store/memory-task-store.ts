import { TaskNotFoundError } from '../../common/errors';
import { isTerminal, TaskEvent, TaskMetrics, TaskPlan, TaskStep } from '../../contracts/task.types';
import { duplicateEvent, taskInterruptedError, taskInterruptedEvent } from './task-interrupted';
import { checkListLimit, decodeTaskCursor, encodeTaskCursor } from './task-list.paging';
import type {
  BatchRecord,
  TaskCompletion,
  TaskListFilter,
  TaskPage,
  TaskRecord,
  TaskStore,
} from './task-store';

interface StoredTask {
  seq: number;
  record: TaskRecord;
}

/** JSON round trip, so stored values behave exactly as the SQLite driver's JSON columns do. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const isOpen = (t: TaskRecord) => t.status === 'queued' || t.status === 'running';

/**
 * `storage.driver = "memory"`: the same contract as the other drivers, held in Maps and lost on
 * exit. Every value goes in and comes out as a copy, so callers can never mutate stored state.
 */
export class MemoryTaskStore implements TaskStore {
  readonly driver = 'memory' as const;
  private readonly tasks = new Map<string, StoredTask>();
  /** Ascending by seq; the list order and cursor positions come from it. */
  private order: StoredTask[] = [];
  private readonly steps = new Map<string, Map<number, TaskStep>>();
  private readonly events = new Map<string, TaskEvent[]>();
  private readonly batches = new Map<string, BatchRecord>();
  private nextSeq = 1;
  private closed = false;

  async insertTask(task: TaskRecord, first?: TaskEvent): Promise<boolean> {
    this.assertOpen();
    if (this.tasks.has(task.task_id)) return false;
    if (first && first.task_id !== task.task_id) throw new TaskNotFoundError(first.task_id);
    const stored = {
      seq: this.nextSeq++,
      record: copy({ ...task, metadata: task.metadata ?? {} }),
    };
    this.tasks.set(task.task_id, stored);
    this.order.push(stored);
    if (first) this.addEvent(first);
    return true;
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    this.assertOpen();
    const stored = this.tasks.get(taskId);
    return stored && copy(stored.record);
  }

  async markRunning(taskId: string, startedAt: string): Promise<boolean> {
    const t = this.find(taskId);
    if (t?.status !== 'queued') return false;
    t.status = 'running';
    t.started_at = startedAt;
    return true;
  }

  async updateProgress(
    taskId: string,
    patch: { plan?: TaskPlan | null; metrics?: TaskMetrics },
  ): Promise<void> {
    const t = this.find(taskId);
    if (!t || !isOpen(t)) return;
    if (patch.plan !== undefined) t.plan = copy(patch.plan);
    if (patch.metrics !== undefined) t.metrics = copy(patch.metrics);
  }

  async completeTask(taskId: string, c: TaskCompletion, terminal?: TaskEvent): Promise<boolean> {
    const t = this.find(taskId);
    if (!t || !isOpen(t)) return false;
    // The event first: a duplicate seq refuses the whole transition, as a transaction would.
    if (terminal) this.addEvent(terminal);
    t.status = c.status;
    t.completed_at = c.completed_at;
    if (c.result !== undefined) t.result = copy(c.result);
    if (c.error !== undefined) t.error = copy(c.error);
    if (c.metrics !== undefined) t.metrics = copy(c.metrics);
    if (c.plan !== undefined) t.plan = copy(c.plan);
    return true;
  }

  async listTasks(filter: TaskListFilter): Promise<TaskPage> {
    this.assertOpen();
    const limit = checkListLimit(filter);
    let i = this.order.length - 1;
    if (filter.cursor !== undefined) i = this.lastIndexBelow(decodeTaskCursor(filter.cursor));
    const found: StoredTask[] = [];
    for (; i >= 0 && found.length <= limit; i--) {
      const { record: t } = this.order[i];
      if (filter.owner !== undefined && t.owner !== filter.owner) continue;
      if (filter.status !== undefined && t.status !== filter.status) continue;
      if (filter.priority !== undefined && t.priority !== filter.priority) continue;
      found.push(this.order[i]);
    }
    const more = found.length > limit;
    const page = more ? found.slice(0, limit) : found;
    return {
      items: page.map((s) => copy(s.record)),
      next_cursor: more ? encodeTaskCursor(page[page.length - 1].seq) : null,
    };
  }

  async queuedTasks(): Promise<TaskRecord[]> {
    this.assertOpen();
    return this.order.filter((s) => s.record.status === 'queued').map((s) => copy(s.record));
  }

  async saveStep(taskId: string, step: TaskStep): Promise<void> {
    this.requireTask(taskId);
    let steps = this.steps.get(taskId);
    if (!steps) this.steps.set(taskId, (steps = new Map()));
    steps.set(step.step_number, copy({ ...step, input: step.input ?? {} }));
  }

  async getSteps(taskId: string): Promise<TaskStep[]> {
    this.assertOpen();
    const steps = [...(this.steps.get(taskId)?.values() ?? [])];
    return copy(steps.sort((a, b) => a.step_number - b.step_number));
  }

  async appendEvent(event: TaskEvent): Promise<void> {
    this.requireTask(event.task_id);
    this.addEvent(event);
  }

  async lastEventSeq(taskId: string): Promise<number> {
    this.assertOpen();
    return this.events.get(taskId)?.at(-1)?.seq ?? 0;
  }

  private addEvent(event: TaskEvent): void {
    let list = this.events.get(event.task_id);
    if (!list) this.events.set(event.task_id, (list = []));
    const stored = copy({ ...event, data: event.data ?? {} });
    const last = list.at(-1);
    if (!last || last.seq < event.seq) {
      list.push(stored);
      return;
    }
    if (list.some((e) => e.seq === event.seq)) throw duplicateEvent(event);
    list.splice(
      list.findIndex((e) => e.seq > event.seq),
      0,
      stored,
    );
  }

  async getEvents(taskId: string, afterSeq = 0): Promise<TaskEvent[]> {
    this.assertOpen();
    return copy((this.events.get(taskId) ?? []).filter((e) => e.seq > afterSeq));
  }

  async insertBatch(batch: BatchRecord): Promise<void> {
    this.assertOpen();
    if (this.batches.has(batch.batch_id)) {
      throw new Error(`Batch ${batch.batch_id} already exists.`);
    }
    this.batches.set(batch.batch_id, copy(batch));
  }

  async getBatch(batchId: string): Promise<BatchRecord | undefined> {
    this.assertOpen();
    const batch = this.batches.get(batchId);
    return batch && copy(batch);
  }

  async completeBatch(batchId: string, completedAt: string): Promise<void> {
    this.assertOpen();
    const batch = this.batches.get(batchId);
    if (batch && batch.completed_at === null) batch.completed_at = completedAt;
  }

  async interruptRunning(now: string): Promise<string[]> {
    this.assertOpen();
    const ids: string[] = [];
    for (const { record: t } of this.order) {
      if (t.status !== 'running') continue;
      t.status = 'failed';
      t.completed_at = now;
      t.error = taskInterruptedError();
      const events = this.events.get(t.task_id) ?? [];
      this.addEvent(taskInterruptedEvent(t.task_id, (events.at(-1)?.seq ?? 0) + 1, now));
      ids.push(t.task_id);
    }
    return ids;
  }

  async purgeCompletedBefore(before: string): Promise<number> {
    this.assertOpen();
    const doomed = (t: TaskRecord) =>
      isTerminal(t.status) && t.completed_at !== null && t.completed_at < before;
    const kept = this.order.filter((s) => !doomed(s.record));
    const removed = this.order.length - kept.length;
    for (const { record: t } of this.order) {
      if (!doomed(t)) continue;
      this.tasks.delete(t.task_id);
      this.steps.delete(t.task_id);
      this.events.delete(t.task_id);
    }
    this.order = kept;
    for (const [id, batch] of this.batches) {
      if (batch.created_at < before && !batch.task_ids.some((tid) => this.tasks.has(tid))) {
        this.batches.delete(id);
      }
    }
    return removed;
  }

  /** Nothing to wait for: memory is as durable as it gets. */
  whenDurable(): Promise<void> {
    return Promise.resolve();
  }

  async ping(): Promise<{ ok: boolean; reason?: string }> {
    return this.closed ? { ok: false, reason: 'task store is closed' } : { ok: true };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The task store is closed.');
  }

  /** The live stored record (never handed out). */
  private find(taskId: string): TaskRecord | undefined {
    this.assertOpen();
    return this.tasks.get(taskId)?.record;
  }

  private requireTask(taskId: string): void {
    if (!this.find(taskId)) throw new TaskNotFoundError(taskId);
  }

  /** Index of the newest task with seq below `seq`, or -1. */
  private lastIndexBelow(seq: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.order[mid].seq < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}
