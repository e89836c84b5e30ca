import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { logRequest } from '../../src/logging/logging.module';
import { ADMIN_KEY, TEST_KEYS, TestApp, bearer, createTestApp } from '../support/test-app';

/** The request lines written while `fn` runs (calls to the root logger's info and error). */
async function linesDuring(
  fn: () => Promise<unknown>,
): Promise<{ level: string; obj: unknown; msg: unknown }[]> {
  const root = PinoLogger.root;
  const info = jest.spyOn(root, 'info').mockImplementation(() => undefined);
  const error = jest.spyOn(root, 'error').mockImplementation(() => undefined);
  try {
    await fn();
    return [
      ...info.mock.calls.map(([obj, msg]) => ({ level: 'info', obj, msg })),
      ...error.mock.calls.map(([obj, msg]) => ({ level: 'error', obj, msg })),
    ].filter((l) => typeof l.msg === 'string' && /^request (completed|errored)$/.test(l.msg));
  } finally {
    info.mockRestore();
    error.mockRestore();
  }
}

describe('request log lines', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ...TEST_KEYS, logging: { level: 'info' } });
  });
  afterAll(() => t.close());
  afterEach(() => {
    PinoLogger.root.level = 'info';
  });

  it('writes one line per request with its id, method, URL, status and time', async () => {
    let res!: Awaited<ReturnType<TestApp['inject']>>;
    const lines = await linesDuring(async () => {
      res = await t.inject({
        method: 'GET',
        url: '/api/v1/tasks/nope?x=1',
        headers: { ...bearer(ADMIN_KEY), 'x-request-id': 'trace-42' },
      });
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('trace-42');
    expect(lines).toEqual([
      {
        level: 'info',
        msg: 'request completed',
        obj: {
          request_id: 'trace-42',
          req: { method: 'GET', url: '/api/v1/tasks/nope?x=1' },
          res: { statusCode: 404 },
          responseTime: expect.any(Number),
        },
      },
    ]);
    // Never a header, so never a key.
    expect(JSON.stringify(lines)).not.toContain(ADMIN_KEY);
  });

  it('skips health probes, and writes nothing when the level is above info', async () => {
    expect(await linesDuring(() => t.inject({ method: 'GET', url: '/health/live' }))).toEqual([]);
    PinoLogger.root.level = 'warn';
    const quiet = await linesDuring(() =>
      t.inject({ method: 'GET', url: '/api/v1/tasks', headers: bearer(ADMIN_KEY) }),
    );
    expect(quiet).toEqual([]);
  });

  it('logs a 5xx at error level as "request errored"', async () => {
    const request = {
      id: 'r-5',
      method: 'POST',
      url: '/api/v1/tasks',
      routeOptions: { url: '/api/v1/tasks' },
    } as unknown as FastifyRequest;
    const reply = { statusCode: 503, elapsedTime: 12.3456 } as unknown as FastifyReply;
    const lines = await linesDuring(async () => logRequest(request, reply));
    expect(lines).toEqual([
      {
        level: 'error',
        msg: 'request errored',
        obj: {
          request_id: 'r-5',
          req: { method: 'POST', url: '/api/v1/tasks' },
          res: { statusCode: 503 },
          responseTime: 12.346,
        },
      },
    ]);
  });
});
