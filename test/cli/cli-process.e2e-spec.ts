import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TaskResponse } from '../../src/contracts/task.types';
import { eventually } from '../support/eventually';
import { listeningUrl, PROJECT_ROOT } from '../support/server-process';

const CLI = resolve(PROJECT_ROOT, 'dist/cli.js');

interface Child {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node dist/cli.js …` as a real process: its own signals, streams and exit code. */
function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, AGENT_RUNNER_LOG_LEVEL: 'silent', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('exit', (code, signal) => ok({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Processes whose command line is exactly `command` (not the CLI that mentions it). */
function processesRunning(command: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l === command || l.endsWith(`-c ${command}`));
}

describe('the agent-runner bin as a real process', () => {
  let cwd: string;

  beforeAll(() => {
    if (!existsSync(CLI))
      throw new Error(`${CLI} is missing: run "npm run build" first (npm test does).`);
  });
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'agent-runner-bin-'));
    writeFileSync(join(cwd, 'README.md'), '# Bin demo\n\nHello from the bin test.\n');
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('is an executable node script (npx agent-runner)', () => {
    expect(readFileSync(CLI, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin['agent-runner']).toBe('dist/cli.js');
  });

  it('task -o json: stdout is exactly one parseable TaskResponse, exit 0', async () => {
    const run = cli(['task', '-o', 'json', 'read README.md'], cwd);
    expect(await run.exit).toEqual({ code: 0, signal: null });
    const task = JSON.parse(run.stdout()) as TaskResponse;
    expect(task.status).toBe('completed');
    expect(task.result!.summary + task.result!.details).toContain('Hello from the bin test.');
    expect(run.stderr()).toContain('[agent-runner] ✓ completed');
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('--version prints the product version; a CI script sees a command that failed', async () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const version = cli([flag], cwd);
      expect(await version.exit).toEqual({ code: 0, signal: null });
      expect(version.stdout()).toBe(`${pkg.version}\n`);
    }
    // The documented idiom: agent-runner task "run the tests" || echo "tests failed"
    const script = spawn(
      'sh',
      ['-c', `"${process.execPath}" "${CLI}" task -q 'run \`false\`' || echo "tests failed"`],
      {
        cwd,
        env: { PATH: process.env.PATH, HOME: cwd, AGENT_RUNNER_LOG_LEVEL: 'silent' },
      },
    );
    let out = '';
    script.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((ok) => script.once('exit', ok));
    expect(out).toBe('[offline] Ran `false`: exit code 1.\ntests failed\n');
  });

  it('exit codes: 1 for a timed-out task, 2 for bad usage and bad configuration', async () => {
    const timeout = cli(['task', '-q', '--timeout', '1', 'run `sleep 4`'], cwd);
    expect((await timeout.exit).code).toBe(1);
    expect(timeout.stderr()).toContain('Task timeout: TASK_TIMEOUT');
    const usage = cli(['task', '--max-steps', 'lots', 'x'], cwd);
    expect((await usage.exit).code).toBe(2);
    const config = cli(['task', 'x'], cwd, { AGENT_RUNNER_MAX_STEPS: 'many' });
    expect((await config.exit).code).toBe(2);
    expect(config.stderr()).toContain('AGENT_RUNNER_MAX_STEPS: expected an integer, got "many"');
  });

  it('Ctrl-C (SIGINT) cancels the running task, kills its process and exits 130', async () => {
    const command = 'sleep 31.4159';
    const run = cli(['task', '-o', 'json', `run \`${command}\``], cwd);
    await eventually(() => expect(run.stderr()).toContain(`▸ 3 run_command ${command}`), {
      timeoutMs: 15_000,
    });
    await eventually(() => expect(processesRunning(command)).not.toEqual([]), {
      timeoutMs: 15_000,
    });
    run.child.kill('SIGINT');
    expect(await run.exit).toEqual({ code: 130, signal: null });
    const task = JSON.parse(run.stdout()) as TaskResponse;
    expect(task.status).toBe('cancelled');
    expect(task.error?.code).toBe('TASK_CANCELLED');
    expect(processesRunning(command)).toEqual([]);
  });

  it('interactive reads tasks from stdin and exits 0 at the end of input', async () => {
    const run = cli(['interactive', '-o', 'json', '-q'], cwd);
    run.child.stdin!.end('read README.md\ntools\nexit\n');
    expect((await run.exit).code).toBe(0);
    const [first, ...rest] = run.stdout().trim().split('\n');
    const task = JSON.parse(first) as TaskResponse;
    expect(task.result!.summary + task.result!.details).toContain('Hello from the bin test.');
    expect(rest.join('\n')).toContain('run_command');
  });

  it('Ctrl-C in interactive cancels the task and the loop goes on', async () => {
    const run = cli(['interactive', '-o', 'json', '-q'], cwd);
    run.child.stdin!.write('run `sleep 27.1828`\n');
    await eventually(() => expect(processesRunning('sleep 27.1828')).not.toEqual([]), {
      timeoutMs: 15_000,
    });
    run.child.kill('SIGINT');
    await eventually(() => expect(run.stdout()).toContain('"status":"cancelled"'), {
      timeoutMs: 15_000,
    });
    run.child.stdin!.end('read README.md\n');
    expect((await run.exit).code).toBe(0);
    const lines = run
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TaskResponse);
    expect(lines.map((t) => t.status)).toEqual(['cancelled', 'completed']);
    expect(processesRunning('sleep 27.1828')).toEqual([]);
  });

  it('serve runs the HTTP service until SIGTERM', async () => {
    // Port 0, and the address read from the start-up line (logged at info).
    const run = cli(['serve'], cwd, {
      BIND_ADDRESS: '127.0.0.1:0',
      AGENT_RUNNER_LOG_LEVEL: 'info',
      AGENT_RUNNER_STORAGE_DRIVER: 'memory',
    });
    let url = '';
    try {
      url = await listeningUrl(run.child);
      expect((await fetch(`${url}/health/live`)).ok).toBe(true);
      const status = (await (await fetch(`${url}/api/v1/status`)).json()) as {
        name: string;
      };
      expect(status.name).toBe('agent-runner');
    } finally {
      run.child.kill('SIGTERM');
    }
    // The shutdown coordinator closes the app, logs that it is done and exits 0 (as `npm start`).
    expect(await run.exit).toEqual({ code: 0, signal: null });
    expect(
      await fetch(`${url}/health/live`).then(
        () => 'up',
        () => 'down',
      ),
    ).toBe('down');
  });

  it('npm run cli -- … runs the same bin from the repository', () => {
    const out = execFileSync('npm', ['run', '--silent', 'cli', '--', 'tools', '-o', 'json'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: cwd,
        AGENT_RUNNER_LOG_LEVEL: 'silent',
        AGENT_RUNNER_CONFIG_FILE: '',
      },
    });
    expect(JSON.parse(out).tools.map((t: { name: string }) => t.name)).toContain('read_file');
  });
});
