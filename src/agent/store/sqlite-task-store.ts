import Database from 'better-sqlite3';
import { TaskNotFoundError } from '../../common/errors';
import type { TaskEvent, TaskMetrics, TaskPlan, TaskStep } from '../../contracts/task.types';
import { openSqliteFile } from './sqlite-file';
import {
  BatchRow,
  EventRow,
  StepRow,
  TaskRow,
  batchFromRow,
  batchParams,
  eventFromRow,
  eventParams,
  stepFromRow,
  stepParams,
  taskFromRow,
  taskParams,
} from './sqlite-task-rows';
import { TaskStatements, prepareTaskStatements } from './sqlite-task-statements';
import { StoreWriteError, isStoreUnavailable } from './store-write-error';
import { duplicateEvent, taskInterruptedError, taskInterruptedEvent } from './task-interrupted';
import { taskListQuery } from './sqlite-task-list';
import { checkListLimit, encodeTaskCursor } from './task-list.paging';
import type {
  BatchRecord,
  TaskCompletion,
  TaskListFilter,
  TaskPage,
  TaskRecord,
  TaskStore,
} from './task-store';

/** Tuning knobs of the SQLite driver. */
export interface SqliteTaskStoreOptions {
  /** How long a write waits for another process's lock before failing (SQLITE_BUSY). */
  busyTimeoutMs?: number;
  /** The readiness ping waits at most this long for a lock, so a probe never stalls the event loop. */
  pingBusyTimeoutMs?: number;
  /**
   * Group commit (default true): the writes of one event-loop turn share one transaction,
   * committed at the end of the turn (setImmediate), on close, before a ping and at process exit.
   * A commit per write costs more than the write itself; false commits every write alone.
   */
  groupCommit?: boolean;
  /** Told when a turn's writes are lost (a failed commit, or an error that rolled them back); default: stderr. */
  onCommitError?: (err: Error) => void;
}

type Statement = Database.Statement;

const flag = (present: boolean) => (present ? 1 : 0);

/**
 * The default store (docs/api.md, Lifecycle and guarantees): one embedded SQLite file in WAL mode with `synchronous=NORMAL`
 * (a commit is durable against a process crash; a power cut may lose the last few), every
 * statement prepared once. Reads on this connection see every write at once. The writes of one
 * event-loop turn are committed together at its end (group commit), and callers that tell a
 * client about a write first wait for {@link whenDurable}: an accepted task survives a SIGKILL
 * right after its 202, and a terminal state one right after the answer that showed it. A SIGKILL
 * can lose at most one turn of steps and events of running tasks, which nobody was promised.
 */
export class SqliteTaskStore implements TaskStore {
  readonly driver = 'sqlite' as const;
  /** How long the start-up integrity check (PRAGMA quick_check) took; undefined in memory. */
  readonly integrityCheckMs: number | undefined;
  private readonly db: Database.Database;
  private readonly pingBusyTimeoutMs: number;
  private readonly busyTimeoutMs: number;
  private readonly listStatements = new Map<string, Statement>();
  private readonly s: TaskStatements;
  private readonly interruptTx: (now: string) => string[];
  private readonly purgeTx: (before: string) => number;
  /** The conditional end and its terminal event, both or neither (a savepoint in the turn). */
  private readonly completeTx: (params: Record<string, unknown>, terminal?: TaskEvent) => boolean;
  private readonly groupCommit: boolean;
  private readonly onCommitError: (err: Error) => void;
  private groupOpen = false;
  private readonly commitAtTurnEnd = (): void => this.flush();
  private readonly commitAtExit = (): void => this.flush();

  constructor(
    readonly filePath: string,
    options: SqliteTaskStoreOptions = {},
  ) {
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.pingBusyTimeoutMs = options.pingBusyTimeoutMs ?? 250;
    this.groupCommit = options.groupCommit ?? true;
    this.onCommitError =
      options.onCommitError ??
      ((err) => console.error(`task store: a group commit failed: ${err.message}`));
    ({ db: this.db, integrityCheckMs: this.integrityCheckMs } = openSqliteFile(
      filePath,
      this.busyTimeoutMs,
    ));
    this.s = prepareTaskStatements(this.db);
    this.interruptTx = this.db.transaction((now: string) => this.interruptAll(now));
    this.completeTx = this.db.transaction(
      (params: Record<string, unknown>, terminal?: TaskEvent) => {
        const applied = this.s.completeTask.run(params).changes === 1;
        if (applied && terminal) this.insertEvent(terminal);
        return applied;
      },
    );
    this.purgeTx = this.db.transaction((before: string) => {
      const removed = this.s.purgeTasks.run({ before }).changes;
      this.s.purgeBatches.run({ before });
      return removed;
    });
    if (this.groupCommit) process.on('exit', this.commitAtExit);
  }

  /** The applied journal mode (`wal` for a file, `memory` for `:memory:`). */
  get journalMode(): string {
    return this.db.pragma('journal_mode', { simple: true }) as string;
  }

  async insertTask(task: TaskRecord, first?: TaskEvent): Promise<boolean> {
    this.joinGroup();
    // Committed with the turn; the HTTP edge acknowledges only after whenDurable().
    return this.guard(() => {
      const inserted = this.s.insertTask.run(taskParams(task)).changes === 1;
      if (!inserted || !first) return inserted;
      try {
        this.insertEvent(first);
      } catch (err) {
        // Both or neither, without a savepoint per submission: nothing else wrote in between.
        if (!isStoreUnavailable(err)) this.s.deleteTask.run(task.task_id);
        throw err;
      }
      return true;
    });
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    const row = this.s.getTask.get(taskId) as TaskRow | undefined;
    return row && taskFromRow(row);
  }

  async markRunning(taskId: string, startedAt: string): Promise<boolean> {
    this.joinGroup();
    return this.guard(() => this.s.markRunning.run(startedAt, taskId)).changes === 1;
  }

  async updateProgress(
    taskId: string,
    patch: { plan?: TaskPlan | null; metrics?: TaskMetrics },
  ): Promise<void> {
    this.joinGroup();
    const params = {
      task_id: taskId,
      set_plan: flag(patch.plan !== undefined),
      plan: patch.plan == null ? null : JSON.stringify(patch.plan),
      set_metrics: flag(patch.metrics !== undefined),
      metrics: patch.metrics === undefined ? null : JSON.stringify(patch.metrics),
    };
    this.guard(() => this.s.updateProgress.run(params));
  }

  async completeTask(taskId: string, c: TaskCompletion, terminal?: TaskEvent): Promise<boolean> {
    this.joinGroup();
    const params = {
      task_id: taskId,
      status: c.status,
      completed_at: c.completed_at,
      set_result: flag(c.result !== undefined),
      result: c.result == null ? null : JSON.stringify(c.result),
      set_error: flag(c.error !== undefined),
      error: c.error == null ? null : JSON.stringify(c.error),
      set_metrics: flag(c.metrics !== undefined),
      metrics: c.metrics === undefined ? null : JSON.stringify(c.metrics),
      set_plan: flag(c.plan !== undefined),
      plan: c.plan == null ? null : JSON.stringify(c.plan),
    };
    // Committed with the turn; nobody is told about it before whenDurable().
    return this.guard(() => this.completeTx(params, terminal));
  }

  async listTasks(filter: TaskListFilter): Promise<TaskPage> {
    const limit = checkListLimit(filter);
    const { key, sql, params } = taskListQuery(filter, limit);
    let stmt = this.listStatements.get(key);
    if (!stmt) this.listStatements.set(key, (stmt = this.db.prepare(sql)));
    const rows = stmt.all(params) as TaskRow[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return {
      items: page.map(taskFromRow),
      next_cursor: more ? encodeTaskCursor(page[page.length - 1].seq) : null,
    };
  }

  async queuedTasks(): Promise<TaskRecord[]> {
    return (this.s.queuedTasks.all() as TaskRow[]).map(taskFromRow);
  }

  async saveStep(taskId: string, step: TaskStep): Promise<void> {
    this.joinGroup();
    this.write(taskId, () => this.s.saveStep.run(stepParams(taskId, step)));
  }

  async getSteps(taskId: string): Promise<TaskStep[]> {
    return (this.s.getSteps.all(taskId) as StepRow[]).map(stepFromRow);
  }

  async appendEvent(event: TaskEvent): Promise<void> {
    this.joinGroup();
    this.write(event.task_id, () => this.insertEvent(event));
  }

  async lastEventSeq(taskId: string): Promise<number> {
    return (this.s.lastEventSeq.get(taskId) as { seq: number | null }).seq ?? 0;
  }

  /** Inserts an event; a second event with the same seq is a DuplicateEventError. */
  private insertEvent(event: TaskEvent): void {
    try {
      this.s.appendEvent.run(eventParams(event));
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw duplicateEvent(event);
      }
      throw err;
    }
  }

  async getEvents(taskId: string, afterSeq = 0): Promise<TaskEvent[]> {
    return (this.s.getEvents.all(taskId, afterSeq) as EventRow[]).map(eventFromRow);
  }

  async insertBatch(batch: BatchRecord): Promise<void> {
    this.joinGroup();
    this.guard(() => this.s.insertBatch.run(batchParams(batch)));
  }

  async getBatch(batchId: string): Promise<BatchRecord | undefined> {
    const row = this.s.getBatch.get(batchId) as BatchRow | undefined;
    return row && batchFromRow(row);
  }

  async completeBatch(batchId: string, completedAt: string): Promise<void> {
    this.joinGroup();
    this.guard(() => this.s.completeBatch.run(completedAt, batchId));
  }

  async interruptRunning(now: string): Promise<string[]> {
    return this.interruptTx(now);
  }

  async purgeCompletedBefore(before: string): Promise<number> {
    return this.purgeTx(before);
  }

  async ping(): Promise<{ ok: boolean; reason?: string }> {
    // the heartbeat commits alone: a failing probe must not roll back the turn's other writes
    this.flush();
    try {
      this.db.pragma(`busy_timeout = ${this.pingBusyTimeoutMs}`);
      try {
        this.s.heartbeat.run(new Date().toISOString());
      } finally {
        this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
      }
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: `task store is not writable: ${(err as Error).message}` };
    }
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.flush();
    process.off('exit', this.commitAtExit);
    try {
      this.db.pragma('optimize');
    } catch {
      // Best effort: a full or read-only disk must not stop the shutdown.
    }
    this.db.close();
  }

  /** Commits the writes of the current turn now (no-op when none are pending). */
  flush(): void {
    if (!this.groupOpen) return;
    this.groupOpen = false;
    const waiters = this.durableWaiters.splice(0);
    const settle = (err?: Error) => {
      for (const w of waiters) {
        if (err) w.reject(err);
        else w.resolve();
      }
    };
    if (!this.db.open) return settle(new StoreWriteError('The task store is closed.'));
    if (!this.db.inTransaction) {
      // SQLite ends the whole transaction on some errors (disk full, I/O): say so, loudly
      const err = new StoreWriteError("an error rolled back this turn's earlier writes");
      this.onCommitError(err);
      return settle(err);
    }
    try {
      this.s.commit.run();
      settle();
    } catch (cause) {
      try {
        this.s.rollback.run();
      } catch {
        // already rolled back by SQLite
      }
      const err = new StoreWriteError((cause as Error).message, { cause });
      this.onCommitError(err);
      settle(err);
    }
  }

  /**
   * Resolves once every write made so far is committed (at the end of the current turn, together
   * with the turn's other writes); rejects when that commit fails.
   */
  whenDurable(): Promise<void> {
    if (!this.groupOpen) return Promise.resolve();
    return new Promise((resolve, reject) => this.durableWaiters.push({ resolve, reject }));
  }

  private readonly durableWaiters: { resolve: () => void; reject: (err: Error) => void }[] = [];

  /** Opens the turn's transaction before a write; without one the write commits alone. */
  private joinGroup(): void {
    if (!this.groupCommit) return;
    if (this.groupOpen) {
      if (this.db.inTransaction) return;
      this.flush();
    }
    if (this.db.inTransaction) return;
    try {
      // IMMEDIATE takes the write lock now, so a busy file fails here and not in the middle
      this.s.beginImmediate.run();
    } catch {
      return;
    }
    this.groupOpen = true;
    setImmediate(this.commitAtTurnEnd);
  }

  /**
   * Runs one write of the turn. When it fails because the store cannot write (full disk, I/O),
   * the whole turn is rolled back, as SQLite advises: the turn's commit then fails for every
   * write in it alike (whenDurable rejects), instead of keeping some and losing others.
   */
  private guard<T>(run: () => T): T {
    try {
      return run();
    } catch (err) {
      if (this.groupOpen && this.db.inTransaction && isStoreUnavailable(err)) {
        try {
          this.s.rollback.run();
        } catch {
          // SQLite rolled it back already
        }
      }
      throw err;
    }
  }

  /** Runs a child-row write, turning a missing parent task into the domain error. */
  private write(taskId: string, run: () => unknown): void {
    try {
      this.guard(run);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw new TaskNotFoundError(taskId);
      }
      throw err;
    }
  }

  private interruptAll(now: string): string[] {
    const ids = (this.s.runningIds.all() as { task_id: string }[]).map((r) => r.task_id);
    const error = JSON.stringify(taskInterruptedError());
    for (const id of ids) {
      this.s.interrupt.run({ task_id: id, completed_at: now, error });
      const last = (this.s.lastEventSeq.get(id) as { seq: number | null }).seq ?? 0;
      this.s.appendEvent.run(eventParams(taskInterruptedEvent(id, last + 1, now)));
    }
    return ids;
  }
}
