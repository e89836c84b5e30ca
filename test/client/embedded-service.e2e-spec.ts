import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClientBuilder } from '../../src/client/api-client.builder';
import { TaskRunnerClient } from '../../src/client/task-runner.client';
import { AgentRunnerError } from '../../src/common/errors';
import { ConfigValidationError } from '../../src/config/config.validation';
import { AgentConfig } from '../../src/library/agent-config';
import { TaskRunnerService } from '../../src/library/task-runner.service';
import { eventually } from '../support/eventually';
import { rejectionOf } from './support/transports';

describe('AgentConfig', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'agent-runner-cfg-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loadWithFallback reads the file when it exists, with the environment on top', () => {
    writeFileSync(
      join(dir, 'config.toml'),
      '[execution]\nmax_steps = 4\n[service]\nmax_concurrent_tasks = 2\n',
    );
    const config = AgentConfig.loadWithFallback('config.toml', {
      cwd: dir,
      env: { AGENT_RUNNER_MAX_CONCURRENT_TASKS: '5' },
      dotenv: false,
    });
    expect(config.file).toBe(join(dir, 'config.toml'));
    expect(config.config.execution.max_steps).toBe(4);
    expect(config.config.service.max_concurrent_tasks).toBe(5);
  });

  it('loadWithFallback falls back to defaults plus environment when the file is missing', () => {
    const config = AgentConfig.loadWithFallback('config.toml', {
      cwd: dir,
      env: { AGENT_RUNNER_MAX_STEPS: '6' },
      dotenv: false,
    });
    expect(config.file).toBeUndefined();
    expect(config.config.execution.max_steps).toBe(6);
    expect(config.config.model.provider).toBeUndefined();
  });

  it('an invalid file throws ConfigValidationError listing every problem', () => {
    writeFileSync(join(dir, 'bad.toml'), '[execution]\nmax_steps = "many"\n[service]\ntypo = 1\n');
    let error: unknown;
    try {
      AgentConfig.loadWithFallback('bad.toml', { cwd: dir, env: {}, dotenv: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect([...new Set((error as ConfigValidationError).issues.map((i) => i.path))].sort()).toEqual(
      ['execution.max_steps', 'service.typo'],
    );
  });

  it('fromObject and withOverrides validate, and never read the environment', () => {
    const base = AgentConfig.fromObject({ tools: { working_directory: dir } });
    expect(
      base.withOverrides({ service: { max_concurrent_tasks: 3 } }).config.service
        .max_concurrent_tasks,
    ).toBe(3);
    expect(base.config.service.max_concurrent_tasks).toBe(10);
    expect(() => base.withOverrides({ service: { max_concurrent_tasks: 0 } })).toThrow(
      ConfigValidationError,
    );
  });
});

describe('TaskRunnerService (embedded)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'agent-runner-lib-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const config = (extra = {}) =>
    AgentConfig.fromObject({
      tools: { working_directory: dir },
      storage: { driver: 'memory' },
      ...extra,
    });

  it('create(serviceConfig, agentConfig) applies the [service] overrides', async () => {
    const service = await TaskRunnerService.create(
      { max_concurrent_tasks: 3, sync_wait_seconds: 2 },
      config(),
      { logger: false },
    );
    try {
      expect(service.config.service).toEqual(
        expect.objectContaining({ max_concurrent_tasks: 3, sync_wait_seconds: 2 }),
      );
      const client = new TaskRunnerClient(ApiClientBuilder.inProcess(service));
      expect(
        ((await client.getConfig()).service as { max_concurrent_tasks: number })
          .max_concurrent_tasks,
      ).toBe(3);
      expect(
        await rejectionOf(TaskRunnerService.create({ max_concurrent_tasks: -1 }, config())),
      ).toBeInstanceOf(ConfigValidationError);
    } finally {
      await service.close();
    }
  });

  it('close() ends pending waits with SERVICE_UNAVAILABLE, and later calls too', async () => {
    const service = await TaskRunnerService.create({ shutdown_grace_seconds: 0 }, config(), {
      logger: false,
    });
    const client = new TaskRunnerClient(ApiClientBuilder.inProcess(service));
    const waiting = rejectionOf(client.executeSimpleTask('run `sleep 20`'));
    const streamed: string[] = [];
    const stream = rejectionOf(
      (async () => {
        const submitted = await client.submitTask({ task: 'run `sleep 20`' });
        for await (const event of client.streamTaskEvents(submitted.task_id))
          streamed.push(event.type);
      })(),
    );
    // Both are pending: their tasks run, and the stream has delivered what happened so far.
    await eventually(async () => {
      const { tasks } = await client.listTasks();
      expect(tasks.map((t) => t.status)).toEqual(['running', 'running']);
      expect(streamed).toContain('task.started');
    });
    await service.close();
    for (const pending of [waiting, stream, rejectionOf(client.getServiceStatus())]) {
      const error = await pending;
      expect(error).toBeInstanceOf(AgentRunnerError);
      expect(error).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: 'The service was closed.',
      });
    }
    await service.close();
  });

  it('an abort signal stops waiting without stopping the task', async () => {
    const service = await TaskRunnerService.create(undefined, config(), { logger: false });
    try {
      const client = new TaskRunnerClient(ApiClientBuilder.inProcess(service));
      const task = await client.submitTask({ task: 'run `sleep 1`' });
      const controller = new AbortController();
      // The caller gives up while the task (1 s) still runs: the abort is the behaviour tested.
      setTimeout(() => controller.abort(), 50);
      const error = await rejectionOf(
        client.waitForTask(task.task_id, { signal: controller.signal }),
      );
      expect(error.name).toBe('AbortError');
      expect((await client.waitForTask(task.task_id)).status).toBe('completed');
    } finally {
      await service.close();
    }
  });

  it('with the SQLite store, tasks survive a restart of the embedded service', async () => {
    const durable = () =>
      AgentConfig.fromObject({
        tools: { working_directory: dir },
        storage: { driver: 'sqlite', path: join(dir, 'tasks.db') },
      });
    const first = await TaskRunnerService.create(undefined, durable(), { logger: false });
    const done = await new TaskRunnerClient(ApiClientBuilder.inProcess(first)).executeSimpleTask(
      'list the files in .',
    );
    await first.close();
    const second = await TaskRunnerService.create(undefined, durable(), { logger: false });
    try {
      const again = await new TaskRunnerClient(ApiClientBuilder.inProcess(second)).getTaskStatus(
        done.task_id,
      );
      expect(again).toEqual(
        expect.objectContaining({
          task_id: done.task_id,
          status: 'completed',
          result: done.result,
        }),
      );
    } finally {
      await second.close();
    }
  });
});
