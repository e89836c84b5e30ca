import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { httpRequest } from '../support/raw-http';
import { startServerProcess, ServerProcess } from '../support/server-process';
import { createTaskApp, FAKE_MODEL_KEY, TaskTestApp } from '../support/task-app';
import { expectErrorShape } from '../support/test-app';
import { mountTmpfs, Tmpfs } from '../support/tmpfs';

/** How long the store's retries may take to land, read every 100 ms. */
const RETRIES_LAND = { timeoutMs: 20_000, intervalMs: 100 };

/** A promise with its resolve, to hold a model answer until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

const storeErrors = (metrics: string, operation: string) =>
  Number(
    new RegExp(`^ai_agent_store_errors_total\\{operation="${operation}"\\} (\\d+)`, 'm').exec(
      metrics,
    )?.[1] ?? 0,
  );

describe('a full disk under the store, then freed (built server, store on a small tmpfs)', () => {
  let fs: Tmpfs | undefined;
  let skip = '';
  let dir: string;
  let fake: FakeOpenAIServer;
  let server: ServerProcess;

  beforeAll(async () => {
    const mounted = mountTmpfs(8);
    if ('reason' in mounted) {
      skip = mounted.reason;
      return;
    }
    fs = mounted;
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-full-'));
    fake = await FakeOpenAIServer.start();
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      JSON.stringify({
        model: { provider: 'openai', endpoint: fake.url, api_key: FAKE_MODEL_KEY, max_retries: 0 },
        execution: { planning: false },
        tools: { working_directory: dir, enable_command_execution: false },
        service: { sync_wait_seconds: 0, rate_limiting: { enabled: false } },
        storage: { path: join(fs.path, 'tasks.db'), min_free_space_mb: 1 },
      }),
    );
    server = await startServerProcess({ cwd: dir, env: { AGENT_RUNNER_CONFIG_FILE: configFile } });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await fake?.close();
    fs?.unmount();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const url = (path: string) => `${server.baseUrl}${path}`;
  const submit = (task: string) =>
    httpRequest(url('/api/v1/tasks?wait=false'), {
      method: 'POST',
      body: JSON.stringify({ task }),
    });
  const status = async (id: string) =>
    (await httpRequest(url(`/api/v1/tasks/${id}`))).json<{ status: string }>().status;

  it('refuses submissions with 503 STORE_UNAVAILABLE, goes unready, and recovers without a restart', async () => {
    if (!fs) return console.warn(`skipped: ${skip}`);
    const pid = server.child.pid;
    // A task whose model answers only once the disk is full: its end must still land.
    const held = gate();
    fake.onRequest(async () => {
      await held.opened;
      return fakeReply.text('done after the disk filled up');
    });
    const running = await submit('runs across the outage');
    expect(running.status).toBe(202);
    const runningId = running.json<{ task_id: string }>().task_id;
    await fake.waitForRequests(1, 10_000);

    const filler = fs.fill();
    const ready = await httpRequest(url('/health/ready'));
    expect(ready.status).toBe(503);
    expect(ready.json()).toMatchObject({
      details: { store: { status: 'down', reason: expect.stringMatching(/min_free_space_mb/) } },
    });
    const refused = await submit('not now');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json()).toMatchObject({ status_code: 503, code: 'STORE_UNAVAILABLE' });

    // Its model answers now; the end cannot be written and is retried, not lost.
    held.open();
    await eventually(
      async () =>
        expect(storeErrors((await httpRequest(url('/metrics'))).body, 'commit')).toBeGreaterThan(0),
      { ...RETRIES_LAND, what: 'a failed commit in the metrics' },
    );
    expect(await status(runningId)).toBe('running');

    unlinkSync(filler);
    await eventually(
      async () => expect((await httpRequest(url('/health/ready'))).status).toBe(200),
      { ...RETRIES_LAND, what: 'readiness back to 200' },
    );
    expect(
      await eventually(
        async () => {
          const s = await status(runningId);
          expect(s).not.toBe('running');
          return s;
        },
        { ...RETRIES_LAND, what: 'the held task to end' },
      ),
    ).toBe('completed');

    const after = await submit('after the outage');
    expect(after.status).toBe(202);
    const afterId = after.json<{ task_id: string }>().task_id;
    await eventually(async () => expect(await status(afterId)).toBe('completed'), {
      ...RETRIES_LAND,
      what: 'a new task to complete',
    });
    // Nothing was left running or queued, the refused task was never stored, same process.
    const all = (await httpRequest(url('/api/v1/tasks?limit=100'))).json<{
      tasks: { task_id: string; status: string }[];
    }>().tasks;
    expect(all.map((t) => t.status).sort()).toEqual(['completed', 'completed']);
    expect(server.child.pid).toBe(pid);
    expect(server.child.exitCode).toBeNull();
  });
});

describe('a commit that fails on a full disk (in process, no free-space floor)', () => {
  let fs: Tmpfs | undefined;
  let skip = '';
  let fake: FakeOpenAIServer;
  let t: TaskTestApp;

  beforeAll(async () => {
    const mounted = mountTmpfs(8);
    if ('reason' in mounted) {
      skip = mounted.reason;
      return;
    }
    fs = mounted;
    fake = await FakeOpenAIServer.start();
    t = await createTaskApp({
      fake,
      overrides: {
        tools: { enable_command_execution: false },
        service: { sync_wait_seconds: 0 },
        // No floor: only the commit itself can tell the disk is full.
        storage: { driver: 'sqlite', path: join(fs.path, 'tasks.db'), min_free_space_mb: 0 },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
    fs?.unmount();
  });

  it('answers the submission it held with 503 and never starts it; state changes land later', async () => {
    if (!fs) return console.warn(`skipped: ${skip}`);
    const held = gate();
    fake.onRequest(async () => {
      await held.opened;
      return fakeReply.text('done');
    });
    const running = await t.post('/api/v1/tasks?wait=false', { task: 'runs across the outage' });
    expect(running.statusCode).toBe(202);
    const runningId = (running.json() as { task_id: string }).task_id;
    const toCancel = await t.post('/api/v1/tasks?wait=false', {
      task: 'cancelled during the outage',
      task_id: 'cancelled-while-full',
    });
    expect(toCancel.statusCode).toBe(202);
    await fake.waitForRequests(2, 10_000);

    const filler = fs.fill();
    // A cancel takes effect at once; its record lands when the store can write again.
    const cancelled = await t.inject({
      method: 'DELETE',
      url: '/api/v1/tasks/cancelled-while-full',
    });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      error: { code: 'TASK_CANCELLED' },
    });
    const again = await t.inject({ method: 'DELETE', url: '/api/v1/tasks/cancelled-while-full' });
    expect(expectErrorShape(again, 409, 'TASK_NOT_CANCELLABLE').details).toEqual({
      status: 'cancelled',
    });
    const refused = await t.post('/api/v1/tasks?wait=false', {
      task: 'refused',
      task_id: 'refused-by-a-full-disk',
    });
    const body = expectErrorShape(refused, 503, 'STORE_UNAVAILABLE');
    expect(body.details).toEqual({ retry_after_seconds: 5 });
    expect(refused.headers['retry-after']).toBe('5');
    const ready = await t.get('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ details: { store: { status: 'down' } } });

    expect((await t.get('/api/v1/tasks/refused-by-a-full-disk')).statusCode).toBe(404);
    held.open();

    unlinkSync(filler);
    const done = await t.waitTerminal(runningId);
    expect(done.status).toBe('completed');
    expect((await t.waitTerminal('cancelled-while-full')).status).toBe('cancelled');
    // The last retried changes land within a retry pause or two.
    await eventually(async () => expect((await t.get('/health/ready')).statusCode).toBe(200), {
      ...RETRIES_LAND,
      what: 'readiness back to 200',
    });
    // The same request now goes through.
    const retried = await t.post('/api/v1/tasks?wait=false', {
      task: 'refused',
      task_id: 'refused-by-a-full-disk',
    });
    expect(retried.statusCode).toBe(202);
    expect((await t.waitTerminal('refused-by-a-full-disk')).status).toBe('completed');
    // The refused submission never ran: the model saw the first two tasks and the retried one.
    expect(fake.requestCount).toBe(3);
    const metrics = (await t.get('/metrics')).body;
    expect(storeErrors(metrics, 'commit')).toBeGreaterThan(0);
  });
});
