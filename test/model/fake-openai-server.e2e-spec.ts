import OpenAI from 'openai';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';

/** The fake itself, through the real SDK: every reply kind other tests rely on. */
describe('FakeOpenAIServer', () => {
  let fake: FakeOpenAIServer;
  let client: OpenAI;
  const ask = (extra: Record<string, unknown> = {}) =>
    client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      ...extra,
    });

  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
    client = new OpenAI({ apiKey: 'sk-fake-1234567890', baseURL: fake.url, maxRetries: 0 });
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('answers from the queue in order, then the default', async () => {
    fake.script([fakeReply.text('one'), fakeReply.toolCall('read_file', { path: 'a' })]);
    const one = await ask();
    const two = await ask();
    const three = await ask();
    expect(one.choices[0].message.content).toBe('one');
    expect(two.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: null,
        tool_calls: [
          {
            id: 'call_2_1',
            type: 'function',
            function: { name: 'read_file', arguments: '{"path":"a"}' },
          },
        ],
      },
    });
    expect(three.choices[0].message.content).toBe('done');
    expect(three.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(fake.queued).toBe(0);
  });

  it('records headers, bearer and parsed bodies', async () => {
    await ask({ temperature: 0.1 });
    const [req] = fake.chatRequests;
    expect(req).toMatchObject({
      seq: 1,
      method: 'POST',
      path: '/v1/chat/completions',
      bearer: 'sk-fake-1234567890',
      aborted: false,
      reply_kind: 'text',
    });
    expect(req.headers['content-type']).toContain('application/json');
    expect(req.body).toMatchObject({ model: 'm', temperature: 0.1 });
    expect(req.replied_at).toBeGreaterThanOrEqual(req.received_at);
  });

  it('a handler decides per request and falls back to the queue when it returns undefined', async () => {
    fake.enqueue(fakeReply.text('from queue'));
    fake.onRequest((req) =>
      req.body.messages[0].content === 'special' ? fakeReply.text('handled') : undefined,
    );
    const special = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'special' }],
    });
    expect(special.choices[0].message.content).toBe('handled');
    expect((await ask()).choices[0].message.content).toBe('from queue');
  });

  it('errors carry status, body and headers (429 with Retry-After, 500)', async () => {
    fake.enqueue(fakeReply.rateLimited(2), fakeReply.serverError());
    const limited = await ask().catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers.get('retry-after')).toBe(
      '2',
    );
    const failed = await ask().catch((e: unknown) => e);
    expect(failed).toMatchObject({ status: 500, error: { type: 'server_error' } });
  });

  it('malformed bodies, drops and slow replies', async () => {
    fake.enqueue(
      fakeReply.malformed(),
      fakeReply.malformed('<html>oops</html>', { content_type: 'text/html' }),
      fakeReply.drop(),
    );
    await expect(ask()).rejects.toThrow('Unexpected end of JSON input');
    expect(await ask()).toBe('<html>oops</html>');
    await expect(ask()).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(fake.aborted).toBe(0);

    fake.enqueue(fakeReply.slow(120, fakeReply.text('late')));
    const started = Date.now();
    expect((await ask()).choices[0].message.content).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('a hanging reply ends only when the client aborts, and the abort is counted', async () => {
    fake.enqueue(fakeReply.hang(), fakeReply.hang('{"id": "chatcmpl-1", "choi'));
    for (const n of [1, 2]) {
      const controller = new AbortController();
      const call = client.chat.completions.create(
        { model: 'm', messages: [] },
        { signal: controller.signal },
      );
      await fake.waitForRequests(n);
      // Deliberately idle: a reply that ended on its own would no longer be in flight.
      await new Promise((r) => setTimeout(r, 20));
      expect(fake.inFlight).toBe(1);
      controller.abort();
      // before headers the SDK wraps the abort; while reading the body fetch's AbortError comes through
      await expect(call).rejects.toThrow(/abort/i);
      await fake.waitForAborted(n);
    }
    expect(fake.chatRequests.map((r) => r.aborted)).toEqual([true, true]);
  });

  it('streams text and tool calls as SSE chunks when asked', async () => {
    fake.enqueue(
      fakeReply.text('streamed hello world, longer than one chunk'),
      fakeReply.toolCall('list_files', { path: '.' }),
    );
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('streamed hello world, longer than one chunk');
    expect(usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });

    const runner = client.chat.completions.stream({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0].message.tool_calls).toEqual([
      expect.objectContaining({
        type: 'function',
        function: { name: 'list_files', arguments: '{"path":"."}' },
      }),
    ]);
  });

  it('lists models, 404s unknown paths and enforces a key when given one', async () => {
    const keyed = await FakeOpenAIServer.start({
      apiKey: 'sk-right-0000000000',
      models: ['a', 'b'],
    });
    try {
      const good = new OpenAI({ apiKey: 'sk-right-0000000000', baseURL: keyed.url, maxRetries: 0 });
      const bad = new OpenAI({ apiKey: 'sk-wrong-0000000000', baseURL: keyed.url, maxRetries: 0 });
      const models = [];
      for await (const m of good.models.list()) models.push(m.id);
      expect(models).toEqual(['a', 'b']);
      await expect(
        bad.chat.completions.create({ model: 'm', messages: [] }),
      ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      await expect(good.embeddings.create({ model: 'e', input: 'x' })).rejects.toBeInstanceOf(
        OpenAI.NotFoundError,
      );
      expect(keyed.requests.map((r) => r.reply_kind)).toEqual([
        'models',
        'unauthorized',
        'not_found',
      ]);
      expect(keyed.requestCount).toBe(1);
    } finally {
      await keyed.close();
    }
  });

  it('tracks concurrency and can drop bodies and old records for load tests', async () => {
    const lean = await FakeOpenAIServer.start({
      recordBodies: false,
      maxRecorded: 5,
      defaultReply: fakeReply.slow(30, fakeReply.text('ok')),
    });
    try {
      const c = new OpenAI({ apiKey: 'k', baseURL: lean.url, maxRetries: 0 });
      lean.onRequest((req) =>
        req.body.messages[0].content === 'tool' ? fakeReply.toolCall('x', {}) : undefined,
      );
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          c.chat.completions.create({
            model: 'm',
            messages: [{ role: 'user', content: i === 0 ? 'tool' : 'x' }],
          }),
        ),
      );
      expect(answers[0].choices[0].finish_reason).toBe('tool_calls');
      expect(lean.requestCount).toBe(20);
      expect(lean.chatRequests).toHaveLength(5);
      expect(lean.chatRequests.every((r) => r.body === undefined)).toBe(true);
      expect(lean.maxInFlight).toBeGreaterThan(1);
      expect(lean.inFlight).toBe(0);
    } finally {
      await lean.close();
    }
  });

  it('waitFor* time out with a clear message', async () => {
    await expect(fake.waitForRequests(1, 50)).rejects.toThrow(
      /timed out after 50 ms waiting for 1 request/,
    );
    await expect(fake.waitForAborted(1, 50)).rejects.toThrow(/aborted/);
  });

  it('close() cuts hanging connections', async () => {
    const other = await FakeOpenAIServer.start({ defaultReply: fakeReply.hang() });
    const c = new OpenAI({ apiKey: 'k', baseURL: other.url, maxRetries: 0 });
    const call = c.chat.completions.create({ model: 'm', messages: [] });
    await other.waitForRequests(1);
    await other.close();
    await expect(call).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
  });
});
