import type { Pool, QueryResult, QueryResultRow } from 'pg';
import { TaskNotFoundError } from '../../../common/errors';
import type { TaskEvent, TaskMetrics, TaskPlan, TaskStep } from '../../../contracts/task.types';
import { duplicateEvent, taskInterruptedError, taskInterruptedEvent } from '../task-interrupted';
import { checkListLimit, encodeTaskCursor } from '../task-list.paging';
import type {
  BatchRecord,
  TaskCompletion,
  TaskListFilter,
  TaskPage,
  TaskRecord,
  TaskStore,
} from '../task-store';
import { asStoreError, failureReason, isPostgresUnavailable, openError } from './postgres-errors';
import { applyPostgresMigrations } from './postgres-migrations';
import { PostgresConnectionOptions, createPostgresPool } from './postgres-pool';
import {
  PgBatchRow,
  PgEventRow,
  PgStepRow,
  PgTaskRow,
  batchValues,
  eventValues,
  json,
  stepValues,
  taskFromPgRow,
  taskValues,
} from './postgres-task-rows';
import { PG_SQL, PgStatementName, heartbeatSql, pgTaskListQuery } from './postgres-task-sql';

export interface PostgresTaskStoreOptions extends PostgresConnectionOptions {
  /** The readiness ping gives up after this long (default 1000 ms). */
  pingTimeoutMs?: number;
}

const NO_EVENT = [null, null, null, null, null];

/** SQLSTATEs the store turns into domain errors. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * `storage.driver = "postgres"` (docs/deployment.md, PostgreSQL store): the TaskStore contract on
 * a node-postgres pool. Every write is its own statement, committed when its promise resolves,
 * so {@link whenDurable} has nothing to wait for. The rules are the database's: unique keys,
 * conditional updates, and transitions that carry their event in the same statement (see
 * PG_SQL). A database that cannot be used now surfaces as StoreUnavailableError (503
 * STORE_UNAVAILABLE), which isStoreUnavailable recognises.
 */
export class PostgresTaskStore implements TaskStore {
  readonly driver = 'postgres' as const;
  private closed?: Promise<void>;

  private constructor(
    private readonly pool: Pool,
    private readonly pingTimeoutMs: number,
    /** The schema versions this open applied (empty when the schema was up to date). */
    readonly migrationsApplied: readonly number[],
  ) {}

  /**
   * Connects and brings the schema up to date (under an advisory lock: N stores starting at once
   * migrate once). Rejects, with the pool ended, when the database cannot be reached or its
   * schema is newer than this build.
   */
  static async open(options: PostgresTaskStoreOptions): Promise<PostgresTaskStore> {
    const pool = createPostgresPool(options);
    let applied: number[];
    try {
      applied = await applyPostgresMigrations(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw openError(err, options.url);
    }
    return new PostgresTaskStore(pool, options.pingTimeoutMs ?? 1000, applied);
  }

  async insertTask(task: TaskRecord, first?: TaskEvent): Promise<boolean> {
    if (!first) return (await this.run('insertTask', taskValues(task))).rowCount === 1;
    const values = [...taskValues(task), ...eventValues(first)];
    return (await this.rows<{ n: number }>('insertTaskWithEvent', values, first))[0].n === 1;
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    const [row] = await this.rows<PgTaskRow>('getTask', [taskId]);
    return row && taskFromPgRow(row);
  }

  async markRunning(taskId: string, startedAt: string): Promise<boolean> {
    return (await this.run('markRunning', [taskId, startedAt])).rowCount === 1;
  }

  async updateProgress(
    taskId: string,
    patch: { plan?: TaskPlan | null; metrics?: TaskMetrics },
  ): Promise<void> {
    await this.run('updateProgress', [
      taskId,
      patch.plan !== undefined,
      json(patch.plan),
      patch.metrics !== undefined,
      json(patch.metrics),
    ]);
  }

  async completeTask(taskId: string, c: TaskCompletion, terminal?: TaskEvent): Promise<boolean> {
    const values = [
      taskId,
      c.status,
      c.completed_at,
      c.result !== undefined,
      json(c.result),
      c.error !== undefined,
      json(c.error),
      c.metrics !== undefined,
      json(c.metrics),
      c.plan !== undefined,
      json(c.plan),
      ...(terminal ? eventValues(terminal) : NO_EVENT),
    ];
    return (await this.rows<{ n: number }>('completeTask', values, terminal))[0].n === 1;
  }

  async listTasks(filter: TaskListFilter): Promise<TaskPage> {
    const limit = checkListLimit(filter);
    const rows = await this.query<PgTaskRow>(pgTaskListQuery(filter, limit));
    const more = rows.rows.length > limit;
    const page = more ? rows.rows.slice(0, limit) : rows.rows;
    return {
      items: page.map(taskFromPgRow),
      next_cursor: more ? encodeTaskCursor(Number(page[page.length - 1].seq)) : null,
    };
  }

  async queuedTasks(): Promise<TaskRecord[]> {
    return (await this.rows<PgTaskRow>('queuedTasks', [])).map(taskFromPgRow);
  }

  async saveStep(taskId: string, step: TaskStep): Promise<void> {
    await this.run('saveStep', stepValues(taskId, step), undefined, taskId);
  }

  async getSteps(taskId: string): Promise<TaskStep[]> {
    return this.rows<PgStepRow>('getSteps', [taskId]);
  }

  async appendEvent(event: TaskEvent): Promise<void> {
    await this.run('appendEvent', eventValues(event), event, event.task_id);
  }

  async getEvents(taskId: string, afterSeq = 0): Promise<TaskEvent[]> {
    return this.rows<PgEventRow>('getEvents', [taskId, afterSeq]);
  }

  async lastEventSeq(taskId: string): Promise<number> {
    return (await this.rows<{ seq: number }>('lastEventSeq', [taskId]))[0].seq;
  }

  async insertBatch(batch: BatchRecord): Promise<void> {
    try {
      await this.run('insertBatch', batchValues(batch));
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      throw new Error(`Batch ${batch.batch_id} already exists.`);
    }
  }

  async getBatch(batchId: string): Promise<BatchRecord | undefined> {
    const [row] = await this.rows<PgBatchRow>('getBatch', [batchId]);
    return row;
  }

  async completeBatch(batchId: string, completedAt: string): Promise<void> {
    await this.run('completeBatch', [batchId, completedAt]);
  }

  async interruptRunning(now: string): Promise<string[]> {
    const error = JSON.stringify(taskInterruptedError());
    const data = JSON.stringify(taskInterruptedEvent('', 0, now).data);
    const rows = await this.rows<{ task_id: string }>('interrupt', [now, error, data]);
    return rows.map((r) => r.task_id);
  }

  async purgeCompletedBefore(before: string): Promise<number> {
    this.assertOpen();
    const client = await this.pool.connect().catch((err: unknown) => {
      throw asStoreError(err);
    });
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const removed = await client.query(PG_SQL.purgeTasks, [before]);
      await client.query(PG_SQL.purgeBatches, [before]);
      await client.query('COMMIT');
      return removed.rowCount ?? 0;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      broken = isPostgresUnavailable(err) ? (err as Error) : undefined;
      throw asStoreError(err);
    } finally {
      client.release(broken);
    }
  }

  /** Each write is committed when its promise resolves: nothing is left to wait for. */
  whenDurable(): Promise<void> {
    return Promise.resolve();
  }

  async ping(): Promise<{ ok: boolean; reason?: string }> {
    if (this.closed) return { ok: false, reason: 'task store is closed' };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.pingTimeoutMs} ms`)),
        this.pingTimeoutMs,
      );
    });
    try {
      await Promise.race([this.pool.query(heartbeatSql(this.pingTimeoutMs)), late]);
      return { ok: true };
    } catch (err) {
      return {
        ok: false,
        reason: `task store (PostgreSQL) is not writable: ${failureReason(err)}`,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closed ??= this.pool.end();
    return this.closed;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The task store is closed.');
  }

  /** Runs a named statement (prepared once per connection), mapping errors. */
  private async run(
    name: PgStatementName,
    values: unknown[],
    event?: TaskEvent,
    parentTaskId?: string,
  ): Promise<QueryResult> {
    return this.query({ name: `ar_${name}`, text: PG_SQL[name], values }, event, parentTaskId);
  }

  private async rows<R extends QueryResultRow>(
    name: PgStatementName,
    values: unknown[],
    event?: TaskEvent,
  ): Promise<R[]> {
    return (await this.query<R>({ name: `ar_${name}`, text: PG_SQL[name], values }, event)).rows;
  }

  /**
   * One statement. A duplicate event seq is a DuplicateEventError, a child row of a missing task
   * a TaskNotFoundError, a database that cannot be used now a StoreUnavailableError.
   */
  private async query<R extends QueryResultRow>(
    config: { name: string; text: string; values: unknown[] },
    event?: TaskEvent,
    parentTaskId?: string,
  ): Promise<QueryResult<R>> {
    this.assertOpen();
    try {
      return await this.pool.query<R>(config);
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (event && e.code === UNIQUE_VIOLATION && e.constraint === 'task_events_pkey') {
        throw duplicateEvent(event);
      }
      if (e.code === FOREIGN_KEY_VIOLATION) {
        throw new TaskNotFoundError(parentTaskId ?? event?.task_id ?? '');
      }
      throw asStoreError(err);
    }
  }
}
