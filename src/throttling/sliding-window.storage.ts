import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { windowAnswer, type ThrottlerStorageRecord } from './window-answer';

/** One key's counters: hits in the current fixed window and in the one before it. */
interface WindowCounters {
  windowStart: number;
  current: number;
  previous: number;
  blockedUntil: number;
  /** After this the record says nothing a fresh one would not: it may be dropped. */
  expiresAt: number;
}

/** Records looked at per request to drop expired ones: constant, yet faster than they are added. */
const SWEEP_PER_REQUEST = 2;

/**
 * The rate limiter's memory, with the same work for every request whatever the limits and the
 * traffic: two counters per key (the current fixed window and the previous one), weighted into a
 * sliding-window estimate, instead of `@nestjs/throttler`'s default storage that keeps a
 * timestamp per hit and filters them all on every request. A key over its limit is blocked for
 * `blockDuration` (the window, by default), then starts afresh, as with the default storage.
 *
 * Records are kept in least-recently-used order (a Map re-inserted on each touch); each request
 * drops up to two expired ones from the old end, so memory follows the keys active within the
 * last two windows. RedisThrottlerStorage (redis-throttler.storage.ts) keeps the same counters in
 * Redis, for several replicas.
 */
@Injectable()
export class SlidingWindowThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly records = new Map<string, WindowCounters>();
  /** Records read or dropped so far: the unit of work, for tests and the benchmark. */
  operations = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Keys currently remembered. */
  get size(): number {
    return this.records.size;
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    this.sweep(now);
    this.operations++;
    let r = this.records.get(key);
    if (r) this.records.delete(key);
    // An expired record not swept yet counts as none, so answers do not depend on the sweep.
    if (!r || r.expiresAt <= now)
      r = { windowStart: now, current: 0, previous: 0, blockedUntil: 0, expiresAt: 0 };
    this.records.set(key, r);

    if (r.blockedUntil > now) {
      return Promise.resolve(this.answer(r, now, ttl, limit + 1, true));
    }
    if (r.blockedUntil > 0) {
      // The block is over: start afresh, as the default storage does.
      Object.assign(r, { windowStart: now, current: 0, previous: 0, blockedUntil: 0 });
    }
    this.roll(r, now, ttl);
    const weight = 1 - (now - r.windowStart) / ttl;
    const estimate = Math.floor(r.previous * weight) + r.current;
    if (estimate >= limit) {
      if (blockDuration > 0) r.blockedUntil = now + blockDuration;
      r.expiresAt = Math.max(r.windowStart + 2 * ttl, r.blockedUntil);
      return Promise.resolve(this.answer(r, now, ttl, estimate + 1, true));
    }
    r.current++;
    r.expiresAt = r.windowStart + 2 * ttl;
    return Promise.resolve(this.answer(r, now, ttl, estimate + 1, false));
  }

  onApplicationShutdown(): void {
    this.records.clear();
  }

  /** Moves the windows forward to the one that holds `now`. */
  private roll(r: WindowCounters, now: number, ttl: number): void {
    const windows = Math.floor((now - r.windowStart) / ttl);
    if (windows <= 0) return;
    r.previous = windows === 1 ? r.current : 0;
    r.current = 0;
    r.windowStart += windows * ttl;
  }

  private answer(
    r: WindowCounters,
    now: number,
    ttl: number,
    totalHits: number,
    isBlocked: boolean,
  ): ThrottlerStorageRecord {
    return windowAnswer(r.windowStart, r.blockedUntil, now, ttl, totalHits, isBlocked);
  }

  /** Drops up to SWEEP_PER_REQUEST expired records from the least recently used end. */
  private sweep(now: number): void {
    for (let i = 0; i < SWEEP_PER_REQUEST; i++) {
      const oldest = this.records.entries().next();
      if (oldest.done) return;
      this.operations++;
      const [key, r] = oldest.value;
      if (r.expiresAt > now) return;
      this.records.delete(key);
    }
  }
}
