import { Logger, LoggerService } from '@nestjs/common';
import { FakeOpenAIServer, fakeReply } from '../../test/support/fake-openai-server';
import { ModelConfig } from '../config/config.schema';
import { ChatRequest, ModelError, ToolDefinition } from './language-model';
import { ModelMetricsRecorder } from './model-metrics.recorder';
import { ModelSettings, resolveModelSettings } from './model-providers';
import { OpenAICompatibleModel } from './openai-compatible.model';
import { ProviderLimiter } from './provider-limiter';
import { RetryTiming } from './retry-policy';

const KEY = 'sk-test-secret-key-0123456789abcdef';
const FAST: RetryTiming = { baseDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 60_000 };
const READ_FILE: ToolDefinition = {
  name: 'read_file',
  description: 'Read a file',
  parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};
const HELLO: ChatRequest = { messages: [{ role: 'user', content: 'hello' }] };

describe('OpenAICompatibleModel (against the fake OpenAI server)', () => {
  let fake: FakeOpenAIServer;
  let metrics: ModelMetricsRecorder;
  let limiter: ProviderLimiter;
  const logs: string[] = [];

  const capture: LoggerService = {
    log: (...a: unknown[]) => logs.push(JSON.stringify(a)),
    warn: (...a: unknown[]) => logs.push(JSON.stringify(a)),
    error: (...a: unknown[]) => logs.push(JSON.stringify(a)),
    debug: (...a: unknown[]) => logs.push(JSON.stringify(a)),
    verbose: (...a: unknown[]) => logs.push(JSON.stringify(a)),
  };

  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
    Logger.overrideLogger(capture);
  });
  afterAll(async () => {
    Logger.overrideLogger(new Logger());
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    metrics = new ModelMetricsRecorder();
    limiter = new ProviderLimiter('openai', 8);
    logs.length = 0;
  });

  function settings(
    model: Partial<ModelConfig> = {},
    over: Partial<ModelSettings> = {},
  ): ModelSettings {
    const config = Object.assign(new ModelConfig(), {
      endpoint: fake.url,
      max_retries: 2,
      ...model,
    });
    return {
      ...resolveModelSettings('openai', config, 'api_key' in model ? model.api_key : KEY),
      ...over,
    };
  }

  function sut(s: ModelSettings = settings()): OpenAICompatibleModel {
    return new OpenAICompatibleModel(s, { limiter, metrics, retryTiming: FAST });
  }

  it('sends the key as a Bearer token with model, max_tokens, temperature and tools', async () => {
    fake.enqueue(
      fakeReply.text('hi there', { usage: { prompt_tokens: 12, completion_tokens: 3 } }),
    );
    const res = await sut(
      settings({ model_name: 'gpt-test', max_tokens: 321, temperature: 0.2 }),
    ).chat({
      ...HELLO,
      tools: [READ_FILE],
    });

    const [req] = fake.chatRequests;
    expect(req.bearer).toBe(KEY);
    expect(req.body).toMatchObject({
      model: 'gpt-test',
      max_tokens: 321,
      temperature: 0.2,
      messages: [{ role: 'user', content: 'hello' }],
      tools: [
        { type: 'function', function: { name: 'read_file', parameters: READ_FILE.parameters } },
      ],
    });
    expect(res).toMatchObject({
      message: { role: 'assistant', content: 'hi there' },
      finish_reason: 'stop',
      usage: { prompt: 12, completion: 3, total: 15 },
      attempts: 1,
      provider: 'openai',
      model: 'gpt-test',
    });
    expect(res.latency_ms).toBeGreaterThanOrEqual(0);
    expect(metrics.requests).toEqual([
      expect.objectContaining({
        outcome: 'success',
        tokens: { prompt: 12, completion: 3, total: 15 },
      }),
    ]);
  });

  it('per-request max_tokens and temperature override the configured ones', async () => {
    await sut().chat({ ...HELLO, max_tokens: 7, temperature: 0 });
    expect(fake.chatRequests[0].body).toMatchObject({ max_tokens: 7, temperature: 0 });
  });

  it('reads native tool calls and sends tool results back in the native shape', async () => {
    fake.enqueue(fakeReply.toolCall('read_file', { path: 'README.md' }, { id: 'call_abc' }));
    const model = sut();
    const first = await model.chat({ ...HELLO, tools: [READ_FILE] });
    expect(first.finish_reason).toBe('tool_calls');
    expect(first.message.tool_calls).toEqual([
      { id: 'call_abc', name: 'read_file', arguments: '{"path":"README.md"}' },
    ]);

    await model.chat({
      messages: [
        ...HELLO.messages,
        first.message,
        { role: 'tool', tool_call_id: 'call_abc', name: 'read_file', content: '# Title' },
      ],
      tools: [READ_FILE],
    });
    const sent = fake.chatRequests[1].body.messages;
    expect(sent[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'read_file' } }],
    });
    expect(sent[2]).toEqual({ role: 'tool', tool_call_id: 'call_abc', content: '# Title' });
  });

  it('asks for a JSON object only where the provider supports it and the prompt mentions JSON', async () => {
    const json: ChatRequest = {
      messages: [{ role: 'user', content: 'Answer in JSON.' }],
      response_format: 'json',
    };
    await sut().chat(json);
    await sut().chat({ ...HELLO, response_format: 'json' });
    await sut({ ...settings(), jsonMode: false }).chat(json);
    expect(fake.chatRequests.map((r) => r.body.response_format)).toEqual([
      { type: 'json_object' },
      undefined,
      undefined,
    ]);
  });

  it('waits out Retry-After on a 429, then succeeds', async () => {
    fake.enqueue(fakeReply.rateLimited(0.3), fakeReply.text('ok'));
    const res = await sut().chat(HELLO);

    const [first, second] = fake.chatRequests;
    expect(res.attempts).toBe(2);
    expect(second.received_at - first.replied_at!).toBeGreaterThanOrEqual(295);
    expect(metrics.attempts).toHaveLength(2);
    expect(metrics.limiterWaits[0]).toMatchObject({ reason: 'rate_limit' });
  });

  it('honours Retry-After on a 503 and retry-after-ms', async () => {
    fake.enqueue(
      fakeReply.error(503, 'overloaded', { headers: { 'retry-after': '0.2' } }),
      fakeReply.error(500, 'boom', { headers: { 'retry-after-ms': '150' } }),
      fakeReply.text('ok'),
    );
    const res = await sut().chat(HELLO);
    const [a, b, c] = fake.chatRequests;
    expect(res.attempts).toBe(3);
    expect(b.received_at - a.replied_at!).toBeGreaterThanOrEqual(195);
    expect(c.received_at - b.replied_at!).toBeGreaterThanOrEqual(145);
  });

  it('retries 5xx, connection drops and malformed bodies with backoff', async () => {
    fake.enqueue(fakeReply.serverError(502), fakeReply.drop(), fakeReply.text('ok'));
    expect((await sut().chat(HELLO)).attempts).toBe(3);

    fake.enqueue(fakeReply.malformed(), fakeReply.text('ok'));
    expect((await sut().chat(HELLO)).attempts).toBe(2);
  });

  it('gives up after max_retries with MODEL_ERROR carrying the status and provider message', async () => {
    fake.setDefault(fakeReply.serverError(500, 'upstream exploded'));
    const error = await sut(settings({ max_retries: 1 }))
      .chat(HELLO)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({
      code: 'MODEL_ERROR',
      details: { provider: 'openai', status: 500, attempts: 2 },
    });
    expect((error as Error).message).toContain('HTTP 500: upstream exploded');
    expect(fake.chatRequests).toHaveLength(2);
    expect(metrics.requests).toEqual([expect.objectContaining({ outcome: 'error' })]);
  });

  it('does not retry a 400 or 401', async () => {
    fake.enqueue(fakeReply.error(400, 'bad model'));
    await expect(sut().chat(HELLO)).rejects.toMatchObject({
      details: { status: 400, attempts: 1 },
    });
    fake.enqueue(fakeReply.error(401, `Incorrect API key provided: ${KEY}`));
    await expect(sut().chat(HELLO)).rejects.toMatchObject({
      details: { status: 401, attempts: 1 },
    });
    expect(fake.chatRequests).toHaveLength(2);
  });

  it('never puts the key in errors or logs, even when the provider echoes it', async () => {
    fake.enqueue(
      fakeReply.error(500, `key ${KEY} is overloaded`),
      fakeReply.error(401, `Incorrect API key provided: ${KEY}. You can find your API key at …`),
    );
    const error = (await sut()
      .chat(HELLO)
      .catch((e: unknown) => e)) as ModelError;

    expect(error.message).toContain('HTTP 401');
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain(KEY.slice(3, 20));
    expect(JSON.stringify(error.details)).not.toContain(KEY);
    expect(logs.join('\n')).toContain('retrying');
    expect(logs.join('\n')).not.toContain(KEY.slice(3, 20));
  });

  it('fails fast when a Retry-After is longer than it is willing to wait', async () => {
    fake.enqueue(fakeReply.rateLimited(3600));
    await expect(sut().chat(HELLO)).rejects.toThrow(/asks to wait 3600 s/);
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('abort cancels the HTTP request at once (the fake sees the connection close)', async () => {
    fake.enqueue(fakeReply.hang());
    const controller = new AbortController();
    const call = sut().chat({ ...HELLO, signal: controller.signal });
    await fake.waitForRequests(1);
    const abortedAt = Date.now();
    controller.abort();

    await expect(call).rejects.toMatchObject({ code: 'MODEL_ERROR', details: { aborted: true } });
    await fake.waitForAborted(1);
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect(fake.chatRequests[0].aborted).toBe(true);
    expect(metrics.requests).toEqual([expect.objectContaining({ outcome: 'aborted' })]);
  });

  it('abort also ends a backoff wait without another request', async () => {
    fake.enqueue(fakeReply.error(503, 'busy', { headers: { 'retry-after': '30' } }));
    const controller = new AbortController();
    const call = sut().chat({ ...HELLO, signal: controller.signal });
    await fake.waitForRequests(1);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await expect(call).rejects.toMatchObject({ details: { aborted: true } });
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('times out a hanging answer per attempt and retries it', async () => {
    fake.enqueue(fakeReply.hang(), fakeReply.hang());
    const model = sut({ ...settings({ max_retries: 1 }), timeoutMs: 150 });
    const error = (await model.chat(HELLO).catch((e: unknown) => e)) as ModelError;

    expect(error.message).toMatch(/did not answer within 0\.15 s \(after 2 attempts\)/);
    await fake.waitForAborted(2);
  });

  it('times out a slow answer and a body that stops half way', async () => {
    const model = sut({ ...settings({ max_retries: 0 }), timeoutMs: 100 });
    fake.enqueue(fakeReply.slow(1000, fakeReply.text('late')));
    await expect(model.chat(HELLO)).rejects.toThrow(/did not answer within/);
    fake.enqueue(fakeReply.hang('{"id": "chatcmpl-1", "choices": ['));
    await expect(model.chat(HELLO)).rejects.toThrow(/did not answer within/);
    await fake.waitForAborted(2);
  });

  it('reports MODEL_NOT_CONFIGURED without calling anything when the key is missing', async () => {
    const model = sut(settings({ api_key: undefined }));
    await expect(model.chat(HELLO)).rejects.toMatchObject({
      code: 'MODEL_NOT_CONFIGURED',
      message: expect.stringContaining('OPENAI_API_KEY'),
    });
    expect(fake.chatRequests).toHaveLength(0);
  });

  it('sends no Authorization header for a keyless provider, even with OPENAI_API_KEY set', async () => {
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = 'sk-test-env-should-not-leak-00';
    try {
      const config = Object.assign(new ModelConfig(), { endpoint: fake.url });
      await new OpenAICompatibleModel(resolveModelSettings('ollama', config, undefined), {
        limiter,
        metrics,
      }).chat(HELLO);
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
    expect(fake.chatRequests[0].headers.authorization).toBeUndefined();
    expect(fake.chatRequests[0].body.model).toBe('llama3.1');
  });

  it('keeps at most max_concurrent_requests on the wire', async () => {
    limiter = new ProviderLimiter('openai', 2);
    fake.setDefault(fakeReply.slow(40, fakeReply.text('ok')));
    const model = sut();
    const results = await Promise.all(Array.from({ length: 8 }, () => model.chat(HELLO)));

    expect(results.every((r) => r.message.content === 'ok')).toBe(true);
    expect(fake.maxInFlight).toBe(2);
    expect(metrics.limiterWaits.some((w) => w.reason === 'concurrency')).toBe(true);
  });

  it('one 429 makes every call on the same key wait for Retry-After', async () => {
    limiter = new ProviderLimiter('openai', 1);
    fake.enqueue(fakeReply.rateLimited(0.4));
    fake.setDefault(fakeReply.text('ok'));
    const model = sut();
    const results = await Promise.all(Array.from({ length: 5 }, () => model.chat(HELLO)));

    expect(results.map((r) => r.message.content)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const [limited, ...rest] = fake.chatRequests;
    expect(limited.reply_kind).toBe('error');
    expect(rest).toHaveLength(5);
    for (const r of rest) expect(r.received_at - limited.replied_at!).toBeGreaterThanOrEqual(395);
    expect(
      metrics.limiterWaits.filter((w) => w.reason === 'rate_limit').length,
    ).toBeGreaterThanOrEqual(4);
  });

  it('a 429 seen by one model instance pauses another on the same limiter', async () => {
    fake.enqueue(fakeReply.rateLimited(0.3));
    const a = sut();
    const b = sut();
    const first = a.chat(HELLO);
    await fake.waitForRequests(1);
    await waitUntil(() => limiter.stats().paused_for_ms > 0);
    const second = await b.chat(HELLO);
    await first;
    const [limited, ...later] = fake.chatRequests;
    expect(second.attempts).toBe(1);
    for (const r of later) expect(r.received_at - limited.replied_at!).toBeGreaterThanOrEqual(295);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
