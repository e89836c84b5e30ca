import fc from 'fast-check';
import { createTaskApp, TaskTestApp } from '../support/task-app';
import { ADMIN_KEY, bearer, expectErrorShape, TEST_KEYS, USER_KEY } from '../support/test-app';

/**
 * Every endpoint's input, fuzzed: no input may produce a 5xx, every 4xx has the error shape of
 * docs/api.md, Errors.
 * The offline model runs what gets accepted (commands disabled, so nothing random ever executes).
 */
describe('fuzzing every endpoint', () => {
  let t: TaskTestApp;
  beforeAll(async () => {
    t = await createTaskApp({
      overrides: {
        ...TEST_KEYS,
        tools: { enable_command_execution: false },
        service: { ...TEST_KEYS.service, max_queued_tasks: 100_000, sync_wait_seconds: 0 },
      },
    });
  });
  afterAll(() => t.close());

  const json = fc.jsonValue({ maxDepth: 3 });
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('', ' ', '../..', '%00', '\u0000', 'a'.repeat(300)),
  );
  const taskRequest = fc.record(
    {
      task: fc.oneof(text, json),
      task_id: fc.oneof(text, json),
      priority: fc.oneof(fc.constantFrom('low', 'normal', 'high', 'critical'), text, json),
      metadata: json,
      context: fc.oneof(
        json,
        fc.record(
          {
            working_directory: fc.oneof(text, json),
            environment: fc.oneof(json, fc.dictionary(text, text)),
            tools: fc.oneof(json, fc.array(fc.constantFrom('read_file', 'list_files', 'nope', ''))),
            scenario: fc.oneof(text, fc.constantFrom('testing', 'documentation')),
            constraints: fc.oneof(
              json,
              fc.record(
                {
                  max_execution_time: json,
                  max_steps: fc.oneof(fc.integer(), json),
                  allowed_paths: fc.oneof(json, fc.array(text)),
                },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      extra: json,
    },
    { requiredKeys: [] },
  );

  const check = async (
    res: {
      statusCode: number;
      body: string;
      headers: Record<string, unknown>;
      json: () => unknown;
    },
    label: string,
  ) => {
    if (res.statusCode >= 500) throw new Error(`${label} → ${res.statusCode}: ${res.body}`);
    if (res.statusCode >= 400) expectErrorShape(res as never, res.statusCode);
  };

  it('POST /api/v1/tasks and /tasks/batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(taskRequest, json),
        fc.oneof(fc.array(fc.oneof(taskRequest, json), { maxLength: 3 }), json),
        fc.oneof(fc.constantFrom('parallel', 'sequential'), text, json),
        async (single, tasks, mode) => {
          const headers = { ...bearer(USER_KEY), 'content-type': 'application/json' };
          const a = await t.inject({
            method: 'POST',
            url: '/api/v1/tasks?wait=false',
            headers,
            payload: JSON.stringify(single),
          });
          await check(a, `POST /tasks ${JSON.stringify(single)}`);
          const b = await t.inject({
            method: 'POST',
            url: '/api/v1/tasks/batch?wait=false',
            headers,
            payload: JSON.stringify({ tasks, mode }),
          });
          await check(b, `POST /tasks/batch ${JSON.stringify({ tasks, mode })}`);
        },
      ),
      { numRuns: 250 },
    );
  });

  it('deep and wide bodies on every JSON route: 400 beyond the limits, never a 5xx', async () => {
    /** Depth, widest object and number of values, measured here independently of the service. */
    const measure = (v: unknown, depth = 0): { depth: number; keys: number; values: number } => {
      if (v === null || typeof v !== 'object') return { depth, keys: 0, values: 0 };
      const children = Array.isArray(v) ? v : Object.values(v);
      const inner = children.map((c) => measure(c, depth + 1));
      return {
        depth: Math.max(depth + 1, ...inner.map((m) => m.depth)),
        keys: Math.max(Array.isArray(v) ? 0 : children.length, ...inner.map((m) => m.keys)),
        values: children.length + inner.reduce((a, m) => a + m.values, 0),
      };
    };
    const wideObject = (n: number, leaf: unknown) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, leaf]));
    const shape = fc
      .record({
        depth: fc.integer({ min: 0, max: 150 }),
        width: fc.integer({ min: 0, max: 400 }),
        items: fc.integer({ min: 0, max: 12_000 }),
        asArrays: fc.boolean(),
        leaf: fc.jsonValue({ maxDepth: 1 }),
      })
      .map(({ depth, width, items, asArrays, leaf }) => {
        let v: unknown = width ? wideObject(width, leaf) : Array.from({ length: items }, () => 0);
        for (let i = 0; i < depth; i++) v = asArrays ? [v] : { a: v };
        return v;
      });
    const placements: ((v: unknown) => [string, unknown, string])[] = [
      (v) => ['/api/v1/tasks?wait=false', { task: 'x', metadata: { v } }, USER_KEY],
      (v) => ['/api/v1/tasks?wait=false', { task: v }, USER_KEY],
      (v) => ['/api/v1/tasks?wait=false', { task: 'x', context: { environment: v } }, USER_KEY],
      (v) => ['/api/v1/tasks?wait=false', { task: 'x', context: { constraints: v } }, USER_KEY],
      (v) => ['/api/v1/tasks/batch?wait=false', { tasks: [{ task: 'x', metadata: v }] }, USER_KEY],
      (v) => ['/api/v1/config/validate', { config: { tools: v } }, ADMIN_KEY],
    ];
    await fc.assert(
      fc.asyncProperty(shape, fc.nat(placements.length - 1), async (value, which) => {
        const [url, body, key] = placements[which](value);
        const res = await t.inject({
          method: 'POST',
          url,
          headers: { ...bearer(key), 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        const label = `POST ${url} (placement ${which})`;
        await check(res, label);
        const m = measure(body);
        if (m.depth > 64 || m.keys > 256 || m.values > 10_000) {
          const error = expectErrorShape(res as never, 400, 'INVALID_REQUEST');
          expect(error.details).toEqual([{ field: 'body', message: expect.any(String) }]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('query strings, path ids and headers of the read and cancel routes', async () => {
    const segment = fc.oneof(text, fc.constantFrom('..', '%2e%2e', 'x'.repeat(600), '%ZZ', '😀'));
    await fc.assert(
      fc.asyncProperty(
        segment,
        text,
        text,
        text,
        segment,
        async (id, status, limit, cursor, lastEventId) => {
          const q = new URLSearchParams({ status, limit, cursor, priority: status }).toString();
          const enc = encodeURIComponent(id);
          for (const [method, url, headers] of [
            ['GET', `/api/v1/tasks?${q}`, {}],
            ['GET', `/api/v1/tasks/${enc}`, {}],
            ['DELETE', `/api/v1/tasks/${enc}`, {}],
            ['GET', `/api/v1/batches/${enc}`, {}],
            [
              'GET',
              `/api/v1/tasks/${enc}/events?last_event_id=${encodeURIComponent(limit)}`,
              { 'last-event-id': lastEventId.replace(/[\r\n]/g, '') },
            ],
            ['GET', `/api/v1/status?${q}`, {}],
            ['GET', `/api/v1/tools?${q}`, {}],
            ['GET', `/api/v1/metrics?${q}`, {}],
          ] as const) {
            const res = await t.inject({
              method,
              url,
              headers: { ...bearer(ADMIN_KEY), ...headers },
            });
            await check(res, `${method} ${url}`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
