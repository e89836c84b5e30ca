import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { parseSse } from '../support/sse';
import { createTaskApp, TaskTestApp } from '../support/task-app';
import {
  ADMIN_KEY,
  bearer,
  expectErrorShape,
  OTHER_USER_KEY,
  TEST_KEYS,
  USER_KEY,
} from '../support/test-app';

describe('batches', () => {
  let fake: FakeOpenAIServer;
  let t: TaskTestApp;
  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
  });
  afterAll(() => fake.close());
  afterEach(async () => {
    fake.onRequest(undefined);
    fake.reset();
    await t.close();
  });

  it("runs the seed README's parallel batch under the concurrency limit", async () => {
    t = await createTaskApp({ fake, overrides: { service: { max_concurrent_tasks: 2 } } });
    fake.onRequest(() => fakeReply.slow(100, fakeReply.text('done')));
    const res = await t.post('/api/v1/tasks/batch', {
      tasks: [
        { task: 'Task 1' },
        { task: 'Task 2' },
        { task: 'Task 3' },
        { task: 'Task 4' },
        { task: 'Task 5' },
      ],
      mode: 'parallel',
    });
    expect(res.statusCode).toBe(200);
    const batch = res.json();
    expect(batch.status).toBe('completed');
    expect(batch.results.map((r: { status: string }) => r.status)).toEqual(
      Array(5).fill('completed'),
    );
    expect(batch.statistics).toEqual(
      expect.objectContaining({
        total_tasks: 5,
        successful_tasks: 5,
        failed_tasks: 0,
        cancelled_tasks: 0,
      }),
    );
    expect(batch.statistics.total_time_ms).toBeGreaterThan(0);
    expect(fake.maxInFlight).toBe(2);
    const again = await t.get(`/api/v1/batches/${batch.batch_id}`);
    expect(again.json().statistics.successful_tasks).toBe(5);
  });

  it('runs a sequential batch in order and records the tasks after a failure as BATCH_ABORTED', async () => {
    t = await createTaskApp({ fake });
    const seen: string[] = [];
    fake.onRequest((req) => {
      const name = /step-(\d)/.exec(JSON.stringify(req.body.messages))?.[1] ?? '?';
      seen.push(name);
      return name === '2'
        ? fakeReply.error(400, 'bad request for step 2')
        : fakeReply.text(`ok ${name}`);
    });
    const batch = (
      await t.post('/api/v1/tasks/batch', {
        tasks: [{ task: 'step-1' }, { task: 'step-2' }, { task: 'step-3' }, { task: 'step-4' }],
        mode: 'sequential',
      })
    ).json();
    expect(seen).toEqual(['1', '2']);
    expect(batch.results.map((r: { status: string }) => r.status)).toEqual([
      'completed',
      'failed',
      'cancelled',
      'cancelled',
    ]);
    expect(batch.results[2].error.code).toBe('BATCH_ABORTED');
    expect(batch.statistics).toEqual(
      expect.objectContaining({ successful_tasks: 1, failed_tasks: 1, cancelled_tasks: 2 }),
    );
  });

  it('keeps going after a failure with continue_on_error', async () => {
    t = await createTaskApp({ fake });
    fake.onRequest((req) =>
      JSON.stringify(req.body.messages).includes('step-1')
        ? fakeReply.error(400, 'nope')
        : fakeReply.text('ok'),
    );
    const batch = (
      await t.post('/api/v1/tasks/batch', {
        tasks: [{ task: 'step-1' }, { task: 'step-2' }],
        mode: 'sequential',
        continue_on_error: true,
      })
    ).json();
    expect(batch.results.map((r: { status: string }) => r.status)).toEqual(['failed', 'completed']);
  });

  it('rejects a batch with one bad task whole, creating nothing', async () => {
    t = await createTaskApp({ fake });
    for (const body of [
      { tasks: [] },
      { tasks: [{ task: 'ok' }, { task: 'x', context: { tools: ['nope'] } }] },
      {
        tasks: [
          { task: 'a', task_id: 'dup' },
          { task: 'b', task_id: 'dup' },
        ],
      },
      { tasks: [{ task: 'ok' }], mode: 'random' },
      { tasks: Array(101).fill({ task: 'x' }) },
      // Found by the fuzzer through the response check: an array is not a task.
      { tasks: [[]] },
      { tasks: [{ task: 'ok' }, [{ task: 'nested' }]] },
      { tasks: [null] },
    ]) {
      expectErrorShape(await t.post('/api/v1/tasks/batch', body), 400, 'INVALID_REQUEST');
    }
    expect((await t.get('/api/v1/tasks')).json().tasks).toEqual([]);
  });
});

// docs/api.md, Lifecycle and guarantees: Idempotency.
describe('idempotency', () => {
  let fake: FakeOpenAIServer;
  let t: TaskTestApp;
  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
    t = await createTaskApp({ fake, overrides: TEST_KEYS });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('returns the existing task for an identical replay and runs nothing again', async () => {
    const body = { task: 'Do it once', task_id: 'client-id-1', metadata: { a: 1, b: [1, 2] } };
    const first = await t.post('/api/v1/tasks', body, bearer(USER_KEY));
    expect(first.statusCode).toBe(200);
    const calls = fake.chatRequests.length;
    // Same body, keys in another order.
    const replay = await t.post(
      '/api/v1/tasks',
      { metadata: { b: [1, 2], a: 1 }, task_id: 'client-id-1', task: 'Do it once' },
      bearer(USER_KEY),
    );
    expect(replay.statusCode).toBe(200);
    expect(replay.json().task_id).toBe('client-id-1');
    expect(replay.json().created_at).toBe(first.json().created_at);
    expect(fake.chatRequests.length).toBe(calls);
  });

  it('answers 409 for a different body or another owner', async () => {
    expectErrorShape(
      await t.post(
        '/api/v1/tasks',
        { task: 'Something else', task_id: 'client-id-1' },
        bearer(USER_KEY),
      ),
      409,
      'TASK_ALREADY_EXISTS',
    );
    expectErrorShape(
      await t.post(
        '/api/v1/tasks',
        { task: 'Do it once', task_id: 'client-id-1', metadata: { a: 1, b: [1, 2] } },
        bearer(OTHER_USER_KEY),
      ),
      409,
      'TASK_ALREADY_EXISTS',
    );
  });

  it('accepts the Idempotency-Key header as the task id', async () => {
    const a = await t.post(
      '/api/v1/tasks',
      { task: 'keyed' },
      { ...bearer(USER_KEY), 'idempotency-key': 'idem-42' },
    );
    const b = await t.post(
      '/api/v1/tasks',
      { task: 'keyed' },
      { ...bearer(USER_KEY), 'idempotency-key': 'idem-42' },
    );
    expect(a.json().task_id).toBe('idem-42');
    expect(b.json().created_at).toBe(a.json().created_at);
    expectErrorShape(
      await t.post(
        '/api/v1/tasks',
        { task: 'other' },
        { ...bearer(USER_KEY), 'idempotency-key': 'idem-42' },
      ),
      409,
    );
    expectErrorShape(
      await t.post(
        '/api/v1/tasks',
        { task: 'x', task_id: 'one' },
        { ...bearer(USER_KEY), 'idempotency-key': 'two' },
      ),
      400,
    );
  });
});

describe('tenant isolation', () => {
  let fake: FakeOpenAIServer;
  let t: TaskTestApp;
  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
    t = await createTaskApp({ fake, overrides: TEST_KEYS });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it("hides another user's tasks and batches (404), and shows everything to admins", async () => {
    const mine = (await t.post('/api/v1/tasks', { task: 'alice task' }, bearer(USER_KEY))).json();
    const batch = (
      await t.post('/api/v1/tasks/batch', { tasks: [{ task: 'alice batch' }] }, bearer(USER_KEY))
    ).json();
    expect(mine.owner).toBe('alice');
    for (const url of [
      `/api/v1/tasks/${mine.task_id}`,
      `/api/v1/tasks/${mine.task_id}/events`,
      `/api/v1/batches/${batch.batch_id}`,
    ]) {
      const res = await t.get(url, bearer(OTHER_USER_KEY));
      expect(res.statusCode).toBe(404);
    }
    expectErrorShape(
      await t.inject({
        method: 'DELETE',
        url: `/api/v1/tasks/${mine.task_id}`,
        headers: bearer(OTHER_USER_KEY),
      }),
      404,
      'TASK_NOT_FOUND',
    );
    expect((await t.get('/api/v1/tasks', bearer(OTHER_USER_KEY))).json().tasks).toEqual([]);
    expect((await t.get('/api/v1/tasks', bearer(USER_KEY))).json().tasks.length).toBe(2);
    expect((await t.get(`/api/v1/tasks/${mine.task_id}`, bearer(ADMIN_KEY))).statusCode).toBe(200);
    expect(
      (await t.get('/api/v1/tasks', bearer(ADMIN_KEY))).json().tasks.length,
    ).toBeGreaterThanOrEqual(2);
  });
});

describe('events (SSE)', () => {
  let fake: FakeOpenAIServer;
  let t: TaskTestApp;
  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
    t = await createTaskApp({ fake });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('replays every event of a finished task in order, then closes; resumes after Last-Event-ID', async () => {
    fake.enqueue(fakeReply.toolCall('list_files', { path: '.' }), fakeReply.text('listed'));
    const task = (await t.post('/api/v1/tasks', { task: 'list' })).json();
    const res = await t.get(`/api/v1/tasks/${task.task_id}/events`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = parseSse(res.body);
    expect(events.map((e) => e.event)).toEqual([
      'task.queued',
      'task.started',
      'step.started',
      'step.completed',
      'step.started',
      'step.completed',
      'step.started',
      'step.completed',
      'step.started',
      'step.completed',
      'task.completed',
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0].data).toEqual(
      expect.objectContaining({ task_id: task.task_id, seq: 1, timestamp: expect.any(String) }),
    );
    const resumed = parseSse(
      (await t.get(`/api/v1/tasks/${task.task_id}/events`, { 'last-event-id': '8' })).body,
    );
    expect(resumed.map((e) => e.id)).toEqual([9, 10, 11]);
    const byQuery = parseSse(
      (await t.get(`/api/v1/tasks/${task.task_id}/events?last_event_id=10`)).body,
    );
    expect(byQuery.map((e) => e.id)).toEqual([11]);
  });

  it('streams live events of a running task until its terminal event', async () => {
    fake.enqueue(fakeReply.slow(300, fakeReply.text('slowly done')));
    const id = (await t.post('/api/v1/tasks?wait=false', { task: 'live' })).json().task_id;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.getHttpServer().address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/tasks/${id}/events`);
    const body = await res.text(); // resolves only when the server closes the stream
    const events = parseSse(body);
    expect(events.at(-1)?.event).toBe('task.completed');
    expect(events.map((e) => e.event)).toContain('step.started');
  });
});

// docs/api.md, Lifecycle and guarantees: Durability and restart.
describe('restart recovery', () => {
  it('keeps every accepted task across a restart: queued ones run, running ones end TASK_INTERRUPTED', async () => {
    const fake = await FakeOpenAIServer.start();
    const dataDir = mkdtempSync(join(tmpdir(), 'agent-runner-db-'));
    const storage = { driver: 'sqlite' as const, path: join(dataDir, 'tasks.db') };
    const overrides = { storage, service: { max_concurrent_tasks: 1, shutdown_grace_seconds: 0 } };
    let t = await createTaskApp({ fake, overrides });
    const dir = t.dir;
    fake.enqueue(fakeReply.text('finished before restart'));
    const done = (await t.post('/api/v1/tasks', { task: 'first' })).json();
    fake.enqueue(fakeReply.hang());
    const running = (await t.post('/api/v1/tasks?wait=false', { task: 'second' })).json();
    const queued = (
      await t.post('/api/v1/tasks?wait=false', { task: 'third', priority: 'high' })
    ).json();
    await fake.waitForRequests(2);
    await t.close();

    fake.reset();
    fake.setDefault(fakeReply.text('ran after restart'));
    t = await createTaskApp({ fake, overrides, dir });
    try {
      expect((await t.get(`/api/v1/tasks/${done.task_id}`)).json().status).toBe('completed');
      const interrupted = (await t.get(`/api/v1/tasks/${running.task_id}`)).json();
      expect(interrupted.status).toBe('failed');
      expect(interrupted.error.code).toBe('TASK_INTERRUPTED');
      const resumed = await t.waitTerminal(queued.task_id);
      expect(resumed.status).toBe('completed');
      expect((resumed.result as { details: string }).details).toBe('ran after restart');
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
      await fake.close();
    }
  });
});

describe('no accepted task is lost under load', () => {
  it('accepts 1000 submissions at 50 concurrent and brings every one to a terminal state', async () => {
    const fake = await FakeOpenAIServer.start({ recordBodies: false });
    fake.setDefault(fakeReply.text('ok'));
    const dataDir = mkdtempSync(join(tmpdir(), 'agent-runner-load-'));
    const t = await createTaskApp({
      fake,
      overrides: {
        storage: { driver: 'sqlite', path: join(dataDir, 'tasks.db') },
        service: { max_concurrent_tasks: 50 },
      },
    });
    try {
      const ids: string[] = [];
      let next = 0;
      const worker = async () => {
        while (next < 1000) {
          const i = next++;
          const res = await t.post('/api/v1/tasks?wait=false', { task: `load ${i}` });
          expect(res.statusCode).toBe(202);
          ids.push(res.json().task_id);
        }
      };
      await Promise.all(Array.from({ length: 50 }, worker));
      expect(new Set(ids).size).toBe(1000);
      // Ids the service makes are time-ordered UUIDs (version 7), increasing in creation order.
      for (const id of ids)
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const byCreation = [...ids].sort();
      const { tasks: newest } = (await t.get('/api/v1/tasks?limit=100')).json() as {
        tasks: { task_id: string }[];
      };
      expect(newest.map((x) => x.task_id)).toEqual(byCreation.slice(-100).reverse());
      for (const id of ids) expect((await t.waitTerminal(id, {}, 60_000)).status).toBe('completed');
      let listed = 0;
      let cursor: string | null = null;
      do {
        const res = await t.get(`/api/v1/tasks?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        const page = res.json() as { tasks: unknown[]; next_cursor: string | null };
        listed += page.tasks.length;
        cursor = page.next_cursor;
      } while (cursor);
      expect(listed).toBe(1000);
    } finally {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
      await fake.close();
    }
  }, 120_000);
});

describe('retention', () => {
  it('purges finished tasks past storage.retention_days, and a purged task is a 404 even after it was read', async () => {
    const { TaskRetentionService } = await import('../../src/agent/tasks/task-retention.service');
    const t = await createTaskApp({ overrides: { storage: { retention_days: 1 } } });
    try {
      const task = (await t.post('/api/v1/tasks', { task: 'list the files in .' })).json();
      expect(task.status).toBe('completed');
      expect((await t.get(`/api/v1/tasks/${task.task_id}`)).statusCode).toBe(200);
      const retention = t.app.get(TaskRetentionService);
      expect(await retention.purge(Date.now())).toBe(0);
      expect(await retention.purge(Date.now() + 2 * 86_400_000)).toBe(1);
      expectErrorShape(await t.get(`/api/v1/tasks/${task.task_id}`), 404, 'TASK_NOT_FOUND');
    } finally {
      await t.close();
    }
  });
});
