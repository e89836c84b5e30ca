import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxMode } from '../../src/config/config.schema';
import { PidsCgroups } from '../../src/execution/process/pids-cgroups.service';
import { eventually } from '../support/eventually';
import {
  bwrapUnavailableReason,
  createExecutionHarness,
  ExecutionHarness,
  SECRET_VALUE,
} from './support/execution-harness';

/** Live processes whose command line contains `needle`. */
function processesMatching(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmd.includes(needle) && state !== 'Z') found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

/** Passes once no live process matches `needle`, within the 2 s a kill may take to show. */
async function expectNoneLeft(needle: string): Promise<void> {
  await eventually(() => expect(processesMatching(needle)).toEqual([]), {
    timeoutMs: 2000,
    intervalMs: 100,
    what: `no process running ${needle}`,
  });
}

const bwrapMissing = bwrapUnavailableReason();
if (bwrapMissing) console.warn(`process control under bubblewrap skipped: ${bwrapMissing}`);
const modes: SandboxMode[] = bwrapMissing ? ['none'] : ['none', 'bwrap'];

describe.each(modes)('process control (sandbox %s)', (sandbox) => {
  let h: ExecutionHarness;
  const tag = (n: number) => `${sandbox === 'none' ? 31 : 32}${n}.5`;

  beforeAll(async () => {
    h = await createExecutionHarness({
      config: {
        execution: { sandbox, allow_unsandboxed_commands: sandbox === 'none' },
        tools: {
          command_max_processes: 64,
          command_memory_mb: 512,
          command_cpu_seconds: 2,
          command_max_file_size_mb: 1,
        },
      },
    });
    expect(h.probe.status().mode).toBe(sandbox);
  });
  afterAll(() => h.close());

  it('a timeout kills the command, its grandchildren and background jobs', async () => {
    const s = tag(1);
    const out = await h.call('run_command', {
      command: `sleep ${s} & (sleep ${s} &) ; nohup sleep ${s} >/dev/null 2>&1 & sleep ${s}`,
      timeout_seconds: 1,
    });
    expect(out).toMatchObject({ status: 'error', data: { timed_out: true } });
    await expectNoneLeft(`sleep ${s}`);
  });

  it('processes that leave the process group are found and killed too', async () => {
    const s = tag(2);
    const out = await h.call('run_command', {
      command: `setsid sleep ${s} & setsid -f sleep ${s}; sleep ${s}`,
      timeout_seconds: 1,
    });
    expect(out.data).toMatchObject({ timed_out: true });
    await expectNoneLeft(`sleep ${s}`);
  });

  it('aborting the task signal kills everything at once', async () => {
    const s = tag(3);
    const ac = new AbortController();
    const started = Date.now();
    const pending = h.call(
      'run_command',
      { command: `sleep ${s} & sleep ${s} & wait`, timeout_seconds: 60 },
      { signal: ac.signal },
    );
    await eventually(() => expect(processesMatching(`sleep ${s}`)).not.toEqual([]));
    ac.abort();
    const out = await pending;
    expect(out.data).toMatchObject({ aborted: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    await expectNoneLeft(`sleep ${s}`);
  });

  it('background jobs do not outlive a command that exits normally', async () => {
    const s = tag(4);
    const out = await h.call('run_command', { command: `sleep ${s} & echo started` });
    expect(out).toMatchObject({ status: 'ok', data: { stdout: 'started\n' } });
    await expectNoneLeft(`sleep ${s}`);
  });

  it('the task deadline caps the timeout', async () => {
    const out = await h.call(
      'run_command',
      { command: 'sleep 30' },
      { deadline: Date.now() + 800 },
    );
    expect(out.data).toMatchObject({ timed_out: true });
    expect(out.output).toContain('task deadline');
  });

  it('a fork bomb ends the command, not the service', async () => {
    const started = Date.now();
    const out = await h.call('run_command', {
      command: 'b(){ b | b & }; b; sleep 8',
      timeout_seconds: 10,
    });
    expect(out.status).toBe('error');
    if (h.module.get(PidsCgroups).available()) {
      // The kernel capped the group and the runner stopped the command as soon as a fork failed.
      expect(out.data).toMatchObject({ limit_exceeded: 'processes', timed_out: false });
      expect(Date.now() - started).toBeLessThan(8000);
    }
    await expectNoneLeft('sleep 8');
    const after = await h.call('run_command', { command: 'echo alive' });
    expect(after).toMatchObject({ status: 'ok', data: { stdout: 'alive\n' } });
  }, 30_000);

  it('a runaway allocation fails inside the command', async () => {
    await h.call('write_file', {
      path: 'alloc.js',
      content: 'const a = []; for (;;) a.push(Buffer.alloc(64 * 1024 * 1024, 1));\n',
    });
    const out = await h.call('run_command', { command: 'node alloc.js', timeout_seconds: 20 });
    expect(out.status).toBe('error');
    expect(out.data).toMatchObject({ timed_out: false });
  }, 30_000);

  it('CPU time and file size are limited', async () => {
    const cpu = await h.call('run_command', {
      command: 'while :; do :; done',
      timeout_seconds: 20,
    });
    expect(cpu.data).toMatchObject({ timed_out: false, exit_code: 128 + 24 });
    const big = await h.call('run_command', { command: 'head -c 5000000 /dev/zero > big.bin' });
    expect(big.status).toBe('error');
    expect(statSync(join(h.workspace, 'big.bin')).size).toBeLessThanOrEqual(1024 * 1024);
  }, 30_000);

  it('the command sees a scrubbed environment with the task variables only', async () => {
    const out = await h.call(
      'run_command',
      { command: 'env' },
      {
        environment: {
          TASK_VAR: 'yes',
          LD_PRELOAD: '/tmp/evil.so',
          NODE_OPTIONS: '--require /tmp/x',
        },
      },
    );
    const env = out.data!.stdout as string;
    expect(env).toContain('TASK_VAR=yes');
    expect(env).not.toMatch(/LD_PRELOAD|NODE_OPTIONS|AGENT_RUNNER_API_KEY|OPENAI|JEST|npm_/);
    expect(env).not.toContain(SECRET_VALUE);
    const names = env
      .trim()
      .split('\n')
      .map((l) => l.split('=')[0]);
    expect(names.sort()).toEqual(expect.arrayContaining(['HOME', 'PATH', 'TMPDIR']));
    expect(names.length).toBeLessThanOrEqual(14);
  });

  it('stdin is closed', async () => {
    const out = await h.call('run_command', { command: 'cat', timeout_seconds: 5 });
    expect(out).toMatchObject({ status: 'ok', data: { stdout: '', timed_out: false } });
  });
});
