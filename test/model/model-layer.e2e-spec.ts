import { Test, TestingModule } from '@nestjs/testing';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfigService } from '../../src/config/app-config.service';
import { AppConfigModule } from '../../src/config/app-config.module';
import { PartialConfig } from '../../src/config/config.schema';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { MetricsService } from '../../src/metrics/metrics.service';
import { ChatMessage, LanguageModel, ToolDefinition } from '../../src/model/language-model';
import { ModelModule } from '../../src/model/model.module';
import { ModelRegistry } from '../../src/model/model.registry';
import { wrapTaskText } from '../../src/model/task-text';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';

const KEY_A = 'sk-test-provider-a-0123456789';
const KEY_B = 'sk-test-provider-b-9876543210';
const FAST = { baseDelayMs: 10, maxDelayMs: 50, maxRetryAfterMs: 60_000 };
const TOOLS: ToolDefinition[] = [
  'read_file',
  'write_file',
  'list_files',
  'search_files',
  'run_command',
].map((name) => ({
  name,
  description: name,
  parameters: { type: 'object' },
}));
const HELLO = { messages: [{ role: 'user' as const, content: 'hello' }] };

/** The model layer as the service boots it: live config, Prometheus metrics, registry, limiters. */
describe('model layer (ModelModule with the live config)', () => {
  let fakeA: FakeOpenAIServer;
  let fakeB: FakeOpenAIServer;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    [fakeA, fakeB] = await Promise.all([FakeOpenAIServer.start(), FakeOpenAIServer.start()]);
  });
  afterAll(async () => {
    await Promise.all([fakeA.close(), fakeB.close()]);
  });
  beforeEach(() => {
    fakeA.reset();
    fakeB.reset();
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function boot(overrides: PartialConfig, env: NodeJS.ProcessEnv = {}) {
    moduleRef = await Test.createTestingModule({
      imports: [
        AppConfigModule.forRoot({
          env,
          dotenv: false,
          overrides: { logging: { level: 'silent' }, ...overrides },
        }),
        MetricsModule,
        ModelModule.forRoot({ retryTiming: FAST }),
      ],
    }).compile();
    moduleRef.useLogger(false);
    return {
      registry: moduleRef.get(ModelRegistry),
      config: moduleRef.get(AppConfigService),
      metrics: moduleRef.get(MetricsService),
    };
  }

  it('provider openai with an endpoint: the configured key goes as a Bearer token', async () => {
    const { registry } = await boot({
      model: { provider: 'openai', endpoint: fakeA.url, api_key: KEY_A },
    });
    fakeA.enqueue(fakeReply.text('hi'));
    const res = await registry.current().chat(HELLO);

    expect(res.message.content).toBe('hi');
    expect(fakeA.chatRequests[0].bearer).toBe(KEY_A);
    expect(fakeA.chatRequests[0].body.model).toBe('gpt-4o-mini');
    expect(registry.describe()).toEqual({
      provider: 'openai',
      model_name: 'gpt-4o-mini',
      endpoint: fakeA.url,
      tool_protocol: 'native',
      offline: false,
      ready: true,
    });
  });

  it('the provider key variable is used when no model key is set', async () => {
    const { registry } = await boot(
      { model: { provider: 'openai', endpoint: fakeA.url } },
      { OPENAI_API_KEY: KEY_B },
    );
    await registry.current().chat(HELLO);
    expect(fakeA.chatRequests[0].bearer).toBe(KEY_B);
  });

  it('429s are waited out and show in the metrics', async () => {
    const { registry, metrics } = await boot({
      model: { provider: 'openai', endpoint: fakeA.url, api_key: KEY_A },
    });
    const before = (await metrics.snapshot()).model;
    fakeA.enqueue(
      fakeReply.rateLimited(0.2),
      fakeReply.text('ok', { usage: { prompt_tokens: 7, completion_tokens: 2 } }),
    );
    const res = await registry.current().chat(HELLO);

    expect(res).toMatchObject({ message: { content: 'ok' }, attempts: 2 });
    const [limited, retried] = fakeA.chatRequests;
    expect(retried.received_at - limited.replied_at!).toBeGreaterThanOrEqual(195);
    const after = (await metrics.snapshot()).model;
    expect(after.requests - before.requests).toBe(1);
    expect(after.attempts - before.attempts).toBe(2);
    expect(after.tokens.prompt - before.tokens.prompt).toBe(7);
    expect(after.limiter_wait_seconds_total - before.limiter_wait_seconds_total).toBeGreaterThan(
      0.1,
    );
  });

  it('a live swap reaches a second endpoint for new calls while a running call keeps its model', async () => {
    const { registry, config } = await boot({
      model: { provider: 'openai', endpoint: fakeA.url, api_key: KEY_A },
    });
    fakeA.enqueue(fakeReply.slow(300, fakeReply.text('from A')));
    const running = registry.current();
    const inFlight = running.chat(HELLO);
    await fakeA.waitForRequests(1);

    config.update({ model: { endpoint: fakeB.url, api_key: KEY_B, model_name: 'model-b' } });
    fakeB.enqueue(fakeReply.text('from B'));
    const swapped = registry.current();
    const fresh = await swapped.chat(HELLO);

    expect(fresh.message.content).toBe('from B');
    expect((await inFlight).message.content).toBe('from A');
    expect(fakeB.chatRequests[0]).toMatchObject({ bearer: KEY_B, body: { model: 'model-b' } });
    expect(fakeA.chatRequests).toHaveLength(1);
    expect(running.model).toBe('gpt-4o-mini');
    expect(registry.describe()).toMatchObject({ endpoint: fakeB.url, model_name: 'model-b' });

    // the instance a task holds keeps calling its own endpoint after the swap
    await running.chat(HELLO);
    expect(fakeA.chatRequests).toHaveLength(2);
    expect(fakeA.chatRequests[1].bearer).toBe(KEY_A);
  });

  it('readiness without a paid call: a keyed provider without a key is not ready', async () => {
    const { registry } = await boot({ model: { provider: 'qwen' } });
    expect(registry.describe()).toMatchObject({
      provider: 'qwen',
      ready: false,
      reason: expect.stringContaining('DASHSCOPE_API_KEY'),
    });
    await expect(registry.current().chat(HELLO)).rejects.toMatchObject({
      code: 'MODEL_NOT_CONFIGURED',
    });
  });

  it('the json protocol round-trips tool calls with a model that only writes text', async () => {
    const { registry } = await boot({
      model: { provider: 'local', endpoint: fakeA.url, model_name: 'tiny-local' },
    });
    fakeA.enqueue(
      fakeReply.text(
        'Let me look. {"tool_calls": [{"name": "read_file", "arguments": {"path": "a.md"}}]}',
      ),
      fakeReply.text('not json {oops'),
      fakeReply.text('```json\n{"final_answer": "a.md says hello"}\n```'),
    );
    const model = registry.current();
    const messages: ChatMessage[] = [
      { role: 'system', content: 'Agent.' },
      { role: 'user', content: 'read a.md' },
    ];
    const first = await model.chat({ messages, tools: TOOLS });
    expect(first.message.tool_calls).toEqual([
      { id: expect.any(String), name: 'read_file', arguments: '{"path":"a.md"}' },
    ]);
    expect(fakeA.chatRequests[0].headers.authorization).toBeUndefined();
    expect(fakeA.chatRequests[0].body.tools).toBeUndefined();
    expect(fakeA.chatRequests[0].body.messages[0].content).toContain('## Tools');

    messages.push(first.message, {
      role: 'tool',
      tool_call_id: first.message.tool_calls![0].id,
      name: 'read_file',
      content: 'hello',
    });
    const second = await model.chat({ messages, tools: TOOLS });
    expect(second).toMatchObject({
      message: { content: 'a.md says hello' },
      finish_reason: 'stop',
      attempts: 2,
    });
    const reask = fakeA.chatRequests[2].body.messages;
    expect(reask.at(-3).content).toMatch(/^TOOL RESULTS[\s\S]*\[read_file call_[0-9a-f]+\]\nhello/);
    expect(reask.at(-1).content).toMatch(/could not be used/);
  });

  describe('with no configuration at all', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'agent-runner-offline-'));
      await writeFile(
        join(dir, 'README.md'),
        '# Widget\n\nWidget makes widgets.\n\n## Install\n\nnpm i widget\n',
      );
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('runs a plain request offline end to end: plan, tool calls on real files, answer', async () => {
      const { registry, config } = await boot({});
      expect(config.effectiveProvider()).toBe('offline');
      expect(registry.describe()).toMatchObject({
        provider: 'offline',
        ready: true,
        offline: true,
      });
      const model = registry.current();

      const plan = JSON.parse(
        (
          await model.chat({
            messages: [
              { role: 'user', content: wrapTaskText('Read README.md file and summarize content') },
            ],
            purpose: 'plan',
          })
        ).message.content!,
      );
      expect(plan).toMatchObject({
        understanding: expect.stringContaining('[offline]'),
        estimated_steps: 1,
      });

      const answer = await runLoop(model, 'Read README.md file and summarize content', dir);
      expect(answer).toBe(
        '[offline] Summary of README.md:\nTitle: Widget\nHeadings (2): Widget; Install\nFirst paragraph: Widget makes widgets.\nSize: 7 lines, 8 words.',
      );
    });

    it('writes and reads back a file from a Chinese request', async () => {
      const { registry } = await boot({});
      const answer = await runLoop(
        registry.current(),
        "把 '你好，世界' 写入 notes/hello.txt 然后读取 notes/hello.txt",
        dir,
      );
      expect(await readFile(join(dir, 'notes/hello.txt'), 'utf8')).toBe('你好，世界');
      expect(answer).toBe(
        '[offline] 已写入 notes/hello.txt（15 字节）。\n\nnotes/hello.txt 的内容（1 行）：\n你好，世界',
      );
    });

    it('a request it cannot understand completes with how to configure a model', async () => {
      const { registry } = await boot({});
      const answer = await runLoop(registry.current(), 'Refactor the widget module for speed', dir);
      expect(answer).toMatch(/^\[offline\] This request needs a language model/);
      expect(answer).toContain('model.provider');
    });
  });
});

/** A minimal agent loop with real file tools confined to `dir` (the real one lives in src/agent). */
async function runLoop(model: LanguageModel, task: string, dir: string): Promise<string> {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are an agent.' },
    { role: 'user', content: wrapTaskText(task) },
  ];
  for (let round = 0; round < 10; round++) {
    const res = await model.chat({ messages, tools: TOOLS, purpose: 'step' });
    messages.push(res.message);
    if (!res.message.tool_calls?.length) return res.message.content ?? '';
    for (const call of res.message.tool_calls) {
      messages.push({
        role: 'tool',
        tool_call_id: call.id,
        name: call.name,
        content: await runTool(call.name, JSON.parse(call.arguments), dir),
      });
    }
  }
  throw new Error('no final answer within 10 rounds');
}

async function runTool(name: string, args: Record<string, string>, dir: string): Promise<string> {
  const path = join(dir, args.path ?? '.');
  if (!path.startsWith(dir))
    return JSON.stringify({ error: 'denied: outside the working directory' });
  switch (name) {
    case 'read_file':
      return readFile(path, 'utf8');
    case 'write_file': {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, args.content);
      return JSON.stringify({ path: args.path, bytes: (await stat(path)).size });
    }
    case 'list_files':
      return (await readdir(path)).join('\n');
    default:
      return JSON.stringify({ error: `tool ${name} is not part of this test` });
  }
}
