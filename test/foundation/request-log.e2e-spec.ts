import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { logRequest } from '../../src/logging/logging.module';
import { ADMIN_KEY, TEST_KEYS, TestApp, bearer, createTestApp } from '../support/test-app';

/**
 * The request lines the root logger writes while `fn` runs, as parsed JSON: taken from its output
 * stream, so serializers and redaction are part of what is checked.
 */
async function linesDuring(fn: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const stream = (PinoLogger.root as unknown as Record<symbol, { write(s: string): boolean }>)[
    pino.symbols.streamSym
  ];
  const write = jest.spyOn(stream, 'write').mockImplementation(() => true);
  try {
    await fn();
    return write.mock.calls
      .map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
      .filter((l) => typeof l.msg === 'string' && /^request (completed|errored)$/.test(l.msg));
  } finally {
    write.mockRestore();
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
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        request_id: 'trace-42',
        method: 'GET',
        url: '/api/v1/tasks/nope?x=1',
        status_code: 404,
        response_time_ms: expect.any(Number),
      }),
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
      expect.objectContaining({
        level: 50,
        msg: 'request errored',
        request_id: 'r-5',
        method: 'POST',
        url: '/api/v1/tasks',
        status_code: 503,
        response_time_ms: 12.346,
      }),
    ]);
  });
});
