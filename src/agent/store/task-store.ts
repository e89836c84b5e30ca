import {
  TaskError,
  TaskEvent,
  TaskMetrics,
  TaskPlan,
  TaskPriority,
  TaskRequest,
  TaskResult,
  TaskStatus,
  TaskStep,
  TerminalStatus,
} from '../../contracts/task.types';

/** A task as persisted: the wire fields plus what the service needs to resume and authorise. */
export interface TaskRecord {
  task_id: string;
  /** API key name that submitted it; null when auth is off. */
  owner: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  task: string;
  /** The request as accepted (after defaults and caps), replayed after a restart. */
  request: TaskRequest;
  /** Hash of the canonical request body, for idempotent replays (docs/api.md, `POST /api/v1/tasks`). */
  request_hash: string;
  metadata: Record<string, unknown>;
  batch_id: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  result: TaskResult | null;
  plan: TaskPlan | null;
  error: TaskError | null;
  metrics: TaskMetrics;
}

export interface BatchRecord {
  batch_id: string;
  owner: string | null;
  mode: 'parallel' | 'sequential';
  continue_on_error: boolean;
  task_ids: string[];
  created_at: string;
  completed_at: string | null;
}

export interface TaskListFilter {
  /** Only this owner's tasks (users); undefined = all (admins). */
  owner?: string | null;
  status?: TaskStatus;
  priority?: TaskPriority;
  /** 1..100. */
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface TaskPage {
  items: TaskRecord[];
  next_cursor: string | null;
}

/** Fields a terminal transition sets. */
export interface TaskCompletion {
  status: TerminalStatus;
  completed_at: string;
  result?: TaskResult | null;
  error?: TaskError | null;
  metrics?: TaskMetrics;
  plan?: TaskPlan | null;
}

/**
 * Durable storage of tasks, steps, events and batches (docs/api.md, Lifecycle and guarantees).
 * Asynchronous, so a networked database can implement it; the embedded SQLite driver answers at
 * once and commits a turn's writes together (group commit). Idempotency and the single terminal
 * state are the store's to enforce (unique keys, conditional updates), not the caller's memory.
 */
export interface TaskStore {
  readonly driver: 'sqlite' | 'memory' | 'postgres';
  /** The file the store writes to, for the free-space probe; undefined when it is not a local file. */
  readonly filePath?: string;

  /**
   * Inserts a new task with its first event (`task.queued`), both or neither; returns false (and
   * changes nothing) when the id exists.
   */
  insertTask(task: TaskRecord, first?: TaskEvent): Promise<boolean>;
  getTask(taskId: string): Promise<TaskRecord | undefined>;
  /** queued → running. Returns false unless the task was queued. */
  markRunning(taskId: string, startedAt: string): Promise<boolean>;
  /** Sets the plan and/or metrics of a running task (no status change). */
  updateProgress(
    taskId: string,
    patch: { plan?: TaskPlan | null; metrics?: TaskMetrics },
  ): Promise<void>;
  /**
   * The one terminal transition, with its terminal event (both or neither): applied only while
   * the task is queued or running, so exactly one terminal state is recorded and a late result
   * never overwrites it. Returns whether it applied.
   */
  completeTask(taskId: string, completion: TaskCompletion, terminal?: TaskEvent): Promise<boolean>;
  /** Newest first (by insertion), filtered, with a cursor. */
  listTasks(filter: TaskListFilter): Promise<TaskPage>;
  /** Tasks still queued, oldest first (for restart recovery and the dispatcher). */
  queuedTasks(): Promise<TaskRecord[]>;

  /** Appends a step or replaces the step with the same step_number. */
  saveStep(taskId: string, step: TaskStep): Promise<void>;
  getSteps(taskId: string): Promise<TaskStep[]>;

  /**
   * Appends an event; `seq` is assigned by the caller and unique per task (a second event with
   * the same seq is a DuplicateEventError).
   */
  appendEvent(event: TaskEvent): Promise<void>;
  /** Events with seq > afterSeq, ascending. */
  getEvents(taskId: string, afterSeq?: number): Promise<TaskEvent[]>;
  /** The highest event seq of a task (0 when it has none). */
  lastEventSeq(taskId: string): Promise<number>;

  insertBatch(batch: BatchRecord): Promise<void>;
  getBatch(batchId: string): Promise<BatchRecord | undefined>;
  completeBatch(batchId: string, completedAt: string): Promise<void>;

  /**
   * After a restart: every `running` task becomes `failed` with TASK_INTERRUPTED (its events and
   * steps kept; a terminal event appended). Returns the ids it interrupted.
   */
  interruptRunning(now: string): Promise<string[]>;
  /** Deletes terminal tasks (and their steps and events) completed before `before`. Returns how many. */
  purgeCompletedBefore(before: string): Promise<number>;
  /**
   * Resolves once every write made so far is durable (the SQLite driver commits a turn's writes
   * together; a networked driver's writes are durable when they resolve). Nothing is told to a
   * client before it. Rejects with a StoreWriteError when that commit fails: the writes are
   * then not in the store.
   */
  whenDurable(): Promise<void>;
  /** Cheap write check for readiness. */
  ping(): Promise<{ ok: boolean; reason?: string }>;
  close(): Promise<void>;
}

export const TASK_STORE = Symbol('TASK_STORE');
