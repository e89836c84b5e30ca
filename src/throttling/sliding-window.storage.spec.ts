import { SlidingWindowThrottlerStorage } from './sliding-window.storage';

describe('SlidingWindowThrottlerStorage', () => {
  let clock: number;
  let sut: SlidingWindowThrottlerStorage;
  beforeEach(() => {
    clock = 1_000_000;
    sut = new SlidingWindowThrottlerStorage(() => clock);
  });
  const hit = (key = 'burst:key:alice', ttl = 10_000, limit = 3, block = ttl) =>
    sut.increment(key, ttl, limit, block, 'burst');

  it('lets `limit` requests through, blocks the next for blockDuration, then starts afresh', async () => {
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push((await hit()).isBlocked);
    expect(seen).toEqual([false, false, false, true]);
    const blocked = await hit();
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 10 });
    clock += 4_000;
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 6 });
    clock += 6_000;
    expect(await hit()).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('counts each key on its own', async () => {
    for (let i = 0; i < 3; i++) await hit('a');
    expect((await hit('a')).isBlocked).toBe(true);
    expect((await hit('b')).isBlocked).toBe(false);
  });

  it('weighs the previous window by how much of it still overlaps the sliding window', async () => {
    const limit = 10;
    for (let i = 0; i < 10; i++) await hit('k', 10_000, limit, 0);
    // A quarter into the next window, three quarters of the previous ten still count: 7 + 0.
    clock += 12_500;
    const r = await hit('k', 10_000, limit, 0);
    expect(r).toMatchObject({ isBlocked: false, totalHits: 8 });
    for (let i = 0; i < 2; i++) await hit('k', 10_000, limit, 0);
    expect((await hit('k', 10_000, limit, 0)).isBlocked).toBe(true);
    // Two windows later nothing of the old traffic counts.
    clock += 20_000;
    expect(await hit('k', 10_000, limit, 0)).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('tells a blocked caller when to come back without a block period (blockDuration 0)', async () => {
    for (let i = 0; i < 3; i++) await hit('k', 10_000, 3, 0);
    clock += 2_000;
    expect(await hit('k', 10_000, 3, 0)).toMatchObject({ isBlocked: true, timeToBlockExpire: 8 });
  });

  /** Work of one more request after `hits` requests of one key within its window. */
  const workAfter = async (hits: number, keys: number) => {
    const storage = new SlidingWindowThrottlerStorage(() => clock);
    for (let i = 0; i < hits; i++)
      await storage.increment(`k${i % keys}`, 60_000, 10_000_000, 60_000, 'sustained');
    const before = storage.operations;
    await storage.increment('k0', 60_000, 10_000_000, 60_000, 'sustained');
    return { work: storage.operations - before, size: storage.size };
  };

  it('does the same work per request at 1,000 and at 100,000 hits in the window', async () => {
    const few = await workAfter(1_000, 1);
    const many = await workAfter(100_000, 1);
    expect(many.work).toBe(few.work);
    expect(many.work).toBeLessThanOrEqual(3);
    expect(many.size).toBe(1);
  });

  it('does the same work per request whatever the number of keys, and forgets idle ones', async () => {
    const few = await workAfter(1_000, 1_000);
    const many = await workAfter(100_000, 100_000);
    expect(many.work).toBe(few.work);
    // Each request drops up to two expired keys: churning keys do not pile up.
    const storage = new SlidingWindowThrottlerStorage(() => clock);
    for (let i = 0; i < 10_000; i++) {
      await storage.increment(`ip:${i}`, 1_000, 10, 1_000, 'burst');
      clock += 1;
    }
    expect(storage.size).toBeLessThanOrEqual(2_000 + 2);
  });
});
