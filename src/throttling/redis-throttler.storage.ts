import { createHash } from 'node:crypto';
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua';
import { windowAnswer, type ThrottlerStorageRecord } from './window-answer';

export interface RedisThrottlerStorageOptions {
  /** redis:// or rediss:// URL (queue.url). */
  url: string;
  /** Key prefix (queue.prefix): counts live under `<prefix>:rl:`. */
  prefix: string;
  /** The clock, for tests; unset, the Redis server's clock, which every replica shares. */
  now?: () => number;
  /** A hit that gets no answer within this many ms is let through (fail-open). */
  commandTimeoutMs?: number;
}

/** How often, at most, an unreachable Redis is logged. */
const WARN_EVERY_MS = 60_000;

/** What a hit answers when Redis cannot: let it through (fail-open). */
const LET_THROUGH: ThrottlerStorageRecord = {
  totalHits: 0,
  timeToExpire: 0,
  isBlocked: false,
  timeToBlockExpire: 0,
};

/**
 * SlidingWindowThrottlerStorage's counters in Redis, so every replica on one Redis and prefix
 * shares one limit: one Lua script per hit (EVALSHA; EVAL when the server lost the script), the
 * same two counters per key and the same answers, each key with a TTL so idle keys leave Redis.
 *
 * Fail-open: when Redis cannot be reached or does not answer within `commandTimeoutMs`, the hit
 * is let through (no queueing while disconnected, so a request never waits on a reconnect) and a
 * warning is logged at most once a minute (docs/configuration.md, `[service.rate_limiting]`).
 */
export class RedisThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger(RedisThrottlerStorage.name);
  private readonly redis: Redis;
  private readonly keyPrefix: string;
  private readonly sha = createHash('sha1').update(SLIDING_WINDOW_LUA).digest('hex');
  private lastWarnAt = 0;
  /** Scripts sent to Redis (EVALSHA or EVAL): the unit of work, for tests and the benchmark. */
  operations = 0;
  /** Hits let through because Redis could not answer. */
  failedOpen = 0;

  constructor(private readonly options: RedisThrottlerStorageOptions) {
    this.keyPrefix = `${options.prefix}:rl:`;
    this.redis = new Redis(options.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs ?? 500,
      connectTimeout: 2_000,
    });
    this.redis.on('error', (err: Error) => this.warn(err));
    this.redis.on('ready', () => {
      this.redis.script('LOAD', SLIDING_WINDOW_LUA).catch((err: Error) => this.warn(err));
    });
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const args = [ttl, limit, blockDuration, this.options.now ? this.options.now() : ''];
    try {
      const reply = (await this.run(this.keyPrefix + key, args)) as number[];
      const [now, windowStart, blockedUntil, totalHits, blocked] = reply;
      return windowAnswer(windowStart, blockedUntil, now, ttl, totalHits, blocked === 1);
    } catch (err) {
      this.failedOpen++;
      this.warn(err as Error);
      return { ...LET_THROUGH };
    }
  }

  /** Resolves once connected and the script is known to the server (tests, start-up checks). */
  async ready(): Promise<void> {
    if (this.redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        this.redis.once('ready', resolve);
        this.redis.once('end', () => reject(new Error('Redis connection closed')));
      });
    }
    await this.redis.script('LOAD', SLIDING_WINDOW_LUA);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'end') return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async run(key: string, args: (number | string)[]): Promise<unknown> {
    this.operations++;
    try {
      return await this.redis.evalsha(this.sha, 1, key, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      this.operations++;
      return this.redis.eval(SLIDING_WINDOW_LUA, 1, key, ...args);
    }
  }

  private warn(err: Error): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_EVERY_MS) return;
    this.lastWarnAt = now;
    this.logger.warn(
      `rate limit store (Redis) unavailable, letting requests through (fail-open): ${err.message}`,
    );
  }
}
