import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { httpRequest, openSocket, untilClosed } from '../support/raw-http';
import { startServerProcess, ServerProcess } from '../support/server-process';
import { FAKE_MODEL_KEY } from '../support/task-app';
import { createTestApp } from '../support/test-app';

const GRACE_SECONDS = 2;

/** The built server with a model that never answers: one task runs, the others wait. */
async function startStoppableServer(dir: string, fake: FakeOpenAIServer): Promise<ServerProcess> {
  const configFile = join(dir, 'config.yaml');
  writeFileSync(
    configFile,
    JSON.stringify({
      model: { provider: 'openai', endpoint: fake.url, api_key: FAKE_MODEL_KEY, max_retries: 0 },
      execution: { planning: false },
      tools: { working_directory: dir, enable_command_execution: false },
      service: {
        max_concurrent_tasks: 1,
        shutdown_grace_seconds: GRACE_SECONDS,
        sync_wait_seconds: 60,
        headers_timeout_seconds: 1,
        rate_limiting: { enabled: false },
      },
      storage: { path: join(dir, 'data', 'tasks.db') },
    }),
  );
  return startServerProcess({ cwd: dir, env: { AGENT_RUNNER_CONFIG_FILE: configFile } });
}

describe('SIGTERM on the built server: bounded by shutdown_grace_seconds + 5 s', () => {
  let dir: string;
  let fake: FakeOpenAIServer;
  let server: ServerProcess;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-stop-'));
    fake = await FakeOpenAIServer.start({ defaultReply: fakeReply.hang() });
    server = await startStoppableServer(dir, fake);
  });
  afterEach(async () => {
    await server.stop('SIGKILL');
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, agent?: Agent) =>
    httpRequest(`${server.baseUrl}${path}`, { method: 'POST', body: JSON.stringify(body), agent });

  it('answers waiters at once, closes keep-alive connections, refuses new work and exits in time', async () => {
    // A running task (its model never answers) and a synchronous waiter queued behind it.
    const running = await post('/api/v1/tasks?wait=false', { task: 'runs until interrupted' });
    expect(running.status).toBe(202);
    await fake.waitForRequests(1, 10_000);
    const waiter = post('/api/v1/tasks', { task: 'queued behind it' });
    // A keep-alive client whose connection sits idle in its pool.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const idle = await httpRequest(`${server.baseUrl}/health/live`, { agent });
    expect(idle.status).toBe(200);
    expect(idle.headers.connection).toBe('keep-alive');
    // A client that sends half a request body and stalls, and an event stream of the waiter.
    const stalled = await openSocket(server.baseUrl);
    stalled.write(
      'POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"task":',
    );
    const stalledClosed = untilClosed(stalled);
    const listed = await httpRequest(`${server.baseUrl}/api/v1/tasks?status=queued`);
    const queuedId = listed.json<{ tasks: { task_id: string }[] }>().tasks[0].task_id;
    const stream = await openSocket(server.baseUrl);
    stream.write(`GET /api/v1/tasks/${queuedId}/events HTTP/1.1\r\nHost: x\r\n\r\n`);
    const streamClosed = untilClosed(stream);

    const exited = new Promise<number | null>((resolve) =>
      server.child.once('exit', (code) => resolve(code)),
    );
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');

    // The synchronous waiter is answered 202 + Location, without waiting for its task.
    const answered = await waiter;
    expect(answered.status).toBe(202);
    expect(answered.headers.location).toMatch(/^\/api\/v1\/tasks\/.+/);
    expect(answered.headers.connection).toBe('close');
    expect(answered.json()).toMatchObject({ status: 'queued' });
    // The idle keep-alive connection is closed by the server.
    await idle.socketClosed;

    // During the grace: readiness is down, new work is refused in the one error shape, reads
    // still work, and every answer closes its connection.
    const ready = await httpRequest(`${server.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.json()).toMatchObject({ details: { shutdown: { status: 'down' } } });
    expect(ready.headers.connection).toBe('close');
    const refused = await post('/api/v1/tasks', { task: 'too late' });
    expect(refused.status).toBe(503);
    expect(refused.json()).toMatchObject({
      status_code: 503,
      code: 'SERVICE_UNAVAILABLE',
      request_id: expect.any(String),
    });
    expect(refused.headers.connection).toBe('close');
    const again = await httpRequest(`${server.baseUrl}/health/live`, { agent });
    expect(again.headers.connection).toBe('close');
    await again.socketClosed;

    const code = await exited;
    const exitSeconds = (Date.now() - signalledAt) / 1000;
    expect(code).toBe(0);
    expect(exitSeconds).toBeLessThan(GRACE_SECONDS + 5);
    // Nothing a client held open kept it up: the stalled upload and the stream were cut.
    await stalledClosed;
    await streamClosed;
    expect(server.stdout()).toMatch(/"msg":"shutdown complete in [\d.]+ s"/);
    console.log(`SIGTERM → exit: ${exitSeconds.toFixed(2)} s (grace ${GRACE_SECONDS} s)`);
    agent.destroy();

    // The running task was interrupted after its grace; the queued one waits in the store.
    const restarted = await startStoppableServer(dir, fake);
    try {
      const task = await httpRequest(
        `${restarted.baseUrl}/api/v1/tasks/${running.json<{ task_id: string }>().task_id}`,
      );
      expect(task.json()).toMatchObject({
        status: 'failed',
        error: { code: 'TASK_INTERRUPTED' },
      });
    } finally {
      await restarted.stop('SIGKILL');
    }
  });

  it('cuts a client that sends its headers too slowly (headers_timeout_seconds)', async () => {
    const slow = await openSocket(server.baseUrl);
    slow.write('GET /health/live HTTP/1.1\r\nHost: x\r\n');
    const received = await untilClosed(slow);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });
});

describe('HTTP server timeouts from [service]', () => {
  it('applies request, header and keep-alive timeouts (and no socket inactivity timeout)', async () => {
    const t = await createTestApp({
      service: {
        request_timeout_seconds: 20,
        headers_timeout_seconds: 4,
        keep_alive_timeout_seconds: 9,
      },
    });
    try {
      const server = t.app.getHttpServer() as Server;
      expect({
        request: server.requestTimeout,
        headers: server.headersTimeout,
        keepAlive: server.keepAliveTimeout,
        inactivity: server.timeout,
      }).toEqual({ request: 20_000, headers: 4_000, keepAlive: 9_000, inactivity: 0 });
    } finally {
      await t.close();
    }
  });
});
