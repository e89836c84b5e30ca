import { Test, TestingModule } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOpenAIServer, fakeReply } from '../../../test/support/fake-openai-server';
import { AppConfigModule } from '../../config/app-config.module';
import { PartialConfig } from '../../config/config.schema';
import { ExecutionModule } from '../../execution/execution.module';
import { MetricsModule } from '../../metrics/metrics.module';
import { ModelModule } from '../../model/model.module';
import { PlanningModule } from '../../planning/planning.module';
import { emptyMetrics, makeTaskRecord } from '../store/task-store.fixtures';
import { TaskAgentService } from './task-agent.service';
import { TaskRun } from './task-agent.types';

/**
 * The agent loop with the real model client against the project's fake OpenAI-compatible
 * server, and the real tools in a temporary workspace.
 */
describe('TaskAgentService (the agent loop)', () => {
  let fake: FakeOpenAIServer;
  let workspace: string;
  let moduleRef: TestingModule | undefined;

  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    workspace = mkdtempSync(join(tmpdir(), 'agent-loop-'));
    writeFileSync(join(workspace, 'README.md'), 'Hello from the readme.\n');
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    rmSync(workspace, { recursive: true, force: true });
  });

  async function agent(overrides: PartialConfig = {}): Promise<TaskAgentService> {
    moduleRef = await Test.createTestingModule({
      imports: [
        AppConfigModule.forRoot({
          env: {},
          dotenv: false,
          overrides: {
            logging: { level: 'silent' },
            model: { provider: 'openai', endpoint: fake.url, api_key: 'sk-test-loop-0123456789' },
            tools: { working_directory: workspace },
            ...overrides,
            execution: { planning: false, max_steps: 4, ...overrides.execution },
          },
        }),
        MetricsModule,
        ModelModule.forRoot({
          retryTiming: { baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 10 },
        }),
        ExecutionModule,
        PlanningModule,
      ],
      providers: [TaskAgentService],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    return moduleRef.get(TaskAgentService);
  }

  function run(controller = new AbortController()): TaskRun & { stepLog: string[] } {
    const stepLog: string[] = [];
    return {
      record: makeTaskRecord({
        task: 'Read README.md and summarize it',
        request: { task: 'Read README.md and summarize it' },
        status: 'running',
        started_at: new Date().toISOString(),
      }),
      signal: controller.signal,
      deadline: Date.now() + 60_000,
      metrics: emptyMetrics(),
      artifacts: [],
      onPlan: () => undefined,
      onStep: (step, phase) =>
        phase === 'completed' && stepLog.push(`${step.step_type}:${step.status}`),
      stepLog,
    };
  }

  it('asks, runs the tool call, gives the result back, and composes the answer', async () => {
    const sut = await agent();
    fake.enqueue(fakeReply.toolCall('read_file', { path: 'README.md' }));
    fake.enqueue(fakeReply.text('The readme says hello.\n\nMore details here.'));
    const r = run();
    const outcome = await sut.processTask(r);
    expect(outcome.status).toBe('completed');
    expect(outcome.result).toEqual(
      expect.objectContaining({
        summary: 'The readme says hello.',
        details: 'The readme says hello.\n\nMore details here.',
      }),
    );
    expect(r.stepLog).toEqual([
      'model:completed',
      'tool:completed',
      'model:completed',
      'completion:completed',
    ]);
    expect(r.metrics).toEqual(
      expect.objectContaining({ model_calls: 2, tool_calls: 1, steps_executed: 4 }),
    );
    // The tool's result went back to the model as the answer to its call.
    const second = fake.chatRequests[1].body.messages as { role: string; content: string }[];
    expect(second.at(-1)).toEqual(
      expect.objectContaining({
        role: 'tool',
        content: expect.stringContaining('Hello from the readme.'),
      }),
    );
  });

  it('refuses an exact repeat with a note, and stops the task at max_repeated_tool_calls', async () => {
    const sut = await agent({ execution: { max_repeated_tool_calls: 2 } });
    for (let i = 0; i < 3; i++)
      fake.enqueue(fakeReply.toolCall('read_file', { path: 'README.md' }));
    const outcome = await sut.processTask(run());
    expect(outcome.error).toEqual(
      expect.objectContaining({
        code: 'REPEATED_TOOL_CALL',
        details: { tool: 'read_file', repeats: 3 },
      }),
    );
    const notes = fake.chatRequests[2].body.messages as { role: string; content: string }[];
    expect(notes.at(-1)!.content).toMatch(/You already made this exact read_file call 1 time/);
  });

  it('ends MAX_STEPS_EXCEEDED when the model keeps calling tools past max_steps', async () => {
    const sut = await agent({ execution: { max_steps: 2 } });
    fake.enqueue(fakeReply.toolCall('list_files', { path: '.' }));
    fake.enqueue(fakeReply.toolCall('read_file', { path: 'README.md' }));
    const outcome = await sut.processTask(run());
    expect(outcome.error).toEqual(
      expect.objectContaining({ code: 'MAX_STEPS_EXCEEDED', details: { max_steps: 2 } }),
    );
  });

  it("a model error ends the task failed with the model's error code, its step failed", async () => {
    const sut = await agent();
    fake.enqueue(fakeReply.error(400, 'bad request'));
    const r = run();
    const outcome = await sut.processTask(r);
    expect(outcome.status).toBe('failed');
    expect(outcome.error!.code).toMatch(/^MODEL_/);
    expect(r.stepLog).toEqual(['model:failed']);
  });

  it('an abort during a model call ends the run at once', async () => {
    const sut = await agent();
    fake.enqueue(fakeReply.hang());
    const controller = new AbortController();
    const r = run(controller);
    const outcome = sut.processTask(r);
    await fake.waitForRequests(1);
    controller.abort('cancel');
    await expect(outcome).resolves.toEqual(
      expect.objectContaining({
        status: 'failed',
        error: expect.objectContaining({ code: 'TASK_CANCELLED' }),
      }),
    );
  });
});
