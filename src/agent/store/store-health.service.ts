import { Injectable, Logger } from '@nestjs/common';
import { StoreUnavailableError } from '../../common/errors';
import { AppConfigService } from '../../config/app-config.service';
import type { ReadinessResult } from '../../contracts/readiness.registry';
import { MetricsService, StoreOperation } from '../../metrics/metrics.service';
import { DiskSpaceProbe } from './disk-space.probe';
import type { TaskStore } from './task-store';

/** What a client refused for lack of store is told to wait before it tries again. */
export const STORE_RETRY_AFTER_SECONDS = 5;
/** While writes keep failing, one log line per this interval, with a count. */
const REPEAT_LOG_MS = 30_000;
const MiB = 1024 * 1024;

/**
 * Whether the task store can take a write: the free space on its filesystem, the writes that
 * failed since the last one that landed, and the state changes waiting to be written again.
 * Counts every failure in the metrics; readiness and submissions ask it.
 */
@Injectable()
export class StoreHealthService {
  private readonly logger = new Logger('TaskStore');
  private store?: TaskStore;
  private disk?: DiskSpaceProbe;
  /** The last failure not yet followed by a write that landed. */
  private failing?: { since: number; message: string; count: number; loggedAt: number };
  private backlog = 0;
  /** The last failure's message, kept after writes land again (retried changes may still wait). */
  private lastError = '';

  constructor(
    private readonly metrics: MetricsService,
    private readonly config: AppConfigService,
  ) {}

  /** Watches the store the service writes to (called once, by the store's factory). */
  watch(store: TaskStore): void {
    this.store = store;
    this.disk = undefined;
    const minFreeBytes = this.config.get('storage').min_free_space_mb * MiB;
    if (store.filePath && store.filePath !== ':memory:' && minFreeBytes > 0) {
      this.disk = new DiskSpaceProbe(store.filePath, minFreeBytes);
    }
  }

  /** A turn's commit failed: its writes are not in the store. */
  commitFailed(err: Error): void {
    this.failed('commit', err);
  }

  /** One write failed because the store cannot write now. */
  writeFailed(err: Error): void {
    this.failed('write', err);
  }

  /** A write landed: the store writes again. */
  writeLanded(): void {
    if (!this.failing) return;
    this.logger.log(
      `task store writes land again (${this.failing.count} failed in ${Math.round((Date.now() - this.failing.since) / 1000)} s)`,
    );
    this.failing = undefined;
  }

  /** How many state changes wait to be written again (the state-change writer says). */
  setBacklog(count: number): void {
    this.backlog = count;
  }

  /**
   * Refuses new work while the store's filesystem is below its floor: the room left is for the
   * steps and ends of tasks already accepted. A failed commit is caught where it happens.
   */
  assertRoomForWork(): void {
    const space = this.disk?.read();
    if (space && !space.ok) {
      throw new StoreUnavailableError(
        STORE_RETRY_AFTER_SECONDS,
        'The task store is short of disk space; nothing was accepted. Retry later.',
      );
    }
  }

  /** The readiness check: down while the store cannot take a write, with the reason. */
  async readiness(): Promise<ReadinessResult> {
    const store = this.store;
    if (!store) return { ok: false, reason: 'no task store is open' };
    const ping = await store.ping();
    if (ping.ok) this.writeLanded();
    else this.failed('probe', new Error(ping.reason ?? 'the readiness write failed'));
    const space = this.disk?.read(true);
    const facts = {
      driver: store.driver,
      ...(space ? { free_bytes: space.free_bytes, min_free_bytes: space.min_free_bytes } : {}),
      ...(this.backlog ? { pending_state_changes: this.backlog } : {}),
    };
    const reasons = [
      ping.ok ? undefined : ping.reason,
      space && !space.ok ? space.reason : undefined,
      this.backlog
        ? `${this.backlog} state change(s) wait to be written (${this.lastError || 'retrying'})`
        : undefined,
    ].filter((r): r is string => !!r);
    return reasons.length
      ? { ok: false, ...facts, reason: reasons.join('; ') }
      : { ok: true, ...facts };
  }

  private failed(operation: StoreOperation, err: Error): void {
    this.metrics.storeError(operation);
    this.lastError = err.message;
    const now = Date.now();
    if (!this.failing) {
      this.failing = { since: now, message: err.message, count: 1, loggedAt: now };
      this.logger.error(
        `task store write failed (${operation}): ${err.message}; readiness is down, submissions get 503 STORE_UNAVAILABLE, state changes are written again until they land`,
      );
      return;
    }
    this.failing.count++;
    this.failing.message = err.message;
    if (now - this.failing.loggedAt >= REPEAT_LOG_MS) {
      this.failing.loggedAt = now;
      this.logger.error(
        `task store writes still fail (${this.failing.count} since ${new Date(this.failing.since).toISOString()}): ${err.message}`,
      );
    }
  }
}
