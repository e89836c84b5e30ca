import { JSON_LIMITS } from '../../src/common/json-limits';
import { InvalidRequestError } from '../../src/common/errors';
import { validBatchRequest, validTaskRequest } from '../../src/client/request-validation';
import { createTaskApp, TaskTestApp } from '../support/task-app';
import { ADMIN_KEY, bearer, expectErrorShape, TEST_KEYS, USER_KEY } from '../support/test-app';

/** `depth` arrays nested in each other around `inner`, as JSON text. */
const nestedText = (depth: number, inner = '0') => '['.repeat(depth) + inner + ']'.repeat(depth);
/** An object of `n` keys, each with a short value. */
const wide = (n: number, prefix = 'k') =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 1]));

describe('bounded JSON input: depth, width and size before any transformation', () => {
  let t: TaskTestApp;
  beforeAll(async () => {
    t = await createTaskApp({
      overrides: {
        ...TEST_KEYS,
        tools: { enable_command_execution: false },
        service: { ...TEST_KEYS.service, sync_wait_seconds: 0 },
      },
    });
  });
  afterAll(() => t.close());

  const postText = (
    url: string,
    payload: string,
    key = USER_KEY,
    method: 'POST' | 'PUT' = 'POST',
  ) =>
    t.inject({
      method,
      url,
      payload,
      headers: { ...bearer(key), 'content-type': 'application/json' },
    });

  const expectLimit = (res: Awaited<ReturnType<typeof postText>>, problem: RegExp) => {
    const body = expectErrorShape(res, 400, 'INVALID_REQUEST');
    expect(body.details).toEqual([{ field: 'body', message: expect.stringMatching(problem) }]);
  };

  it('answers 400 to 3,000 levels of nesting in metadata or as the task, not 500', async () => {
    expectLimit(
      await postText('/api/v1/tasks', `{"task":"x","metadata":{"a":${nestedText(3000)}}}`),
      /nested deeper than 64/,
    );
    expectLimit(await postText('/api/v1/tasks', `{"task":${nestedText(3000)}}`), /nested deeper/);
    expectLimit(await postText('/api/v1/tasks', nestedText(100_000)), /nested deeper/);
  });

  it('accepts 64 levels and refuses 65, counting the body itself', async () => {
    // the body (1), metadata (2) and 62 arrays: 64
    const ok = await postText('/api/v1/tasks', `{"task":"x","metadata":{"a":${nestedText(62)}}}`);
    expect(ok.statusCode).toBe(202);
    const tooDeep = await postText(
      '/api/v1/tasks',
      `{"task":"x","metadata":{"a":${nestedText(63)}}}`,
    );
    expectLimit(tooDeep, /nested deeper than 64 levels/);
  });

  it('refuses wide objects anywhere: metadata, environment, unknown fields', async () => {
    const over = JSON_LIMITS.maxKeysPerObject + 1;
    for (const body of [
      { task: 'x', metadata: wide(60_000) },
      { task: 'x', metadata: { nested: wide(over) } },
      { task: 'x', context: { environment: wide(over, 'V') } },
      { task: 'x', context: { constraints: wide(over) } },
      { ...wide(over), task: 'x' },
    ]) {
      expectLimit(
        await postText('/api/v1/tasks', JSON.stringify(body)),
        /a JSON object with more than 256 keys/,
      );
    }
    const atLimit = await postText(
      '/api/v1/tasks',
      JSON.stringify({ task: 'x', metadata: wide(JSON_LIMITS.maxKeysPerObject) }),
    );
    expect(atLimit.statusCode).toBe(202);
  });

  it('refuses more than 10,000 values in one body, arrays included', async () => {
    const items = Array.from({ length: JSON_LIMITS.maxValues + 1 }, () => 0);
    expectLimit(
      await postText('/api/v1/tasks', JSON.stringify({ task: 'x', metadata: { items } })),
      /more than 10000 JSON values/,
    );
  });

  it('applies to every route that takes JSON, admin routes included', async () => {
    const deep = `{"service":{"cors":${nestedText(200)}}}`;
    expectLimit(await postText('/api/v1/config', deep, ADMIN_KEY, 'PUT'), /nested deeper/);
    expectLimit(
      await postText('/api/v1/config/validate', `{"config":${nestedText(200)}}`, ADMIN_KEY),
      /nested deeper/,
    );
    expectLimit(
      await postText(
        '/api/v1/tasks/batch',
        JSON.stringify({ tasks: [{ task: 'x', ...wide(300) }] }),
      ),
      /more than 256 keys/,
    );
  });

  it('leaves malformed JSON to the parser (400 Malformed) and keeps prototype poisoning refused', async () => {
    expectErrorShape(await postText('/api/v1/tasks', '{"task": "x", '), 400, 'INVALID_REQUEST');
    const poisoned = await postText('/api/v1/tasks', '{"task":"x","__proto__":{"admin":true}}');
    expectErrorShape(poisoned, 400, 'INVALID_REQUEST');
    // A string that looks like nesting is text, not structure.
    const text = await postText(
      '/api/v1/tasks',
      JSON.stringify({ task: 'x', metadata: { note: '['.repeat(3000) + '{,"\\'.repeat(2000) } }),
    );
    expect(text.statusCode).toBe(202);
  });

  it('gives the library and CLI input (no HTTP parser) the same limits', async () => {
    let deep: unknown = 0;
    for (let i = 0; i < 3000; i++) deep = [deep];
    await expect(validTaskRequest({ task: 'x', metadata: { deep } })).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    await expect(validTaskRequest({ task: 'x', metadata: wide(60_000) })).rejects.toThrow(
      /more than 256 keys/,
    );
    await expect(validBatchRequest({ tasks: [{ task: 'x', metadata: { deep } }] })).rejects.toThrow(
      /nested deeper than 64/,
    );
  });
});
