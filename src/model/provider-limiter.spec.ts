import { WaitAbortedError } from './abortable-sleep';
import { ProviderLimiter } from './provider-limiter';
import { ProviderLimiterRegistry } from './provider-limiter.registry';

const tick = () => new Promise((r) => setImmediate(r));

describe('ProviderLimiter', () => {
  it('grants at once under the cap and queues first come first served above it', async () => {
    const sut = new ProviderLimiter('p', 2);
    const order: number[] = [];
    expect(await sut.acquire()).toEqual({ waitedMs: 0 });
    await sut.acquire();
    const waiting = [3, 4, 5].map((n) => sut.acquire().then((g) => (order.push(n), g)));
    await tick();
    expect(sut.stats()).toMatchObject({ in_flight: 2, waiting: 3 });
    expect(order).toEqual([]);

    sut.release();
    await tick();
    expect(order).toEqual([3]);
    sut.release();
    sut.release();
    const grants = await Promise.all(waiting);
    expect(order).toEqual([3, 4, 5]);
    expect(grants.every((g) => g.reason === 'concurrency')).toBe(true);
    expect(sut.stats()).toMatchObject({ in_flight: 2, waiting: 0 });
  });

  it('holds every caller during a pause, then lets them through up to the cap', async () => {
    let now = 1000;
    const sut = new ProviderLimiter('p', 2, () => now);
    sut.pauseFor(50);
    const grants = [sut.acquire(), sut.acquire(), sut.acquire()];
    await tick();
    expect(sut.stats()).toMatchObject({ in_flight: 0, waiting: 3, paused_for_ms: 50 });

    now += 50;
    await new Promise((r) => setTimeout(r, 70));
    expect(sut.stats()).toMatchObject({ in_flight: 2, waiting: 1 });
    sut.release();
    const done = await Promise.all(grants);
    expect(done.map((g) => g.reason)).toEqual(['rate_limit', 'rate_limit', 'rate_limit']);
  });

  it('keeps the longer of two pauses', () => {
    let now = 0;
    const sut = new ProviderLimiter('p', 1, () => now);
    sut.pauseFor(500);
    sut.pauseFor(100);
    expect(sut.stats().paused_for_ms).toBe(500);
    now = 200;
    sut.pauseFor(400);
    expect(sut.stats().paused_for_ms).toBe(400);
    sut.dispose();
  });

  it('a pause that starts while callers wait for a slot turns their wait into a rate-limit wait', async () => {
    const sut = new ProviderLimiter('p', 1);
    await sut.acquire();
    const waiter = sut.acquire();
    sut.pauseFor(30);
    sut.release();
    await tick();
    expect(sut.stats()).toMatchObject({ in_flight: 0, waiting: 1 });
    expect((await waiter).reason).toBe('rate_limit');
  });

  it('an aborted waiter leaves the queue and does not take a slot', async () => {
    const sut = new ProviderLimiter('p', 1);
    await sut.acquire();
    const controller = new AbortController();
    const aborted = sut.acquire(controller.signal);
    const next = sut.acquire();
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(WaitAbortedError);
    sut.release();
    await next;
    expect(sut.stats()).toMatchObject({ in_flight: 1, waiting: 0 });
    await expect(sut.acquire(controller.signal)).rejects.toBeInstanceOf(WaitAbortedError);
  });

  it('a raised cap lets waiters through at once', async () => {
    const sut = new ProviderLimiter('p', 1);
    await sut.acquire();
    const waiters = [sut.acquire(), sut.acquire()];
    sut.setMaxConcurrent(3);
    await Promise.all(waiters);
    expect(sut.stats().in_flight).toBe(3);
  });
});

describe('ProviderLimiterRegistry', () => {
  it('shares one limiter per provider, endpoint and key, and applies a new cap to it', () => {
    const sut = new ProviderLimiterRegistry();
    const a = sut.forProvider('openai', 'http://x/v1', 'key-1', 4);
    expect(sut.forProvider('openai', 'http://x/v1', 'key-1', 8)).toBe(a);
    expect(sut.forProvider('openai', 'http://x/v1', 'key-2', 4)).not.toBe(a);
    expect(sut.forProvider('openai', 'http://y/v1', 'key-1', 4)).not.toBe(a);
    expect(sut.forProvider('deepseek', 'http://x/v1', 'key-1', 4)).not.toBe(a);
    expect(a.provider).toBe('openai');
    sut.onModuleDestroy();
  });
});
