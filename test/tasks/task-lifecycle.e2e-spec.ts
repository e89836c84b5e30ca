import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { parseSse } from '../support/sse';
import { createTaskApp, TaskTestApp } from '../support/task-app';
import { expectErrorShape } from '../support/test-app';

/** Whether a process with this pid is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid a command wrote to `file` (throws until the whole number is there). */
function pidIn(file: string): number {
  const pid = Number(readFileSync(file, 'utf8'));
  expect(pid).toBeGreaterThan(0);
  return pid;
}

describe('cancel, timeout and the queue', () => {
  let fake: FakeOpenAIServer;
  let t: TaskTestApp;
  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
  });
  afterAll(() => fake.close());
  afterEach(async () => {
    fake.onRequest(undefined);
    fake.reset();
    await t?.close();
  });

  it('cancel during a long command kills the process group; status cancelled; a second cancel is 409', async () => {
    t = await createTaskApp({
      fake,
      overrides: { execution: { sandbox: 'none', allow_unsandboxed_commands: true } },
    });
    // The command records its own pid and a grandchild's, then sleeps.
    fake.enqueue(
      fakeReply.toolCall('run_command', {
        command: 'sleep 300 & echo $! > child.pid; echo $$ > shell.pid; wait',
        timeout_seconds: 120,
      }),
    );
    const submitted = await t.post('/api/v1/tasks?wait=false', { task: 'long command' });
    expect(submitted.statusCode).toBe(202);
    expect(submitted.headers.location).toBe(`/api/v1/tasks/${submitted.json().task_id}`);
    const id = submitted.json().task_id;
    // Both files written to the end (a file may exist before its number is in it).
    const [childPid, shellPid] = await eventually(() =>
      ['child.pid', 'shell.pid'].map((f) => pidIn(join(t.dir, f))),
    );
    expect(alive(childPid)).toBe(true);

    const cancel = await t.inject({ method: 'DELETE', url: `/api/v1/tasks/${id}` });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toEqual(
      expect.objectContaining({
        status: 'cancelled',
        error: expect.objectContaining({ code: 'TASK_CANCELLED' }),
      }),
    );
    await eventually(() => expect([alive(childPid), alive(shellPid)]).toEqual([false, false]), {
      timeoutMs: 5000,
    });

    const again = await t.inject({ method: 'DELETE', url: `/api/v1/tasks/${id}` });
    expectErrorShape(again, 409, 'TASK_NOT_CANCELLABLE');
    // The late end of the run never overwrites the terminal state: once the run has really
    // ended (its slot is freed after it), the task is still cancelled.
    await eventually(async () =>
      expect((await t.get('/api/v1/status')).json().active_tasks).toBe(0),
    );
    const final = (await t.get(`/api/v1/tasks/${id}`)).json();
    expect(final.status).toBe('cancelled');
    const events = parseSse((await t.get(`/api/v1/tasks/${id}/events`)).body).map((e) => e.event);
    expect(events.filter((e) => e === 'task.cancelled')).toHaveLength(1);
    expect(events.filter((e) => /^task\.(completed|failed|timeout)$/.test(String(e)))).toEqual([]);
    // Nothing is recorded after the terminal event, and nothing is left "running".
    expect(events.at(-1)).toBe('task.cancelled');
    expect(final.steps.map((s: { status: string }) => s.status)).not.toContain('running');
    expect(final.steps.at(-1)).toEqual(
      expect.objectContaining({
        tool: 'run_command',
        status: 'failed',
        error: expect.stringContaining('TASK_CANCELLED'),
      }),
    );
    // What it did is counted, the command cut short included; the result says it did not succeed.
    expect(final.metrics).toEqual(
      expect.objectContaining({ model_calls: 1, steps_executed: 2, tool_calls: 1 }),
    );
    expect(final.metrics.tool_time_ms).toBeGreaterThan(0);
    expect(final.result).toEqual(
      expect.objectContaining({ success: false, summary: 'Cancelled by request.' }),
    );
  });

  it('cancel aborts an in-flight model call (the fake sees the connection close)', async () => {
    t = await createTaskApp({ fake });
    fake.enqueue(fakeReply.hang());
    const id = (await t.post('/api/v1/tasks?wait=false', { task: 'slow model' })).json().task_id;
    await fake.waitForRequests(1);
    expect((await t.inject({ method: 'DELETE', url: `/api/v1/tasks/${id}` })).statusCode).toBe(200);
    await fake.waitForAborted(1);
  });

  it('times out: status timeout with TASK_TIMEOUT, and the command is killed', async () => {
    t = await createTaskApp({
      fake,
      overrides: { execution: { sandbox: 'none', allow_unsandboxed_commands: true } },
    });
    fake.enqueue(fakeReply.toolCall('run_command', { command: 'echo $$ > t.pid; exec sleep 300' }));
    const res = await t.post('/api/v1/tasks', {
      task: 'too slow',
      context: { constraints: { max_execution_time: 1 } },
    });
    const task = res.json();
    expect(task.status).toBe('timeout');
    expect(task.error.code).toBe('TASK_TIMEOUT');
    const pid = Number(readFileSync(join(t.dir, 't.pid'), 'utf8'));
    await eventually(() => expect(alive(pid)).toBe(false), { timeoutMs: 5000 });
  });

  it('runs at most max_concurrent_tasks at once and orders the queue by priority', async () => {
    t = await createTaskApp({ fake, overrides: { service: { max_concurrent_tasks: 2 } } });
    const order: string[] = [];
    // The model holds its answers until every task is submitted, so the queue order is decided
    // by priority alone, however slow the machine is.
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((r) => (openGate = r));
    fake.onRequest(async (req) => {
      const text = JSON.stringify(req.body.messages);
      const name = /task-(\w+)/.exec(text)?.[1] ?? '?';
      order.push(name);
      await gate;
      return fakeReply.slow(20, fakeReply.text(`done ${name}`));
    });
    const ids: string[] = [];
    for (const [name, priority] of [
      ['a', 'low'],
      ['b', 'low'],
      ['c', 'low'],
      ['d', 'low'],
      ['e', 'critical'],
      ['f', 'high'],
    ]) {
      ids.push(
        (await t.post('/api/v1/tasks?wait=false', { task: `task-${name}`, priority })).json()
          .task_id,
      );
    }
    openGate();
    for (const id of ids) await t.waitTerminal(id);
    expect(fake.maxInFlight).toBeLessThanOrEqual(2);
    // a and b start at once; then critical and high; then the rest in arrival order. Two run
    // together, so within each pair the model may see either first.
    expect([order.slice(0, 2).sort(), order.slice(2, 4).sort(), order.slice(4).sort()]).toEqual([
      ['a', 'b'],
      ['e', 'f'],
      ['c', 'd'],
    ]);
  });

  it('answers 503 QUEUE_FULL with Retry-After when the queue is full, and accepts again later', async () => {
    t = await createTaskApp({
      fake,
      overrides: { service: { max_concurrent_tasks: 1, max_queued_tasks: 2 } },
    });
    fake.onRequest(() => fakeReply.slow(300, fakeReply.text('ok')));
    const accepted = [];
    for (let i = 0; i < 3; i++)
      accepted.push((await t.post('/api/v1/tasks?wait=false', { task: `q${i}` })).statusCode);
    expect(accepted).toEqual([202, 202, 202]);
    const full = await t.post('/api/v1/tasks?wait=false', { task: 'one too many' });
    expectErrorShape(full, 503, 'QUEUE_FULL');
    expect(Number(full.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const list = (await t.get('/api/v1/tasks')).json();
    expect(list.tasks).toHaveLength(3);
    for (const task of list.tasks) await t.waitTerminal(task.task_id);
    expect((await t.post('/api/v1/tasks?wait=false', { task: 'room again' })).statusCode).toBe(202);
  });

  it('answers 202 with Location when the sync wait runs out', async () => {
    t = await createTaskApp({ fake, overrides: { service: { sync_wait_seconds: 0.2 } } });
    fake.enqueue(fakeReply.slow(1000, fakeReply.text('late')));
    const res = await t.post('/api/v1/tasks', { task: 'slow' });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toMatch(/queued|running/);
    expect(res.headers.location).toBe(`/api/v1/tasks/${res.json().task_id}`);
    expect((await t.waitTerminal(res.json().task_id)).status).toBe('completed');
    const prefer = await t.post(
      '/api/v1/tasks',
      { task: 'async please' },
      { prefer: 'respond-async' },
    );
    expect(prefer.statusCode).toBe(202);
  });
});
