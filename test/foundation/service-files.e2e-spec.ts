import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpApp } from '../../src/app/create-http-app';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { startServerProcess } from '../support/server-process';
import { createTaskApp } from '../support/task-app';
import { ADMIN_KEY, bearer, createTestApp, TEST_DEFAULTS } from '../support/test-app';

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

/**
 * The files the service makes are its own: commands run as another user (and other local
 * users) cannot read the store with every tenant's tasks, nor a config file it rewrote.
 */
describe('files the service creates', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the store in a 0700 folder: the database, its WAL and shared memory are 0600', async () => {
    const data = join(dir, 'data');
    const t = await createTestApp({
      storage: { driver: 'sqlite', path: join(data, 'agent-runner.db') },
      tools: { working_directory: dir },
    });
    try {
      const res = await t.inject({
        method: 'POST',
        url: '/api/v1/tasks',
        payload: { task: 'list the files in .', context: { environment: { TOKEN: 'test-x' } } },
      });
      expect(res.statusCode).toBe(200);
      expect(existsSync(join(data, 'agent-runner.db-wal'))).toBe(true);
      expect({
        folder: mode(data),
        db: mode(join(data, 'agent-runner.db')),
        wal: mode(join(data, 'agent-runner.db-wal')),
        shm: mode(join(data, 'agent-runner.db-shm')),
      }).toEqual({ folder: '700', db: '600', wal: '600', shm: '600' });
    } finally {
      await t.close();
    }
  });

  it('rewrites the config file 0600 (persist_config_updates), even when the operator made it 0644', async () => {
    const file = join(dir, 'config.toml');
    writeFileSync(
      file,
      `[service]\npersist_config_updates = true\n[[service.auth.api_keys]]\nname = "admin"\nkey = "${ADMIN_KEY}"\nrole = "admin"\n`,
    );
    chmodSync(file, 0o644);
    const app = await createHttpApp({
      env: {},
      dotenv: false,
      configFile: file,
      cwd: dir,
      overrides: TEST_DEFAULTS,
    });
    await app.init();
    const fastify = app.getHttpAdapter().getInstance();
    await fastify.ready();
    try {
      const res = await fastify.inject({
        method: 'PUT',
        url: '/api/v1/config',
        headers: bearer(ADMIN_KEY),
        payload: { execution: { max_steps: 7 } },
      });
      expect(res.statusCode).toBe(200);
      expect(readFileSync(file, 'utf8')).toMatch(/max_steps = 7/);
      expect(mode(file)).toBe('600');
    } finally {
      await app.close();
    }
  });
});

/**
 * Without an OS sandbox run_command is off unless the operator opts in: the model is not offered
 * it, the listings say why, readiness stays up, and a call anyway is denied with the reason.
 */
describe('run_command without an OS sandbox and without the opt-in', () => {
  let fake: FakeOpenAIServer;
  beforeAll(async () => {
    fake = await FakeOpenAIServer.start();
  });
  afterAll(() => fake.close());

  it('is listed as disabled with the reason, never offered, and denied when called', async () => {
    const t = await createTaskApp({ fake, overrides: { execution: { sandbox: 'none' } } });
    try {
      const tools = (await t.get('/api/v1/tools')).json();
      expect(tools.tools.map((x: { name: string }) => x.name)).not.toContain('run_command');
      expect(tools.tools.map((x: { name: string }) => x.name)).toContain('read_file');
      expect(tools.disabled_tools).toEqual([
        {
          name: 'run_command',
          reason: expect.stringContaining('execution.allow_unsandboxed_commands = true'),
        },
      ]);
      expect(tools.sandbox).toMatchObject({
        mode: 'none',
        commands_allowed: false,
        unsandboxed_commands_allowed: false,
      });
      const status = (await t.get('/api/v1/status')).json();
      expect(status.available_tools).not.toContain('run_command');
      expect(status.disabled_tools).toEqual(tools.disabled_tools);
      expect((await t.get('/health/ready')).statusCode).toBe(200);

      fake.script([fakeReply.toolCall('run_command', { command: 'id' }), fakeReply.text('ok')]);
      const res = await t.post('/api/v1/tasks', { task: 'run id' });
      const task = res.json();
      expect(
        fake.chatRequests
          .at(-2)
          ?.body.tools.map((x: { function: { name: string } }) => x.function.name),
      ).not.toContain('run_command');
      expect(task.steps.find((s: { tool: string }) => s.tool === 'run_command')).toMatchObject({
        status: 'denied',
        error: expect.stringContaining('allow_unsandboxed_commands'),
      });
    } finally {
      await t.close();
    }
  });

  it('warns at start-up, in the logs of the built server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-runner-warn-'));
    const server = await startServerProcess({
      cwd: dir,
      env: { AGENT_RUNNER_SANDBOX: 'none', AGENT_RUNNER_STORAGE_DRIVER: 'memory' },
    });
    try {
      expect((await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200);
    } finally {
      await server.stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
    expect(server.stdout() + server.stderr()).toMatch(
      /RUN_COMMAND DISABLED: run_command is disabled because commands would run without an OS sandbox \(execution.sandbox is none\)/,
    );
  });
});
