import fc from 'fast-check';
import {
  ADMIN_KEY,
  bearer,
  createTestApp,
  expectErrorShape,
  TEST_KEYS,
  TestApp,
} from '../support/test-app';

const admin = bearer(ADMIN_KEY);

describe('/api/v1/config', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(TEST_KEYS, {
      env: { AGENT_RUNNER_API_KEY: 'model-key-never-shown-9876' },
    });
  });
  afterEach(() => t.close());

  const get = async () =>
    (await t.inject({ method: 'GET', url: '/api/v1/config', headers: admin })).json();

  it('GET shows the effective config with secrets redacted', async () => {
    const res = await t.inject({ method: 'GET', url: '/api/v1/config', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('model-key-never-shown-9876');
    expect(res.json().model).toEqual(
      expect.objectContaining({ api_key: '****9876', api_key_set: true }),
    );
  });

  it('PUT updates sections live and GET shows them', async () => {
    const res = await t.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: admin,
      payload: { execution: { max_steps: 7 }, tools: { forbidden_commands: ['rm -rf', 'curl'] } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().execution.max_steps).toBe(7);
    const now = await get();
    expect(now.execution.max_steps).toBe(7);
    expect(now.tools.forbidden_commands).toEqual(['rm -rf', 'curl']);
    expect(now.model.max_tokens).toBe(4000);
  });

  it('PUT with any invalid value changes nothing and lists every problem with its key as field', async () => {
    const before = await get();
    const res = await t.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: admin,
      payload: {
        execution: { max_steps: 0 },
        model: { provider: 'skynet' },
        tools: { oops: true },
      },
    });
    const body = expectErrorShape(res, 400, 'INVALID_REQUEST');
    expect((body.details as { field: string }[]).map((d) => d.field).sort()).toEqual([
      'execution.max_steps',
      'model.provider',
      'tools.oops',
    ]);
    expect(await get()).toEqual(before);
  });

  it('PUT refuses start-up-only keys and unknown sections', async () => {
    expectErrorShape(
      await t.inject({
        method: 'PUT',
        url: '/api/v1/config',
        headers: admin,
        payload: { service: { bind_address: '0.0.0.0:1' } },
      }),
      400,
      'INVALID_REQUEST',
    );
    expectErrorShape(
      await t.inject({
        method: 'PUT',
        url: '/api/v1/config',
        headers: admin,
        payload: { skynet: {} },
      }),
      400,
      'INVALID_REQUEST',
    );
  });

  it('PUT /model swaps provider and model; a new provider does not inherit the old key', async () => {
    const res = await t.inject({
      method: 'PUT',
      url: '/api/v1/config/model',
      headers: admin,
      payload: {
        provider: 'deepseek',
        model_name: 'deepseek-chat',
        temperature: 0.1,
        api_key: 'sk-deepseek-test-0001',
      },
    });
    expect(res.statusCode).toBe(200);
    const model = res.json().model;
    expect(model).toEqual(
      expect.objectContaining({
        provider: 'deepseek',
        model_name: 'deepseek-chat',
        temperature: 0.1,
      }),
    );
    expect(model.api_key).toBe('****0001');
    // Without a key for the new provider the swap is refused: it would leave tasks unusable.
    expectErrorShape(
      await t.inject({
        method: 'PUT',
        url: '/api/v1/config/model',
        headers: admin,
        payload: { provider: 'zhipu' },
      }),
      400,
      'INVALID_REQUEST',
    );
    expectErrorShape(
      await t.inject({
        method: 'PUT',
        url: '/api/v1/config/model',
        headers: admin,
        payload: { provider: 'skynet' },
      }),
      400,
      'INVALID_REQUEST',
    );
    expectErrorShape(
      await t.inject({
        method: 'PUT',
        url: '/api/v1/config/model',
        headers: admin,
        payload: { surprise: 1 },
      }),
      400,
      'INVALID_REQUEST',
    );
  });

  it("POST /validate: the seed README's example is valid, and changes nothing", async () => {
    const res = await t.inject({
      method: 'POST',
      url: '/api/v1/config/validate',
      headers: admin,
      payload: {
        config: { model: { provider: 'zhipu', model_name: 'glm-4', api_key: 'test-key' } },
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ valid: true, errors: [], warnings: [] });
    expect((await get()).model.provider).toBeUndefined();
  });

  it('POST /validate reports errors with paths and warnings for suspicious values', async () => {
    const bad = await t.inject({
      method: 'POST',
      url: '/api/v1/config/validate',
      headers: admin,
      payload: {
        config: {
          model: { provider: 'nope', max_tokens: 'lots' },
          service: { rate_limiting: { burst_size: 0 } },
        },
      },
    });
    expect(bad.statusCode).toBe(200);
    expect(bad.json().valid).toBe(false);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining([
        'model.provider',
        'model.max_tokens',
        'service.rate_limiting.burst_size',
      ]),
    );
    const warn = await t.inject({
      method: 'POST',
      url: '/api/v1/config/validate',
      headers: admin,
      payload: { config: { model: { temperature: 5 } } },
    });
    expect(warn.json().valid).toBe(true);
    expect(warn.json().warnings).toEqual([expect.objectContaining({ path: 'model.temperature' })]);
  });

  it('POST /validate runs the start-up checks: an open public bind, a provider without its key', async () => {
    const post = (config: Record<string, unknown>) =>
      t.inject({
        method: 'POST',
        url: '/api/v1/config/validate',
        headers: admin,
        payload: { config },
      });
    const open = (await post({ service: { bind_address: '0.0.0.0:8080' } })).json();
    expect(open).toEqual({
      valid: false,
      errors: [
        { path: 'service.bind_address', message: expect.stringMatching(/^Refusing to start/) },
      ],
      warnings: [],
    });
    const keyless = (await post({ model: { provider: 'moonshot' } })).json();
    expect(keyless.valid).toBe(true);
    expect(keyless.warnings).toEqual([
      expect.objectContaining({
        path: 'model.api_key',
        message: expect.stringContaining('MOONSHOT_API_KEY'),
      }),
    ]);
    const typed = (await post({ service: { max_concurrent_tasks: 'ten' } })).json();
    expect(typed.errors).toEqual([
      {
        path: 'service.max_concurrent_tasks',
        message: 'max_concurrent_tasks must be an integer number',
      },
    ]);
  });
});

describe('config endpoints under fuzzing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(TEST_KEYS);
  });
  afterAll(() => t.close());

  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const configish = fc.record(
    {
      model: fc.dictionary(
        fc.constantFrom('provider', 'model_name', 'api_key', 'max_tokens', 'temperature', 'x'),
        anyJson,
      ),
      execution: fc.dictionary(
        fc.constantFrom('max_steps', 'timeout_seconds', 'sandbox', 'planning'),
        anyJson,
      ),
      service: fc.dictionary(
        fc.constantFrom('rate_limiting', 'cors', 'auth', 'max_concurrent_tasks', 'bind_address'),
        anyJson,
      ),
      tools: fc.dictionary(
        fc.constantFrom('allowed_paths', 'forbidden_commands', 'max_file_size_bytes'),
        anyJson,
      ),
    },
    { requiredKeys: [] },
  );

  it('never answers 5xx, and a 4xx changes nothing', async () => {
    let before = (
      await t.inject({ method: 'GET', url: '/api/v1/config', headers: bearer(ADMIN_KEY) })
    ).body;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/v1/config', '/api/v1/config/model', '/api/v1/config/validate'),
        fc.oneof(configish, anyJson, fc.record({ config: fc.oneof(configish, anyJson) })),
        async (url, payload) => {
          const method = url.endsWith('validate') ? 'POST' : 'PUT';
          const res = await t.inject({
            method,
            url,
            headers: { ...bearer(ADMIN_KEY), 'content-type': 'application/json' },
            payload: JSON.stringify(payload),
          });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) expectErrorShape(res, res.statusCode);
          if (res.statusCode >= 400) {
            const now = await t.inject({
              method: 'GET',
              url: '/api/v1/config',
              headers: bearer(ADMIN_KEY),
            });
            if (now.statusCode === 200) expect(now.body).toBe(before);
          } else if (method === 'PUT') {
            before = (
              await t.inject({ method: 'GET', url: '/api/v1/config', headers: bearer(ADMIN_KEY) })
            ).body;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
