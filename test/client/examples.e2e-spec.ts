import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { PROJECT_ROOT, ServerProcess, startServerProcess } from '../support/server-process';

const RUN = resolve(PROJECT_ROOT, 'examples/run.js');

/** `node examples/run.js <name>`, the documented command, in `cwd`. */
function example(
  name: string,
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [RUN, name], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

describe('examples/ (run as documented, against the built package)', () => {
  let cwd: string;

  beforeAll(() => {
    if (!existsSync(resolve(PROJECT_ROOT, 'dist/index.js'))) {
      throw new Error('dist/ is missing: run "npm run build" first (npm test does).');
    }
  });
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'agent-runner-example-'));
    writeFileSync(join(cwd, 'README.md'), '# Example project\n\nUsed by the examples test.\n');
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('the package exports what the README shows, with types', () => {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        "const m = require('agent-runner'); console.log(JSON.stringify(Object.keys(m).sort()))",
      ],
      { cwd: PROJECT_ROOT, encoding: 'utf8' },
    );
    expect(JSON.parse(out)).toEqual(
      expect.arrayContaining([
        'AgentConfig',
        'ApiClientBuilder',
        'TaskRunnerClient',
        'TaskRunnerService',
        'TaskNotFoundError',
        'AuthenticationError',
        'InvalidRequestError',
        'ConnectionError',
      ]),
    );
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    expect(existsSync(join(PROJECT_ROOT, pkg.types))).toBe(true);
    expect(pkg.main).toBe('dist/index.js');
  });

  it('type-checks against the published types (tsc -p examples)', () => {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'examples/tsconfig.json'],
      {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      },
    );
  });

  it('in-process-service: the seed README example runs as written (offline model)', async () => {
    const r = await example('in-process-service', cwd);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Result: \[offline\] This request needs a language model/);
  });

  it('in-process-service: with a model configured, it writes the program', async () => {
    const fake = await FakeOpenAIServer.start();
    try {
      fake.enqueue(
        fakeReply.toolCall('write_file', { path: 'hello.py', content: 'print("Hello, World!")\n' }),
        fakeReply.text('Created hello.py, a Hello World program.'),
      );
      const r = await example('in-process-service', cwd, {
        AGENT_RUNNER_MODEL_PROVIDER: 'openai',
        AGENT_RUNNER_MODEL_ENDPOINT: fake.url,
        AGENT_RUNNER_API_KEY: 'sk-test-example-key-01',
        AGENT_RUNNER__EXECUTION__PLANNING: 'false',
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('Result: Created hello.py, a Hello World program.\n');
      expect(readFileSync(join(cwd, 'hello.py'), 'utf8')).toBe('print("Hello, World!")\n');
    } finally {
      await fake.close();
    }
  });

  it('http-client: talks to a running server configured from the environment', async () => {
    let server: ServerProcess | undefined;
    try {
      server = await startServerProcess({
        cwd,
        env: { AGENT_RUNNER_STORAGE_DRIVER: 'memory' },
      });
      const r = await example('http-client', cwd, { AGENT_RUNNER_URL: server.baseUrl });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Connected to agent-runner \S+ \(healthy\); model offline/);
      expect(r.stdout).toMatch(/Task \S+: completed/);
      expect(r.stdout).toContain('As expected: TASK_NOT_FOUND');
    } finally {
      await server?.stop();
    }
  });

  it('batch-with-events: streams every task of a batch, then prints statistics', async () => {
    const r = await example('batch-with-events', cwd);
    expect(r.code).toBe(0);
    for (const n of [1, 2, 3]) {
      expect(r.stdout).toContain(`[task ${n}] #1 task.queued`);
      expect(r.stdout).toMatch(new RegExp(`\\[task ${n}\\] #\\d+ task.completed`));
    }
    expect(r.stdout).toContain('run_command {"command":"echo hello from a batch"}');
    expect(r.stdout).toContain('Statistics: 3/3 succeeded');
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });
});
