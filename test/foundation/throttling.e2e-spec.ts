import { ThrottlerStorage } from '@nestjs/throttler';
import { SlidingWindowThrottlerStorage } from '../../src/throttling/sliding-window.storage';
import {
  ADMIN_KEY,
  bearer,
  createTestApp,
  expectErrorShape,
  TEST_KEYS,
  TestApp,
  USER_KEY,
} from '../support/test-app';

describe('throttling per key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      ...TEST_KEYS,
      service: {
        ...TEST_KEYS.service,
        rate_limiting: { enabled: true, burst_size: 3, requests_per_minute: 6 },
      },
    });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After after the burst, per key, in the error shape', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(
        (await t.inject({ method: 'GET', url: '/api/v1/metrics', headers: bearer(USER_KEY) }))
          .statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await t.inject({
      method: 'GET',
      url: '/api/v1/metrics',
      headers: bearer(USER_KEY),
    });
    const body = expectErrorShape(res, 429, 'RATE_LIMIT_EXCEEDED');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(body.details).toEqual({ retry_after_seconds: retryAfter });
    // Another key has its own bucket.
    expect(
      (await t.inject({ method: 'GET', url: '/api/v1/metrics', headers: bearer(ADMIN_KEY) }))
        .statusCode,
    ).toBe(200);
  });

  it('never throttles health and metrics', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await t.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      expect((await t.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    }
  });

  it('applies a live update of the limits', async () => {
    const res = await t.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: bearer(ADMIN_KEY),
      payload: { service: { rate_limiting: { enabled: false } } },
    });
    expect(res.statusCode).toBe(200);
    for (let i = 0; i < 10; i++) {
      expect(
        (await t.inject({ method: 'GET', url: '/api/v1/metrics', headers: bearer(USER_KEY) }))
          .statusCode,
      ).toBe(200);
    }
  });
});

describe('throttling without keys', () => {
  it('tracks anonymous callers per IP', async () => {
    const t = await createTestApp({
      service: { rate_limiting: { enabled: true, burst_size: 2, requests_per_minute: 60 } },
    });
    try {
      const a = [];
      for (let i = 0; i < 3; i++)
        a.push(
          (await t.inject({ method: 'GET', url: '/api/v1/metrics', remoteAddress: '10.0.0.1' }))
            .statusCode,
        );
      expect(a).toEqual([200, 200, 429]);
      expect(
        (await t.inject({ method: 'GET', url: '/api/v1/metrics', remoteAddress: '10.0.0.2' }))
          .statusCode,
      ).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('throttling cost', () => {
  it('does the same storage work per request at 1,000 and at 5,000 hits in the window', async () => {
    const t = await createTestApp({
      ...TEST_KEYS,
      service: {
        ...TEST_KEYS.service,
        rate_limiting: { enabled: true, burst_size: 10_000_000, requests_per_minute: 10_000_000 },
      },
    });
    try {
      const storage = t.app.get<SlidingWindowThrottlerStorage>(ThrottlerStorage);
      expect(storage).toBeInstanceOf(SlidingWindowThrottlerStorage);
      const workPerRequest = async (requests: number) => {
        const before = storage.operations;
        for (let i = 0; i < requests; i++) {
          const res = await t.inject({
            method: 'GET',
            url: '/api/v1/status',
            headers: bearer(USER_KEY),
          });
          expect(res.statusCode).toBe(200);
        }
        return (storage.operations - before) / requests;
      };
      await workPerRequest(1_000);
      const atOneThousand = await workPerRequest(100);
      await workPerRequest(3_900);
      const atFiveThousand = await workPerRequest(100);
      expect(atFiveThousand).toBe(atOneThousand);
      // Two windows (burst, sustained) of one key: a handful of records per request.
      expect(atFiveThousand).toBeLessThanOrEqual(6);
      expect(storage.size).toBe(2);
    } finally {
      await t.close();
    }
  });
});
