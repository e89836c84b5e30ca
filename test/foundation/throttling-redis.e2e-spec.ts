import { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { RedisThrottlerStorage } from '../../src/throttling/redis-throttler.storage';
import { deleteKeysUnder, TEST_REDIS_URL, testRedis, uniqueRedisPrefix } from '../support/redis';
import {
  bearer,
  createTestApp,
  expectErrorShape,
  TEST_KEYS,
  TestApp,
  USER_KEY,
} from '../support/test-app';

/** An app whose rate limit (burst 10) lives in the Redis at `url` under `prefix`. */
const appOnRedis = (url: string, prefix: string) =>
  createTestApp({
    ...TEST_KEYS,
    service: {
      ...TEST_KEYS.service,
      rate_limiting: { enabled: true, burst_size: 10, requests_per_minute: 60, storage: 'redis' },
    },
    queue: { url, prefix },
  });

const metrics = (t: TestApp) =>
  t.inject({ method: 'GET', url: '/api/v1/metrics', headers: bearer(USER_KEY) });

describe('rate limit shared through Redis by two apps', () => {
  const prefix = uniqueRedisPrefix('rl-e2e');
  let redis: Redis;
  let apps: TestApp[] = [];
  beforeAll(async () => {
    redis = testRedis();
    apps = [await appOnRedis(TEST_REDIS_URL, prefix), await appOnRedis(TEST_REDIS_URL, prefix)];
    for (const t of apps) {
      const storage = t.app.get<RedisThrottlerStorage>(ThrottlerStorage);
      expect(storage).toBeInstanceOf(RedisThrottlerStorage);
      await storage.ready();
    }
  });
  afterAll(async () => {
    for (const t of apps) await t.close();
    await deleteKeysUnder(redis, prefix);
    await redis.quit();
  });

  it('refuses the 11th request of the burst across both apps with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await metrics(apps[i % 2])).statusCode);
    expect(statuses).toEqual(Array(10).fill(200));
    for (const t of apps) {
      const res = await metrics(t);
      const body = expectErrorShape(res, 429, 'RATE_LIMIT_EXCEEDED');
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(10);
      expect(body.details).toEqual({ retry_after_seconds: retryAfter });
    }
    expect(await redis.exists(`${prefix}:rl:burst:key:alice`)).toBe(1);
  });
});

describe('rate limit on Redis when Redis is down', () => {
  it('lets requests through (fail-open), never a 500', async () => {
    // Port 1 is closed: every connection is refused.
    const t = await appOnRedis('redis://127.0.0.1:1', uniqueRedisPrefix('rl-down'));
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) statuses.push((await metrics(t)).statusCode);
      expect(statuses).toEqual(Array(15).fill(200));
      expect(t.app.get<RedisThrottlerStorage>(ThrottlerStorage).failedOpen).toBeGreaterThanOrEqual(
        15,
      );
    } finally {
      await t.close();
    }
  });
});
