import { WaitAbortedError } from './abortable-sleep';

/** How long an acquire waited, and what held it up. */
export interface LimiterGrant {
  waitedMs: number;
  /** `rate_limit` when a Retry-After pause held the call, else `concurrency`; unset without a wait. */
  reason?: 'concurrency' | 'rate_limit';
}

interface Waiter {
  sawPause: boolean;
  grant: () => void;
}

/**
 * The gate every call to one provider + key passes: at most `maxConcurrent` requests in flight,
 * handed out first come first served, and a shared pause when the provider answers 429, so every
 * task using the key waits out the Retry-After together instead of each hammering the provider.
 */
export class ProviderLimiter {
  private inFlight = 0;
  private pausedUntil = 0;
  private readonly waiters: Waiter[] = [];
  private timer?: NodeJS.Timeout;
  private timerAt = 0;

  constructor(
    /** Shown in logs and metrics: the provider name, never the key. */
    readonly provider: string,
    private maxConcurrent: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Applies a live change of `model.max_concurrent_requests`. */
  setMaxConcurrent(max: number): void {
    this.maxConcurrent = Math.max(1, max);
    this.drain();
  }

  /** Waits for a slot (and for any pause to end); rejects with WaitAbortedError if `signal` aborts. */
  acquire(signal?: AbortSignal): Promise<LimiterGrant> {
    if (signal?.aborted) return Promise.reject(new WaitAbortedError());
    if (!this.isPaused() && this.waiters.length === 0 && this.inFlight < this.maxConcurrent) {
      this.inFlight++;
      return Promise.resolve({ waitedMs: 0 });
    }
    const start = this.now();
    return new Promise<LimiterGrant>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new WaitAbortedError());
      };
      const waiter: Waiter = {
        sawPause: this.isPaused(),
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve({
            waitedMs: this.now() - start,
            reason: waiter.sawPause ? 'rate_limit' : 'concurrency',
          });
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.drain();
    });
  }

  /** Returns a slot taken by {@link acquire}. */
  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.drain();
  }

  /** Holds every new request until `ms` from now (a longer pause already set is kept). */
  pauseFor(ms: number): void {
    const until = this.now() + Math.max(0, ms);
    if (until <= this.pausedUntil) return;
    this.pausedUntil = until;
    this.drain();
  }

  /** Current state, for logs and tests. */
  stats(): { in_flight: number; waiting: number; paused_for_ms: number } {
    return {
      in_flight: this.inFlight,
      waiting: this.waiters.length,
      paused_for_ms: Math.max(0, this.pausedUntil - this.now()),
    };
  }

  /** Stops the pause timer (service shutdown); waiting calls end with their tasks. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private isPaused(): boolean {
    return this.pausedUntil > this.now();
  }

  private drain(): void {
    if (this.isPaused()) {
      for (const w of this.waiters) w.sawPause = true;
      if (this.waiters.length && (!this.timer || this.timerAt < this.pausedUntil)) {
        if (this.timer) clearTimeout(this.timer);
        this.timerAt = this.pausedUntil;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.drain();
        }, this.pausedUntil - this.now());
      }
      return;
    }
    while (this.waiters.length && this.inFlight < this.maxConcurrent) {
      this.inFlight++;
      this.waiters.shift()!.grant();
    }
  }
}
