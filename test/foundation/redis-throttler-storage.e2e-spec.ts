import type Redis from 'ioredis';
import { RedisThrottlerStorage } from '../../src/throttling/redis-throttler.storage';
import { SlidingWindowThrottlerStorage } from '../../src/throttling/sliding-window.storage';
import {
  deleteKeysUnder,
  keysUnder,
  TEST_REDIS_URL,
  testRedis,
  uniqueRedisPrefix,
} from '../support/redis';

/** A small deterministic generator (mulberry32), so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Hit {
  key: string;
  ttl: number;
  limit: number;
  block: number;
  advance: number;
}

/** Hits on six keys of three throttler shapes, in bursts (0-100 ms apart) and pauses (up to 2 s). */
function hitSequence(seed: number, length: number): Hit[] {
  const next = random(seed);
  const shapes = [
    { ttl: 10_000, limit: 5, block: 10_000 },
    { ttl: 4_000, limit: 3, block: 0 },
    { ttl: 60_000, limit: 20, block: 60_000 },
  ];
  return Array.from({ length }, () => {
    const shape = shapes[Math.floor(next() * shapes.length)];
    const key = `seq:key:${Math.floor(next() * 2)}:${shape.ttl}`;
    const roll = next();
    const advance = roll < 0.75 ? Math.floor(next() * 100) : Math.floor(next() * 2_000);
    return { key, ...shape, advance };
  });
}

describe('RedisThrottlerStorage against a real Redis', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const storages: RedisThrottlerStorage[] = [];
  const open = async (prefix: string, now?: () => number) => {
    const storage = new RedisThrottlerStorage({ url: TEST_REDIS_URL, prefix, now });
    storages.push(storage);
    await storage.ready();
    return storage;
  };
  const newPrefix = (name: string) => {
    const prefix = uniqueRedisPrefix(name);
    prefixes.push(prefix);
    return prefix;
  };

  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    for (const s of storages) await s.onApplicationShutdown();
    for (const p of prefixes) await deleteKeysUnder(redis, p);
    await redis.quit();
  });

  it.each([1, 2, 3])('answers as the memory storage on the same hits (seed %i)', async (seed) => {
    let clock = 1_700_000_000_000;
    const memory = new SlidingWindowThrottlerStorage(() => clock);
    const shared = await open(newPrefix('seq'), () => clock);
    const hits = hitSequence(seed, 1_500);
    const fromMemory = [];
    const fromRedis = [];
    for (const h of hits) {
      clock += h.advance;
      fromMemory.push(await memory.increment(h.key, h.ttl, h.limit, h.block, 'burst'));
      fromRedis.push(await shared.increment(h.key, h.ttl, h.limit, h.block, 'burst'));
    }
    expect(fromRedis).toEqual(fromMemory);
    // The sequence is worth comparing: it both lets through and blocks.
    expect(fromMemory.filter((r) => r.isBlocked).length).toBeGreaterThan(100);
    expect(fromMemory.filter((r) => !r.isBlocked).length).toBeGreaterThan(100);
    expect(shared.failedOpen).toBe(0);
  });

  it('sends one script per hit, and puts a TTL on every key under <prefix>:rl:', async () => {
    const prefix = newPrefix('ttl');
    const storage = await open(prefix);
    for (let i = 0; i < 50; i++)
      await storage.increment(`burst:ip:${i % 5}`, 10_000, 3, 20_000, 'burst');
    expect(storage.operations).toBe(50);
    const keys = await keysUnder(redis, prefix);
    expect(keys.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${prefix}:rl:burst:ip:${i}`));
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      // Blocked keys live until the end of their block at most, the others two windows.
      expect(ttl).toBeLessThanOrEqual(20_000);
    }
  });

  it('falls back to EVAL when Redis does not know the script (NOSCRIPT), and answers alike', async () => {
    const prefix = newPrefix('noscript');
    const storage = await open(prefix);
    // A digest no server has loaded stands for a Redis that lost its scripts (restart, flush).
    Object.assign(storage, { sha: '0'.repeat(40) });
    const seen = [];
    for (let i = 0; i < 3; i++)
      seen.push((await storage.increment('burst:key:bob', 10_000, 2, 10_000, 'burst')).isBlocked);
    expect(seen).toEqual([false, false, true]);
    expect(storage.operations).toBe(6);
    expect(storage.failedOpen).toBe(0);
  });

  it('shares one count between storages on one prefix, and none between prefixes', async () => {
    const prefix = newPrefix('share');
    const a = await open(prefix);
    const b = await open(prefix);
    const other = await open(newPrefix('other'));
    const hit = (s: RedisThrottlerStorage) =>
      s.increment('burst:key:alice', 60_000, 4, 60_000, 'burst');
    const seen = [];
    for (const s of [a, b, a, b, a]) seen.push((await hit(s)).isBlocked);
    expect(seen).toEqual([false, false, false, false, true]);
    const blocked = await hit(b);
    expect(blocked.isBlocked).toBe(true);
    expect(blocked.timeToBlockExpire).toBeGreaterThanOrEqual(59);
    expect((await hit(other)).isBlocked).toBe(false);
  });

  it('lets hits through, quickly, when Redis cannot be reached', async () => {
    const storage = new RedisThrottlerStorage({ url: 'redis://127.0.0.1:1', prefix: 'unused' });
    storages.push(storage);
    for (let i = 0; i < 20; i++) {
      expect(await storage.increment('burst:key:alice', 10_000, 1, 10_000, 'burst')).toEqual({
        totalHits: 0,
        timeToExpire: 0,
        isBlocked: false,
        timeToBlockExpire: 0,
      });
    }
    expect(storage.failedOpen).toBe(20);
  });
});
