import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

/** The Redis 7 the tests use (.ci/run starts it): 127.0.0.1:6379 unless TEST_REDIS_URL says else. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of this run alone (queue.prefix), so runs sharing one Redis never meet. */
export function uniqueRedisPrefix(name: string): string {
  return `test-${name}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** A plain client on the test Redis, to look at and clean up what a test wrote. */
export function testRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Every key under `<prefix>:` (SCAN, not KEYS: the Redis may be shared). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

/** Deletes every key under `<prefix>:`. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length) await redis.del(...keys);
}
