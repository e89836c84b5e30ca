import fc from 'fast-check';
import { createTaskApp, TaskTestApp } from '../support/task-app';
import { ADMIN_KEY, bearer, expectErrorShape, TEST_KEYS, USER_KEY } from '../support/test-app';

/**
 * Every endpoint's input, fuzzed: no input may produce a 5xx, every 4xx has the SPEC error shape.
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
