import type { TaskEvent, TaskResponse, TaskStep } from '../../src/contracts/task.types';
import type { PartialConfig } from '../../src/config/config.schema';
import {
  AgentRunnerError,
  AuthorizationError,
  BatchNotFoundError,
  InvalidRequestError,
  TaskAlreadyExistsError,
  TaskNotCancellableError,
  TaskNotFoundError,
} from '../../src/common/errors';
import { ClientFixture, collect, rejectionOf, startClient, TRANSPORTS } from './support/transports';

/** One contract, both transports: same answers, same errors (README.md, Library). */
describe.each(TRANSPORTS)('TaskRunnerClient contract over %s', (kind) => {
  let f: ClientFixture;

  beforeAll(async () => {
    f = await startClient(kind, { service: { sync_wait_seconds: 1 } });
  });
  afterAll(() => f.close());

  describe('running tasks', () => {
    it('executeSimpleTask runs a task to completion with plan, steps and metrics', async () => {
      const task = await f.client.executeSimpleTask('list the files in .');
      expect(task).toEqual(
        expect.objectContaining({
          status: 'completed',
          task: 'list the files in .',
          priority: 'normal',
          owner: null,
          metadata: {},
          result: expect.objectContaining({ success: true }),
          plan: expect.objectContaining({ complexity: expect.any(String) }),
        }),
      );
      expect(task.result!.summary).toContain('README.md');
      expect(task.steps.map((s) => s.tool).filter(Boolean)).toEqual(['list_files']);
      expect(task.metrics.tool_calls).toBe(1);
      expect(task.completed_at).not.toBeNull();
    });

    it('executeTaskWithContext runs in the given working directory', async () => {
      const task = await f.client.executeTaskWithContext('read notes.md', {
        working_directory: 'sub',
        environment: { CI: '1' },
      });
      expect(task.status).toBe('completed');
      expect(task.result!.summary + task.result!.details).toContain('marker-42');
    });

    it('executeTask waits past service.sync_wait_seconds until the task is terminal', async () => {
      const started = Date.now();
      const task = await f.client.executeTask({ task: 'run `sleep 1.5`', priority: 'high' });
      expect(task.status).toBe('completed');
      expect(task.priority).toBe('high');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect(task.result!.artifacts).toEqual([
        expect.objectContaining({ type: 'command', command: 'sleep 1.5', exit_code: 0 }),
      ]);
    });

    it('a task that times out comes back as a result, not an error', async () => {
      const task = await f.client.executeTask({
        task: 'run `sleep 5`',
        context: { constraints: { max_execution_time: 1 } },
      });
      expect(task.status).toBe('timeout');
      expect(task.error).toEqual(expect.objectContaining({ code: 'TASK_TIMEOUT' }));
    });

    it('submitTask answers at once; the task can be read, cancelled once, and not twice', async () => {
      const submitted = await f.client.submitTask({ task: 'run `sleep 5`', metadata: { n: 1 } });
      expect(['queued', 'running']).toContain(submitted.status);
      expect(submitted.metadata).toEqual({ n: 1 });
      const read = await f.client.getTaskStatus(submitted.task_id);
      expect(read.task_id).toBe(submitted.task_id);
      const cancelled = await f.client.cancelTask(submitted.task_id);
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.error).toEqual(expect.objectContaining({ code: 'TASK_CANCELLED' }));
      const again = await rejectionOf(f.client.cancelTask(submitted.task_id));
      expect(again).toBeInstanceOf(TaskNotCancellableError);
      expect(again).toMatchObject({
        code: 'TASK_NOT_CANCELLABLE',
        statusCode: 409,
        taskId: submitted.task_id,
        details: { status: 'cancelled' },
      });
      const waited = await f.client.waitForTask(submitted.task_id);
      expect(waited.status).toBe('cancelled');
    });

    // docs/api.md, Lifecycle and guarantees: Idempotency.
    it('a task_id or idempotency key makes submission idempotent', async () => {
      const id = `idem-${kind}`;
      const first = await f.client.executeTask({ task: 'list the files in .', task_id: id });
      const again = await f.client.submitTask({ task: 'list the files in .', task_id: id });
      expect(again.task_id).toBe(id);
      expect(again.created_at).toBe(first.created_at);
      expect(again.status).toBe('completed');
      const conflict = await rejectionOf(
        f.client.submitTask({ task: 'read README.md', task_id: id }),
      );
      expect(conflict).toBeInstanceOf(TaskAlreadyExistsError);
      expect(conflict).toMatchObject({ code: 'TASK_ALREADY_EXISTS', taskId: id, statusCode: 409 });

      const key = `key-${kind}`;
      const viaKey = await f.client.executeTask(
        { task: 'read README.md' },
        { idempotencyKey: key },
      );
      expect(viaKey.task_id).toBe(key);
      const badKey = await rejectionOf(
        f.client.submitTask({ task: 'x' }, { idempotencyKey: 'bad key' }),
      );
      expect(badKey).toBeInstanceOf(InvalidRequestError);
    });
  });

  describe('errors', () => {
    it('unknown tasks and batches are TaskNotFoundError / BatchNotFoundError', async () => {
      const missing = await rejectionOf(f.client.getTaskStatus('no-such-task'));
      expect(missing).toBeInstanceOf(TaskNotFoundError);
      expect(missing).toMatchObject({
        code: 'TASK_NOT_FOUND',
        statusCode: 404,
        taskId: 'no-such-task',
        message: 'Task "no-such-task" not found.',
      });
      const batch = await rejectionOf(f.client.getBatchStatus('no-such-batch'));
      expect(batch).toBeInstanceOf(BatchNotFoundError);
      expect(batch).toMatchObject({ code: 'BATCH_NOT_FOUND', batchId: 'no-such-batch' });
      expect(await rejectionOf(f.client.cancelTask('no-such-task'))).toBeInstanceOf(
        TaskNotFoundError,
      );
      expect(await rejectionOf(collect(f.client.streamTaskEvents('no-such-task')))).toBeInstanceOf(
        TaskNotFoundError,
      );
    });

    it('invalid input is InvalidRequestError listing every problem, unknown fields included', async () => {
      const bad = await rejectionOf(
        f.client.executeTask({ task: '   ', bogus: 1, priority: 'urgent' } as never),
      );
      expect(bad).toBeInstanceOf(InvalidRequestError);
      expect((bad as AgentRunnerError).statusCode).toBe(400);
      expect((bad as AgentRunnerError).details).toEqual(
        expect.arrayContaining([
          { field: 'bogus', message: 'unknown field "bogus"' },
          { field: 'task', message: 'task must not be empty' },
          expect.objectContaining({ field: 'priority' }),
        ]),
      );
      for (const attempt of [
        () => f.client.getTaskStatus('bad id!'),
        () => f.client.getTaskStatus(''),
        () => f.client.listTasks({ limit: 0 }),
        () => f.client.listTasks({ status: 'sleeping' } as never),
        () => f.client.executeTaskWithContext('list .', { working_directory: '../../etc' }),
        () => f.client.executeTaskWithContext('list .', { tools: ['no_such_tool'] }),
        () => f.client.executeBatch([]),
      ]) {
        expect(await rejectionOf(attempt())).toBeInstanceOf(InvalidRequestError);
      }
    });
  });

  describe('listing and events', () => {
    it('listTasks filters by status and pages with next_cursor, newest first', async () => {
      await f.client.executeSimpleTask('read README.md');
      await f.client.executeSimpleTask('list the files in sub');
      const page1 = await f.client.listTasks({ status: 'completed', limit: 1 });
      expect(page1.tasks).toHaveLength(1);
      expect(page1.tasks[0].status).toBe('completed');
      expect(page1.next_cursor).toEqual(expect.any(String));
      const page2 = await f.client.listTasks({
        status: 'completed',
        limit: 1,
        cursor: page1.next_cursor!,
      });
      expect(page2.tasks[0].task_id).not.toBe(page1.tasks[0].task_id);
      expect(page2.tasks[0].created_at <= page1.tasks[0].created_at).toBe(true);
    });

    it('streamTaskEvents replays a finished task in order and resumes after lastEventId', async () => {
      const task = await f.client.executeSimpleTask('read README.md');
      const events = await collect(f.client.streamTaskEvents(task.task_id));
      const types = events.map((e) => e.type);
      expect(types[0]).toBe('task.queued');
      expect(types).toEqual(
        expect.arrayContaining(['task.started', 'plan.created', 'step.started', 'step.completed']),
      );
      expect(types[types.length - 1]).toBe('task.completed');
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      for (const e of events) {
        expect(e).toEqual({
          task_id: task.task_id,
          seq: expect.any(Number),
          type: expect.any(String),
          timestamp: expect.any(String),
          data: expect.any(Object),
        });
      }
      const stepEvent = events.find((e) => e.type === 'step.completed')!;
      expect(stepEvent.data.step).toEqual(
        expect.objectContaining({ step_number: 1, status: 'completed' }),
      );
      const tail = await collect(
        f.client.streamTaskEvents(task.task_id, { lastEventId: events.length - 2 }),
      );
      expect(tail.map((e) => e.seq)).toEqual([events.length - 1, events.length]);
      expect(
        await collect(f.client.streamTaskEvents(task.task_id, { lastEventId: events.length })),
      ).toEqual([]);
    });

    it('streamTaskEvents follows a running task live until its terminal event', async () => {
      const submitted = await f.client.submitTask({ task: 'run `sleep 0.5`' });
      const seen: TaskEvent[] = [];
      for await (const e of f.client.streamTaskEvents(submitted.task_id)) seen.push(e);
      expect(seen[seen.length - 1].type).toBe('task.completed');
      expect(
        seen
          .filter((e) => e.type === 'step.completed')
          .map((e) => (e.data.step as { tool: string }).tool),
      ).toContain('run_command');
      expect((await f.client.getTaskStatus(submitted.task_id)).status).toBe('completed');
    });

    it('streamTaskEvents ends with the terminal event when the task is cancelled mid-step', async () => {
      const submitted = await f.client.submitTask({ task: 'run `sleep 5`' });
      const seen: TaskEvent[] = [];
      for await (const e of f.client.streamTaskEvents(submitted.task_id)) {
        seen.push(e);
        if (e.type === 'step.started' && (e.data.step as TaskStep).tool === 'run_command')
          await f.client.cancelTask(submitted.task_id);
      }
      const last = seen[seen.length - 1];
      expect(last.type).toBe('task.cancelled');
      expect(last.data).toEqual(
        expect.objectContaining({
          status: 'cancelled',
          error: expect.objectContaining({ code: 'TASK_CANCELLED' }),
          result: expect.objectContaining({ success: false }),
          metrics: expect.objectContaining({ tool_calls: 1 }),
        }),
      );
      // The running step is closed, as failed with the task's code, before the terminal event.
      const steps = seen
        .filter((e) => e.type.startsWith('step.'))
        .map((e) => e.data.step as TaskStep);
      expect(steps.filter((st) => st.status === 'running').map((st) => st.step_number)).toEqual(
        steps.filter((st) => st.status !== 'running').map((st) => st.step_number),
      );
      expect(steps.find((st) => st.tool === 'run_command' && st.status !== 'running')).toEqual(
        expect.objectContaining({
          status: 'failed',
          error: expect.stringMatching(/^TASK_CANCELLED: /),
        }),
      );
      expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    });

    it('streamTaskEvents follows each of many short tasks to its terminal event', async () => {
      // The end of a task and its last step land in the same turn; the stream must still end
      // with the terminal event, never with the step before it.
      const tasks = await Promise.all(
        Array.from({ length: 8 }, () => f.client.submitTask({ task: 'list the files in .' })),
      );
      const streams = await Promise.all(
        tasks.map((t) => collect(f.client.streamTaskEvents(t.task_id))),
      );
      for (const events of streams) expect(events[events.length - 1].type).toBe('task.completed');
    });

    it('breaking out of an event stream early is clean', async () => {
      const task = await f.client.executeSimpleTask('list the files in .');
      for await (const e of f.client.streamTaskEvents(task.task_id)) {
        expect(e.seq).toBe(1);
        break;
      }
      expect((await f.client.getTaskStatus(task.task_id)).status).toBe('completed');
    });
  });

  describe('batches', () => {
    it('executeBatch runs tasks in parallel and waits for all, with statistics', async () => {
      const batch = await f.client.executeBatch([
        'list the files in .',
        { task: 'read README.md', priority: 'low' },
      ]);
      expect(batch.status).toBe('completed');
      expect(batch.completed_at).not.toBeNull();
      expect(batch.results.map((r) => r.status)).toEqual(['completed', 'completed']);
      expect(batch.statistics).toEqual(
        expect.objectContaining({
          total_tasks: 2,
          successful_tasks: 2,
          failed_tasks: 0,
          cancelled_tasks: 0,
        }),
      );
      expect(await f.client.getBatchStatus(batch.batch_id)).toEqual(batch);
    });

    it('a sequential batch stops after a failure: the rest end BATCH_ABORTED', async () => {
      const batch = await f.client.executeBatch(
        [
          { task: 'run `sleep 5`', context: { constraints: { max_execution_time: 1 } } },
          'list the files in .',
        ],
        { mode: 'sequential' },
      );
      expect(batch.results.map((r) => r.status)).toEqual(['timeout', 'cancelled']);
      expect(batch.results[1].error).toEqual(expect.objectContaining({ code: 'BATCH_ABORTED' }));
      expect(batch.statistics).toEqual(
        expect.objectContaining({ failed_tasks: 1, cancelled_tasks: 1 }),
      );
    });

    it('submitBatch returns at once; waitForBatch waits', async () => {
      const accepted = await f.client.submitBatch(['run `sleep 0.5`']);
      expect(accepted.status).toBe('running');
      const done = await f.client.waitForBatch(accepted.batch_id);
      expect(done.status).toBe('completed');
      expect(done.results[0].status).toBe('completed');
    });
  });

  describe('service and configuration', () => {
    it('status, metrics and tools describe the same service', async () => {
      const status = await f.client.getServiceStatus();
      expect(status).toEqual(
        expect.objectContaining({
          name: 'agent-runner',
          version: expect.any(String),
          model: expect.objectContaining({ provider: 'offline', offline: true }),
        }),
      );
      expect(status.available_tools).toEqual(expect.arrayContaining(['read_file', 'run_command']));
      const metrics = await f.client.getMetrics();
      expect(metrics.tasks.total).toBeGreaterThan(0);
      expect(metrics.tool_usage).toEqual(expect.any(Object));
      const tools = await f.client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(status.available_tools.slice().sort());
      expect(tools.tools[0].parameters).toEqual(expect.objectContaining({ type: 'object' }));
      expect(['bwrap', 'none']).toContain(tools.sandbox.mode);
    });

    it('reads, updates and validates the configuration like the /config routes', async () => {
      // Over HTTP the config routes need an admin key even on a loopback bind without keys.
      const admin = kind === 'http' ? await startClient('http', ADMIN_ONLY, ADMIN_CLIENT) : f;
      try {
        if (kind === 'http')
          expect(await rejectionOf(f.client.getConfig())).toBeInstanceOf(AuthorizationError);
        await configContract(admin);
      } finally {
        if (admin !== f) await admin.close();
      }
    });
  });
});

async function configContract(f: ClientFixture): Promise<void> {
  const shown = await f.client.getConfig();
  expect(shown).toEqual(
    expect.objectContaining({
      model: expect.objectContaining({ effective_provider: 'offline', api_key_set: false }),
    }),
  );
  const updated = await f.client.updateConfig({ execution: { max_steps: 7 } });
  expect((updated.execution as { max_steps: number }).max_steps).toBe(7);
  expect(((await f.client.getConfig()).execution as { max_steps: number }).max_steps).toBe(7);
  const model = await f.client.updateModelConfig({ temperature: 0.3 });
  expect(model.model.temperature).toBe(0.3);

  const restartOnly = await rejectionOf(f.client.updateConfig({ storage: { driver: 'sqlite' } }));
  expect(restartOnly).toBeInstanceOf(InvalidRequestError);
  expect((restartOnly as AgentRunnerError).details).toEqual([
    expect.objectContaining({ field: 'storage' }),
  ]);
  expect(await rejectionOf(f.client.updateConfig({ nonsense: {} } as never))).toBeInstanceOf(
    InvalidRequestError,
  );
  expect(await rejectionOf(f.client.updateConfig({ execution: { max_steps: -1 } }))).toBeInstanceOf(
    InvalidRequestError,
  );
  expect(
    await rejectionOf(f.client.updateModelConfig({ provider: 'nope' } as never)),
  ).toBeInstanceOf(InvalidRequestError);

  expect(await f.client.validateConfig({ execution: { max_steps: 3 } })).toEqual({
    valid: true,
    errors: [],
    warnings: [],
  });
  const invalid = await f.client.validateConfig({ model: { temperature: 'hot' } });
  expect(invalid.valid).toBe(false);
  expect(invalid.errors.length).toBeGreaterThan(0);
  expect(invalid.errors.every((e) => e.path === 'model.temperature')).toBe(true);
}

const ADMIN_KEY = 'test-contract-admin-key-0123456789';
const ADMIN_ONLY: PartialConfig = {
  service: { auth: { api_keys: [{ name: 'admin', key: ADMIN_KEY, role: 'admin' }] } },
};
const ADMIN_CLIENT = { apiKey: ADMIN_KEY };

/** The two transports side by side: equal data for equal calls. */
describe('in-process and HTTP answers are the same', () => {
  let local: ClientFixture;
  let remote: ClientFixture;

  beforeAll(async () => {
    [local, remote] = await Promise.all([startClient('in-process'), startClient('http')]);
  });
  afterAll(async () => {
    await Promise.all([local.close(), remote.close()]);
  });

  /** Ids, clocks and durations differ from run to run; everything else must not. */
  function normalised(task: TaskResponse, dir: string): unknown {
    return JSON.parse(
      JSON.stringify(task)
        .split(dir)
        .join('<dir>')
        .replace(/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"<id>"')
        .replace(/"\d{4}-\d\d-\d\dT[^"]+"/g, '"<time>"')
        .replace(/"(\w*_ms|execution_time)":[\d.]+/g, '"$1":0'),
    );
  }

  it('the same task gives the same TaskResponse and the same events', async () => {
    for (const text of [
      'read README.md and summarize it',
      'list the files in sub',
      'run `echo same`',
    ]) {
      const [a, b] = await Promise.all([
        local.client.executeSimpleTask(text),
        remote.client.executeSimpleTask(text),
      ]);
      expect(normalised(a, local.dir)).toEqual(normalised(b, remote.dir));
      const [ea, eb] = await Promise.all([
        collect(local.client.streamTaskEvents(a.task_id)),
        collect(remote.client.streamTaskEvents(b.task_id)),
      ]);
      expect(ea.map((e) => [e.seq, e.type, Object.keys(e.data).sort()])).toEqual(
        eb.map((e) => [e.seq, e.type, Object.keys(e.data).sort()]),
      );
    }
  });

  it('the same mistakes give the same error class, code, message and details', async () => {
    const calls: ((c: ClientFixture) => Promise<unknown>)[] = [
      (c) => c.client.getTaskStatus('missing-task'),
      (c) => c.client.getTaskStatus('bad id!'),
      (c) => c.client.executeTask({ task: '', extra: true } as never),
      (c) => c.client.listTasks({ limit: 500 }),
      (c) => c.client.getBatchStatus('missing-batch'),
      (c) => c.client.executeTaskWithContext('list .', { working_directory: '/etc' }),
    ];
    await sameMistakes(calls, local, remote);
  });

  it('the same configuration mistakes give the same errors (HTTP with an admin key)', async () => {
    const admin = await startClient('http', ADMIN_ONLY, ADMIN_CLIENT);
    try {
      await sameMistakes(
        [
          (c) => c.client.updateConfig({ storage: { path: '/tmp/x.db' } }),
          (c) => c.client.updateModelConfig({ temperature: 99 }),
        ],
        local,
        admin,
      );
    } finally {
      await admin.close();
    }
  });
});

async function sameMistakes(
  calls: ((c: ClientFixture) => Promise<unknown>)[],
  local: ClientFixture,
  remote: ClientFixture,
): Promise<void> {
  for (const call of calls) {
    const [a, b] = await Promise.all([rejectionOf(call(local)), rejectionOf(call(remote))]);
    expect(b.constructor).toBe(a.constructor);
    expect({
      code: (b as AgentRunnerError).code,
      message: b.message.split(remote.dir).join('<dir>'),
      details: (b as AgentRunnerError).details,
    }).toEqual({
      code: (a as AgentRunnerError).code,
      message: a.message.split(local.dir).join('<dir>'),
      details: JSON.parse(
        JSON.stringify((a as AgentRunnerError).details ?? null)
          .split(local.dir)
          .join('<dir>'),
      ),
    });
  }
}
