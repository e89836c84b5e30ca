import { Inject, Injectable, Logger } from '@nestjs/common';
import { StoreHealthService } from './store-health.service';
import { isStoreUnavailable } from './store-write-error';
import { TASK_STORE, TaskStore } from './task-store';

/** Pauses between attempts while the store cannot write: 100 ms doubling up to 2 s. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

interface PendingChange {
  key: string;
  /** Order of the changes: a newer change under the same key replaces an older one. */
  order: number;
  write: () => Promise<unknown>;
  settle: () => void;
  landed: Promise<void>;
}

/** What {@link StateChangeWriter.write} gives back. */
export interface WrittenChange<T> {
  /** What the first write returned; undefined when it could not be made (it will be retried). */
  result: T | undefined;
  /** Resolves once the change is committed (or the writer was closed). Never rejects. */
  landed: Promise<void>;
}

/**
 * Task state changes (start, plan, step, event, end) must land, or a task stays `running`
 * forever. This writes a change at once and, when the store cannot write (a full disk, an I/O
 * error), writes it again, with the other pending changes and in their order, until its commit
 * lands: when space comes back the service catches up by itself. Each change must be idempotent
 * (conditional updates, upserts, inserts of a fixed event number); a newer change under the same
 * key (the same step, the same task's progress) replaces a pending older one, so an old value
 * never overwrites a newer one.
 */
@Injectable()
export class StateChangeWriter {
  private readonly logger = new Logger(StateChangeWriter.name);
  private readonly pending = new Map<string, PendingChange>();
  private order = 0;
  private failures = 0;
  private timer?: NodeJS.Timeout;
  private passRunning = false;
  private closed = false;

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly health: StoreHealthService,
  ) {}

  /** Changes waiting to be written again. */
  get backlog(): number {
    return this.pending.size;
  }

  /**
   * Writes a change now; resolves with what the first write returned, and `landed` resolves once
   * it is committed. A write that fails for another reason than an unavailable store (a bug, a
   * missing task) rejects, as before.
   */
  async write<T>(key: string, write: () => Promise<T>): Promise<WrittenChange<T>> {
    let settle!: () => void;
    const landed = new Promise<void>((resolve) => (settle = resolve));
    const change: PendingChange = { key, order: ++this.order, write, settle, landed };
    if (this.closed) {
      settle();
      return { result: undefined, landed };
    }
    const older = this.pending.get(key);
    if (older) {
      // this newer value replaces the one waiting to be written again
      this.pending.delete(key);
      void landed.then(older.settle);
    }
    let result: T | undefined;
    try {
      result = await write();
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      this.health.writeFailed(err as Error);
      this.retryLater(change);
      return { result: undefined, landed };
    }
    this.store.whenDurable().then(
      () => {
        this.health.writeLanded();
        // A newer change of the same key may wait to be retried; an old landing must not settle it.
        if (this.pending.get(key) === change) this.pending.delete(key);
        settle();
      },
      // The store reported the failed commit (StoreHealthService.commitFailed).
      () => this.retryLater(change),
    );
    return { result, landed };
  }

  /**
   * {@link write} for changes nobody waits on (a step, a plan): resolves once it has landed; an
   * unexpected failure (not the store's) is logged, not thrown.
   */
  track(key: string, write: () => Promise<unknown>): Promise<void> {
    return this.write(key, write).then(
      (written) => written.landed,
      (err: unknown) => {
        this.logger.error(`state change ${key} failed: ${(err as Error).message}`);
      },
    );
  }

  /**
   * Stops retrying (the service is stopping): writes what is pending one last time, for the
   * store's close to commit, and settles every waiter. What still cannot be written is lost; the
   * restart marks a task it left `running` as TASK_INTERRUPTED.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const left = [...this.pending.values()];
    this.pending.clear();
    this.health.setBacklog(0);
    if (!left.length) return;
    let written = 0;
    for (const change of left) {
      try {
        await change.write();
        written++;
      } catch {
        // the store still cannot write; the restart's recovery takes over
      }
      change.settle();
    }
    this.logger.warn(
      `stopping with ${left.length} state change(s) not yet written; ${written} written for the store's last commit`,
    );
  }

  private retryLater(change: PendingChange): void {
    if (this.closed) return change.settle();
    const current = this.pending.get(change.key);
    if (current && current.order > change.order) {
      // a newer value of the same thing is already waiting: this one lands with it
      void current.landed.then(change.settle);
      return;
    }
    if (current) {
      this.pending.delete(current.key);
      void change.landed.then(current.settle);
    }
    this.pending.set(change.key, change);
    this.health.setBacklog(this.pending.size);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.passRunning || this.closed) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(this.failures, 10));
    this.timer = setTimeout(() => void this.pass(), delay);
  }

  /** Writes every pending change again, in order; then waits for their commit. */
  private async pass(): Promise<void> {
    this.timer = undefined;
    if (this.closed || !this.pending.size) return;
    this.passRunning = true;
    const batch = [...this.pending.values()];
    let failed = false;
    for (const change of batch) {
      try {
        await change.write();
      } catch (err) {
        if (isStoreUnavailable(err)) {
          this.health.writeFailed(err as Error);
          failed = true;
          break;
        }
        // Not the store's fault (the task was purged meanwhile): nothing to retry.
        this.logger.error(`dropping the state change ${change.key}: ${(err as Error).message}`);
        this.pending.delete(change.key);
        change.settle();
      }
    }
    const done = (landed: boolean) => {
      this.passRunning = false;
      if (landed) {
        this.failures = 0;
        this.health.writeLanded();
        for (const change of batch) {
          if (this.pending.get(change.key) !== change) continue;
          this.pending.delete(change.key);
          change.settle();
        }
      } else {
        this.failures++;
      }
      this.health.setBacklog(this.pending.size);
      if (this.pending.size) this.schedule();
    };
    this.store.whenDurable().then(
      () => done(!failed),
      () => done(false),
    );
  }
}
