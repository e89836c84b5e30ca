import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTaskStore } from '../../src/agent/store/sqlite-task-store';
import { makeTaskRecord } from '../../src/agent/store/task-store.fixtures';
import { packageVersion } from '../../src/common/package-info';
import {
  PROJECT_ROOT,
  runToExit,
  ServerProcess,
  startServerProcess,
} from '../support/server-process';

const ADMIN = 'process-admin-key-0123456789abcdef';
const USER = 'process-user-key-0123456789abcdef0';
const MODEL_KEY = 'sk-test-model-secret-never-logged-4242';

function promtool(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
  return found || null;
}

describe('the built server (npm start) as a real process', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-proc-'));
    server = await startServerProcess({
      cwd: dir,
      env: {
        AGENT_RUNNER_ADMIN_KEYS: `root=${ADMIN}`,
        AGENT_RUNNER_AUTH_KEYS: `alice=${USER}`,
        AGENT_RUNNER_API_KEY: MODEL_KEY,
        AGENT_RUNNER_LOG_LEVEL: 'debug',
      },
    });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves Swagger UI and a valid OpenAPI 3 document with schemas and both key schemes', async () => {
    const ui = await fetch(`${server.baseUrl}/docs`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toContain('text/html');
    const doc = (await (await fetch(`${server.baseUrl}/docs-json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['api_key', 'bearer']);
    // The Swagger CLI plugin turned DTOs and their JSDoc into schemas.
    expect(doc.components.schemas).toHaveProperty('UpdateModelConfigDto');
    expect(doc.components.schemas).toHaveProperty('ErrorResponseDto');
    expect(doc.paths['/api/v1/config/model'].put.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/config'].get.security).toEqual(
      expect.arrayContaining([{ bearer: [] }, { api_key: [] }]),
    );
  });

  it('exports /metrics that parses as Prometheus text (promtool when installed)', async () => {
    await fetch(`${server.baseUrl}/api/v1/metrics`, {
      headers: { authorization: `Bearer ${USER}` },
    });
    const res = await fetch(`${server.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of [
      'ai_agent_requests_total',
      'ai_agent_request_duration_seconds',
      'ai_agent_cpu_usage_percent',
      'ai_agent_memory_usage_mb',
      'process_cpu_user_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).toMatch(
      /ai_agent_requests_total\{method="GET",route="\/api\/v1\/metrics",status_code="200"\} \d+/,
    );
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?[0-9.e+-]+|NaN|[+-]Inf$/);
    }
    const tool = promtool();
    if (!tool) {
      console.warn(
        'promtool not installed: skipped `promtool check metrics` (.ci/run installs it)',
      );
      return;
    }
    const out = spawnSync(tool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    // promtool parses everything; its only lint remark is on the published name
    // `ai_agent_memory_usage_mb` ("abbreviated units"; the `ai_agent_*` names of docs/api.md,
    // Metrics, are fixed), so exit 3 = lint only.
    const remarks = (out.stdout + out.stderr).split('\n').filter(Boolean);
    expect(remarks).toEqual([
      'ai_agent_memory_usage_mb metric names should not contain abbreviated units',
    ]);
    expect(out.status).toBe(3);
  });

  it('labels requests by route template, never the raw URL', async () => {
    await fetch(`${server.baseUrl}/api/v1/does-not-exist/12345`, {
      headers: { authorization: `Bearer ${USER}` },
    });
    const text = await (await fetch(`${server.baseUrl}/metrics`)).text();
    expect(text).not.toContain('12345');
    expect(text).toContain('route="unmatched"');
  });

  it('answers deep and wide bodies with 400 quickly enough that /health/live keeps answering', async () => {
    const headers = { authorization: `Bearer ${USER}`, 'content-type': 'application/json' };
    const wide = JSON.stringify({
      task: 'x',
      metadata: Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`key${i}`, i])),
    });
    const deep = `{"task":"x","metadata":{"a":${'['.repeat(3000)}0${']'.repeat(3000)}}}`;
    const long = JSON.stringify({ task: 'x', metadata: { items: new Array(200_000).fill(0) } });
    const abusive = [wide, wide, wide, deep, long].map((body) =>
      fetch(`${server.baseUrl}/api/v1/tasks`, { method: 'POST', headers, body }),
    );
    const live = await fetch(`${server.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    const answers = await Promise.all(abusive);
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        code: 'INVALID_REQUEST',
        details: [{ field: 'body', message: expect.any(String) }],
      });
    }
    expect((await fetch(`${server.baseUrl}/health/live`)).status).toBe(200);
  });

  it('never writes a key into its logs, and stops cleanly on SIGTERM', async () => {
    await fetch(`${server.baseUrl}/api/v1/config`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    await fetch(`${server.baseUrl}/api/v1/config`, { headers: { 'x-api-key': USER } });
    await fetch(`${server.baseUrl}/api/v1/config/model`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: 'sk-test-new-model-secret-7777' }),
    });
    // The shutdown coordinator closes the app, logs one line and exits 0.
    const ended = await server.stop('SIGTERM');
    expect(ended).toBe(0);
    const logs = server.stdout() + server.stderr();
    expect(logs.length).toBeGreaterThan(100);
    for (const secret of [ADMIN, USER, MODEL_KEY, 'sk-test-new-model-secret-7777'])
      expect(logs).not.toContain(secret);
    // Logs are JSON lines; each answered request has one, with its id and status.
    const requestLine = logs
      .split('\n')
      .find((l) => l.includes('"request completed"') && l.includes('"/api/v1/config"'));
    expect(logs).toMatch(
      /"msg":"integrity check \(PRAGMA quick_check\) of \S+ passed in [\d.]+ ms"/,
    );
    expect(logs).toMatch(/"msg":"shutdown complete in [\d.]+ s"/);
    expect(requestLine && JSON.parse(requestLine)).toEqual(
      expect.objectContaining({
        request_id: expect.any(String),
        method: 'GET',
        url: '/api/v1/config',
        status_code: 200,
        response_time_ms: expect.any(Number),
      }),
    );
  });
});

describe('start-up rules', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-start-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('says in one line where it listens and with what, and in one line each when it begins and ends stopping', async () => {
    const server = await startServerProcess({ cwd: dir, env: { AGENT_RUNNER_LOG_LEVEL: 'info' } });
    const ended = await server.stop('SIGTERM');
    expect([0, 'SIGTERM']).toContain(ended);
    const lines = server
      .stdout()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string; [key: string]: unknown });
    // Nest's fifty "Mapped {…} route" lines are debug now; warnings (e.g. no sandbox) may stay.
    const info = lines.filter((l) => l.level === 30).map((l) => l.msg);
    expect(info).toHaveLength(3);
    expect(info[1]).toMatch(/^SIGTERM: shutting down within \d+ s: /);
    expect(info[2]).toMatch(/^shutdown complete in \d+\.\d s$/);
    // The line docs/cli.md quotes, with this run's port, version and sandbox.
    const quoted = /^agent-runner \S+ listening on .*$/m.exec(
      readFileSync(join(PROJECT_ROOT, 'docs/cli.md'), 'utf8'),
    )![0];
    const sandbox = String(lines.find((l) => l.level === 30)!.sandbox);
    expect(info[0]).toBe(
      quoted
        .replace(/^agent-runner \S+/, `agent-runner ${packageVersion()}`)
        .replace('http://127.0.0.1:8080', server.baseUrl)
        .replace(/sandbox \w+$/, `sandbox ${sandbox}`),
    );
    // The first info line; a warning (e.g. no bubblewrap here) may come before it.
    expect(lines.find((l) => l.level === 30)).toEqual(
      expect.objectContaining({
        url: server.baseUrl,
        store: 'sqlite ./data/agent-runner.db',
        model: 'offline (built-in planner, no AI)',
        sandbox: expect.stringMatching(/^(bwrap|none)$/),
      }),
    );
    expect(server.stdout()).not.toContain('Mapped {');
  });

  it('refuses to bind 0.0.0.0 without keys, with a clear message and exit code 2', async () => {
    const r = await runToExit({ cwd: dir, env: { BIND_ADDRESS: '0.0.0.0:0' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Refusing to start');
    expect(r.stderr).toContain('AGENT_RUNNER_ALLOW_UNAUTHENTICATED');
  });

  it('stops on a store file with a damaged page, says which and why, and leaves it untouched', async () => {
    const file = join(dir, 'tasks.db');
    const store = new SqliteTaskStore(file);
    for (let i = 0; i < 200; i++)
      await store.insertTask(makeTaskRecord({ task_id: `t${i}`, task: `task ${i} `.repeat(40) }));
    await store.close();
    const pages = statSync(file).size / 4096;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, Math.floor(pages / 2) * 4096);
    closeSync(fd);
    const before = createHash('sha256').update(readFileSync(file)).digest('hex');
    const r = await runToExit({ cwd: dir, env: { AGENT_RUNNER_STORAGE_PATH: file } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Cannot open the task store at ${file}: it failed its integrity check (PRAGMA quick_check)`,
    );
    expect(r.stderr).toContain('The file was left untouched');
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before);
  });

  it('stops on a bad config file listing every problem', async () => {
    writeFileSync(
      join(dir, 'config.toml'),
      '[model]\nprovider = "skynet"\n[service]\nmax_concurrent_tasks = 0\n',
    );
    const r = await runToExit({ cwd: dir, env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('model.provider');
    expect(r.stderr).toContain('service.max_concurrent_tasks');
  });
});
