import { ApiClientBuilder, DEFAULT_SERVICE_URL } from '../../src/client/api-client.builder';
import { ConnectionError } from '../../src/client/connection.error';
import { HttpApiClient } from '../../src/client/http.api-client';
import { TaskRunnerClient } from '../../src/client/task-runner.client';
import {
  AgentRunnerError,
  AuthenticationError,
  AuthorizationError,
  RateLimitError,
  TaskNotFoundError,
} from '../../src/common/errors';
import { ADMIN_KEY, OTHER_USER_KEY, TEST_KEYS, USER_KEY } from '../support/test-app';
import { refusedPort } from '../support/server-process';
import { errorBody, ScriptedHttpServer, sendJson, sseFrame } from './support/scripted-http-server';
import { ClientFixture, collect, rejectionOf, startClient } from './support/transports';

const TASK = {
  task_id: 't1',
  status: 'running',
  task: 'x',
  priority: 'normal',
  owner: null,
  metadata: {},
  created_at: new Date(0).toISOString(),
  started_at: null,
  completed_at: null,
  steps: [],
};

describe('HTTP client against a server with API keys', () => {
  let f: ClientFixture;
  const as = (apiKey?: string) =>
    new TaskRunnerClient(ApiClientBuilder.http(f.baseUrl!, { apiKey }));

  beforeAll(async () => {
    f = await startClient('http', TEST_KEYS);
  });
  afterAll(() => f.close());

  it('no key is AuthenticationError on every method, streams included (no reconnect loop)', async () => {
    const anonymous = as();
    for (const call of [
      () => anonymous.getServiceStatus(),
      () => anonymous.executeSimpleTask('list the files in .'),
      () => anonymous.listTasks(),
      () => collect(anonymous.streamTaskEvents('t1')),
    ]) {
      const error = await rejectionOf(call());
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ code: 'AUTHENTICATION_ERROR', statusCode: 401 });
    }
  });

  it('a user key may run tasks but not read the configuration; others see its tasks as missing', async () => {
    const alice = as(USER_KEY);
    const task = await alice.executeSimpleTask('list the files in .');
    expect(task).toEqual(expect.objectContaining({ status: 'completed', owner: 'alice' }));
    expect((await collect(alice.streamTaskEvents(task.task_id))).pop()?.type).toBe(
      'task.completed',
    );
    const forbidden = await rejectionOf(alice.getConfig());
    expect(forbidden).toBeInstanceOf(AuthorizationError);
    expect(forbidden).toMatchObject({ code: 'AUTHORIZATION_ERROR', statusCode: 403 });
    const bob = as(OTHER_USER_KEY);
    expect(await rejectionOf(bob.getTaskStatus(task.task_id))).toBeInstanceOf(TaskNotFoundError);
    expect(await rejectionOf(collect(bob.streamTaskEvents(task.task_id)))).toBeInstanceOf(
      TaskNotFoundError,
    );
    expect((await as(ADMIN_KEY).getTaskStatus(task.task_id)).owner).toBe('alice');
  });

  it('fromEnv reads AGENT_RUNNER_URL and AGENT_RUNNER_CLIENT_KEY', async () => {
    const client = new TaskRunnerClient(
      ApiClientBuilder.fromEnv({ AGENT_RUNNER_URL: f.baseUrl, AGENT_RUNNER_CLIENT_KEY: ADMIN_KEY }),
    );
    expect(await client.getConfig()).toEqual(
      expect.objectContaining({ model: expect.any(Object) }),
    );
    expect((ApiClientBuilder.fromEnv({}) as HttpApiClient).baseUrl).toBe(DEFAULT_SERVICE_URL);
    expect(() => ApiClientBuilder.http('ftp://example.com')).toThrow(TypeError);
  });
});

describe('HTTP client resilience', () => {
  let server: ScriptedHttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('retries idempotent reads on 503 and honours Retry-After', async () => {
    server = await ScriptedHttpServer.start((req, res, n) => {
      if (n <= 2)
        return sendJson(res, 503, errorBody(503, 'SERVICE_UNAVAILABLE', 'busy'), {
          'retry-after': '0',
        });
      sendJson(res, 200, { ...TASK, status: 'completed' });
    });
    const client = ApiClientBuilder.http(server.url, { retries: 2 });
    expect((await client.getTaskStatus('t1')).status).toBe('completed');
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual(
      Array(3).fill('GET /api/v1/tasks/t1'),
    );
  });

  it('never retries a write: a 503 on POST fails after one attempt', async () => {
    server = await ScriptedHttpServer.start((req, res) =>
      sendJson(
        res,
        503,
        errorBody(503, 'QUEUE_FULL', 'The task queue is full (5 waiting); retry later.', {
          retry_after_seconds: 7,
        }),
        {
          'retry-after': '7',
        },
      ),
    );
    const error = await rejectionOf(
      ApiClientBuilder.http(server.url, { retries: 5 }).submitTask({ task: 'x' }),
    );
    expect(error).toMatchObject({
      code: 'QUEUE_FULL',
      retryAfterSeconds: 7,
      message: 'The task queue is full (5 waiting); retry later.',
    });
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0].body)).toEqual({ task: 'x' });
    expect(server.requests[0].headers.prefer).toBe('respond-async');
  });

  it('a Retry-After longer than the client will wait surfaces as RateLimitError', async () => {
    server = await ScriptedHttpServer.start((req, res) =>
      sendJson(
        res,
        429,
        errorBody(429, 'RATE_LIMIT_EXCEEDED', 'Too many requests; retry after 120 s.', {
          retry_after_seconds: 120,
        }),
        {
          'retry-after': '120',
        },
      ),
    );
    const error = await rejectionOf(ApiClientBuilder.http(server.url).getServiceStatus());
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
      retryAfterSeconds: 120,
      statusCode: 429,
    });
    expect(server.requests).toHaveLength(1);
  });

  it('a silent server times out per attempt; an unreachable one is a ConnectionError', async () => {
    server = await ScriptedHttpServer.start(() => undefined);
    const slow = await rejectionOf(
      ApiClientBuilder.http(server.url, { timeoutMs: 200, retries: 1 }).getMetrics(),
    );
    expect(slow).toBeInstanceOf(ConnectionError);
    expect(slow).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'timeout' });
    expect(server.requests).toHaveLength(2);

    const closed = await refusedPort();
    const down = await rejectionOf(
      ApiClientBuilder.http(`http://127.0.0.1:${closed.port}`, { retries: 1 }).listTools(),
    ).finally(closed.release);
    expect(down).toBeInstanceOf(ConnectionError);
    expect(down).toMatchObject({ reason: 'unreachable' });
    expect(down.message).toContain('ECONNREFUSED');
  });

  it('an answer that is not agent-runner JSON is reported, not parsed blindly', async () => {
    server = await ScriptedHttpServer.start((req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    const error = await rejectionOf(
      ApiClientBuilder.http(server.url, { retries: 0 }).getTaskStatus('t1'),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ reason: 'bad_response' });
  });

  it('an event stream that drops reconnects with Last-Event-ID and yields each event once', async () => {
    let streams = 0;
    server = await ScriptedHttpServer.start((req, res) => {
      if (!req.url.endsWith('/events')) return sendJson(res, 200, TASK);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 10\n\n');
      if (++streams === 1) {
        // Split inside a frame and across CRLF, as a network may deliver it, then drop the connection.
        const frames =
          sseFrame('t1', 1, 'task.queued') +
          sseFrame('t1', 2, 'task.started').replace(/\n/g, '\r\n');
        res.write(frames.slice(0, 30));
        setTimeout(
          () => res.write(frames.slice(30), () => setTimeout(() => res.socket?.destroy(), 50)),
          20,
        );
        return;
      }
      res.write(': heartbeat\n\n');
      res.write(sseFrame('t1', 2, 'task.started'));
      res.end(
        sseFrame('t1', 3, 'task.completed', { status: 'completed', metrics: { total_time_ms: 1 } }),
      );
    });
    const events = await collect(ApiClientBuilder.http(server.url).streamTaskEvents('t1'));
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'task.queued'],
      [2, 'task.started'],
      [3, 'task.completed'],
    ]);
    expect(events[2]).toEqual({
      task_id: 't1',
      seq: 3,
      type: 'task.completed',
      timestamp: new Date(0).toISOString(),
      data: { status: 'completed', metrics: { total_time_ms: 1 } },
    });
    const streamRequests = server.requests.filter((r) => r.url.endsWith('/events'));
    expect(streamRequests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '2']);
    expect(streamRequests[0].headers.accept).toBe('text/event-stream');
  });

  it('a stream that goes silent is reopened after the idle timeout', async () => {
    server = await ScriptedHttpServer.start((req, res, n) => {
      if (!req.url.endsWith('/events')) return sendJson(res, 200, TASK);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('retry: 10\n\n');
      if (n === 1) return void res.write(sseFrame('t1', 1, 'task.queued'));
      res.end(sseFrame('t1', 2, 'task.failed', { status: 'failed' }));
    });
    const events = await collect(
      ApiClientBuilder.http(server.url, { streamIdleTimeoutMs: 300 }).streamTaskEvents('t1'),
    );
    expect(events.map((e) => e.type)).toEqual(['task.queued', 'task.failed']);
    expect(server.requests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '1']);
  });

  it('a stream that ends before the resume point checks the task instead of looping', async () => {
    server = await ScriptedHttpServer.start((req, res) => {
      if (req.url.endsWith('/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return void res.end('retry: 10\n\n');
      }
      sendJson(res, 200, { ...TASK, status: 'completed' });
    });
    expect(
      await collect(ApiClientBuilder.http(server.url).streamTaskEvents('t1', { lastEventId: 9 })),
    ).toEqual([]);
    expect(server.requests.map((r) => r.url)).toEqual([
      '/api/v1/tasks/t1/events',
      '/api/v1/tasks/t1',
    ]);
  });

  it('executeTask follows 202 + Location to the terminal task', async () => {
    server = await ScriptedHttpServer.start((req, res) => {
      if (req.method === 'POST') return sendJson(res, 202, TASK, { location: '/api/v1/tasks/t1' });
      if (req.url.endsWith('/events')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        return void res.end(sseFrame('t1', 5, 'task.completed', { status: 'completed' }));
      }
      sendJson(res, 200, { ...TASK, status: 'completed' });
    });
    const task = await ApiClientBuilder.http(server.url).executeTask(
      { task: 'x' },
      { idempotencyKey: 'k-1' },
    );
    expect(task.status).toBe('completed');
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /api/v1/tasks',
      'GET /api/v1/tasks/t1/events',
      'GET /api/v1/tasks/t1',
    ]);
    expect(server.requests[0].headers['idempotency-key']).toBe('k-1');
  });

  it('an abort signal stops a wait with its reason', async () => {
    server = await ScriptedHttpServer.start((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sseFrame('t1', 1, 'task.started'));
    });
    const controller = new AbortController();
    // The caller gives up while the stream stays open: the abort is the behaviour tested.
    setTimeout(() => controller.abort(new Error('enough')), 100);
    const error = await rejectionOf(
      ApiClientBuilder.http(server.url).waitForTask('t1', { signal: controller.signal }),
    );
    expect(error.message).toBe('enough');
    expect(error).not.toBeInstanceOf(AgentRunnerError);
  });
});
