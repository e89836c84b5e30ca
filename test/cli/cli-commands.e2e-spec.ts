import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as yaml from 'js-yaml';
import type { TaskResponse } from '../../src/contracts/task.types';
import { packageVersion } from '../../src/common/package-info';
import { eventually } from '../support/eventually';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { CapturedStream, FakeSignals, runCommand } from './support/cli-harness';

const QUIET: NodeJS.ProcessEnv = { AGENT_RUNNER_LOG_LEVEL: 'silent' };

describe('agent-runner CLI commands (CommandTestFactory)', () => {
  let cwd: string;
  const run = (args: string[], extra: Omit<Parameters<typeof runCommand>[1], 'cwd'> = {}) =>
    runCommand(args, { cwd, env: QUIET, ...extra });

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'agent-runner-cli-'));
    writeFileSync(join(cwd, 'README.md'), '# Demo\n\nA demo project.\n');
    mkdirSync(join(cwd, 'sub'));
    writeFileSync(join(cwd, 'sub', 'notes.md'), 'marker-42\n');
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  describe('task', () => {
    it('runs with no configuration (offline model), prints the summary, exits 0, leaves no ./data', async () => {
      const r = await run(['task', 'list the files in .']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('README.md');
      expect(r.stdout).toContain('[offline]');
      expect(r.stderr).toContain('model offline (built-in planner, no AI)');
      expect(r.stderr).toMatch(/\[agent-runner\] ▸ 3 list_files \./);
      expect(r.stderr).toMatch(/\[agent-runner\] ✓ 3 list_files \. \(\d+ ms\)/);
      expect(r.stderr).toMatch(/✓ completed in .* · 5 steps · 3 model calls · 1 tool call/);
      expect(existsSync(join(cwd, 'data'))).toBe(false);
    });

    it('joins unquoted words into one task', async () => {
      const r = await run(['task', '-q', 'read', 'README.md']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('A demo project.');
      expect(r.stderr).toBe('');
    });

    it('-o json prints only the TaskResponse on stdout', async () => {
      const r = await run(['task', '-o', 'json', 'read README.md']);
      expect(r.code).toBe(0);
      const task = JSON.parse(r.stdout) as TaskResponse;
      expect(task).toEqual(
        expect.objectContaining({
          status: 'completed',
          task: 'read README.md',
          steps: expect.any(Array),
        }),
      );
      expect(r.stderr).toContain('✓ completed');
    });

    it('-o verbose prints the plan and every step on stdout, then the result', async () => {
      const r = await run(['task', '--output', 'verbose', 'list the files in .']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^model offline/);
      expect(r.stdout).toContain('Plan: [offline] list the folder .');
      expect(r.stdout).toMatch(/✓ 3 list_files \. \(\d+ ms\)\n {4}/);
      expect(r.stdout).toMatch(/completed in .* · 5 steps/);
      expect(r.stderr).toBe('');
    });

    it('-w sets the working directory; --store sqlite keeps tasks in ./data', async () => {
      const r = await run(['task', '-w', 'sub', '--store', 'sqlite', '-q', 'list the files in .']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('notes.md');
      expect(r.stdout).not.toContain('README.md');
      expect(existsSync(join(cwd, 'data', 'agent-runner.db'))).toBe(true);
    });

    it('a task that times out exits 1 (--timeout)', async () => {
      const r = await run(['task', '--timeout', '1', '-o', 'json', 'run `sleep 5`']);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.stdout)).toEqual(
        expect.objectContaining({
          status: 'timeout',
          error: expect.objectContaining({ code: 'TASK_TIMEOUT' }),
        }),
      );
      expect(r.stderr).toMatch(/✗ timeout in [^\n]* · 1 tool call\n/);
      // The reason is told once.
      expect(r.stderr.match(/The task did not finish within 1 s\./g)).toEqual([
        'The task did not finish within 1 s.',
      ]);
      expect(r.stderr).toContain('Task timeout: TASK_TIMEOUT: The task did not finish within 1 s.');
      expect(r.stderr).toMatch(/✗ 3 run_command sleep 5 \([^)]+\): TASK_TIMEOUT\n/);
    });

    it('a command that exits non-zero completes without success and exits 1', async () => {
      const failed = await run(['task', 'run `false`']);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toBe('[offline] Ran `false`: exit code 1.\n');
      expect(failed.stderr).toMatch(/✗ completed, goal not met, in .* · 1 tool call\n/);
      expect(failed.stderr).not.toMatch(/✓ completed/);
      const ok = await run(['task', '-q', 'run `true`']);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toBe('[offline] Ran `true`: exit code 0.\n');
      // The README's CI idiom sees the failure.
      expect(failed.code === 0 ? 'passed' : 'tests failed').toBe('tests failed');
    });

    it('a cancelled task says why once, and counts the command it cut short', async () => {
      const signals = new FakeSignals();
      const r = await run(['task', 'run `sleep 30`'], {
        signals,
        during: async (io) => {
          await eventually(() =>
            expect((io.streams.stderr as CapturedStream).text).toContain(
              '▸ 3 run_command sleep 30',
            ),
          );
          signals.interrupt();
        },
      });
      expect(r.code).toBe(130);
      expect(r.stdout).toBe('');
      expect(r.stderr.match(/Cancelled by request\./g)).toHaveLength(1);
      expect(r.stderr).toMatch(/✗ 3 run_command sleep 30 \([^)]+\): TASK_CANCELLED\n/);
      expect(r.stderr).toMatch(/⊘ cancelled in [^\n]* · 3 steps · 2 model calls · 1 tool call\n/);
      expect(r.stderr).toContain('Task cancelled: TASK_CANCELLED: Cancelled by request.\n');
    });

    it('prints a model answer once, not its summary and then the same details', async () => {
      const fake = await FakeOpenAIServer.start();
      try {
        fake.enqueue(
          fakeReply.text('The README describes a demo.\n\nIt has one heading.\n\nOUTCOME: DONE'),
        );
        const r = await run(['task', '-q', 'summarize README.md'], {
          env: {
            ...QUIET,
            AGENT_RUNNER_MODEL_PROVIDER: 'openai',
            AGENT_RUNNER_MODEL_ENDPOINT: fake.url,
            AGENT_RUNNER_API_KEY: 'sk-test-cli-key-0002',
            AGENT_RUNNER__EXECUTION__PLANNING: 'false',
          },
        });
        expect(r.code).toBe(0);
        expect(r.stdout).toBe('The README describes a demo.\n\nIt has one heading.\n');
      } finally {
        await fake.close();
      }
    });

    it('Ctrl-C cancels the running task and exits 130; a second Ctrl-C asks to leave at once', async () => {
      const signals = new FakeSignals();
      const r = await run(['task', '-o', 'json', 'run `sleep 30`'], {
        signals,
        during: async (io) => {
          await eventually(() =>
            expect((io.streams.stderr as CapturedStream).text).toContain(
              '▸ 3 run_command sleep 30',
            ),
          );
          signals.interrupt();
          signals.interrupt();
        },
      });
      expect(r.code).toBe(130);
      expect(signals.exits).toEqual([130]);
      expect(signals.listening).toBe(0);
      const task = JSON.parse(r.stdout) as TaskResponse;
      expect(task.status).toBe('cancelled');
      expect(task.error?.code).toBe('TASK_CANCELLED');
      expect(r.stderr).toContain('Interrupted: cancelling the task');
    });

    it('on a terminal, progress is one live line redrawn in place', async () => {
      const r = await run(['task', 'run `sleep 0.4`'], { terminal: true });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('\r\x1b[2K');
      expect(r.stderr).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] 3 run_command sleep 0.4/);
      expect(r.stderr).not.toContain('[agent-runner]');
    });

    it('uses a configured model; a model failure exits 1 with the error on stderr', async () => {
      const fake = await FakeOpenAIServer.start();
      try {
        const env = {
          ...QUIET,
          AGENT_RUNNER_MODEL_PROVIDER: 'openai',
          AGENT_RUNNER_MODEL_ENDPOINT: fake.url,
          AGENT_RUNNER_API_KEY: 'sk-test-cli-key-0001',
          AGENT_RUNNER__MODEL__MAX_RETRIES: '0',
          AGENT_RUNNER__EXECUTION__PLANNING: 'false',
        };
        fake.enqueue(
          fakeReply.toolCall('read_file', { path: 'README.md' }),
          fakeReply.text('A demo, read by the model.'),
        );
        const ok = await run(['task', '--model', 'my-model', 'summarize README.md'], { env });
        expect(ok.code).toBe(0);
        expect(ok.stdout).toContain('A demo, read by the model.');
        expect(ok.stderr).toContain('model openai/my-model');
        expect(fake.chatRequests[0].body.model).toBe('my-model');
        expect(fake.chatRequests[0].bearer).toBe('sk-test-cli-key-0001');

        fake.enqueue(fakeReply.serverError());
        const failed = await run(['task', '-o', 'json', 'summarize README.md'], { env });
        expect(failed.code).toBe(1);
        expect(JSON.parse(failed.stdout).status).toBe('failed');
        expect(failed.stderr).toMatch(/✗ 1 Ask the model \(round 1\) \(\d+ ms\)\n/);
        expect(failed.stderr).toMatch(/✗ failed in .* · 1 step · 0 model calls · 0 tool calls\n/);
        expect(failed.stderr.match(/openai answered HTTP 500/g)).toHaveLength(1);
        expect(failed.stderr).toContain('Task failed: MODEL_ERROR: openai answered HTTP 500');
        fake.enqueue(fakeReply.serverError());
        const text = await run(['task', '-q', 'summarize README.md'], { env });
        expect(text.code).toBe(1);
        expect(text.stderr).toBe(
          'Task failed: MODEL_ERROR: openai answered HTTP 500: The server had an error while processing your request.\n',
        );
        expect(text.stdout).toBe('');

        const offline = await run(['task', '--provider', 'offline', '-q', 'read README.md'], {
          env,
        });
        expect(offline.code).toBe(0);
        expect(fake.chatRequests).toHaveLength(4);
      } finally {
        await fake.close();
      }
    });
  });

  describe('usage and configuration errors exit 2', () => {
    it.each([
      [['task'], /missing required argument 'text'/],
      [['task', '--max-steps', '0', 'x'], /option '--max-steps <n>' argument '0' is invalid/],
      [['task', '--output', 'yaml', 'x'], /expected one of: text, verbose, json/],
      [['task', '--store', 'redis', 'x'], /expected one of: sqlite, memory/],
      [['task', '--nope', 'x'], /unknown option '--nope'/],
      [['task', '-w', 'missing-dir', 'x'], /working directory not found/],
      [['task', '--provider', 'nope', 'x'], /model.provider: provider must be one of/],
      [['task', '-c', 'missing.toml', 'x'], /config file not found/],
      [['bogus'], /unknown command 'bogus'/],
      [[], /Usage: agent-runner/],
      [['config'], /Usage: agent-runner config/],
    ])('%j', async (args, message) => {
      const r = await run(args as string[]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    });

    it('a bad config file lists every problem', async () => {
      writeFileSync(join(cwd, 'bad.toml'), '[execution]\nmax_steps = 0\n[tools]\ntypo = true\n');
      const r = await run(['task', '-c', 'bad.toml', 'list .']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('execution.max_steps');
      expect(r.stderr).toContain('tools.typo');
    });

    it('--help and --version exit 0 on stdout', async () => {
      const help = await run(['task', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('Usage: agent-runner task [options] <text...>');
      expect(help.stdout).toContain('--max-steps <n>');
      const version = await run(['--version']);
      expect(version.code).toBe(0);
      expect(version.stdout).toBe(`${packageVersion()}\n`);
    });
  });

  describe('tools and config', () => {
    it('tools lists the enabled tools and the sandbox; -o json is the /tools answer', async () => {
      const text = await run(['tools']);
      expect(text.code).toBe(0);
      for (const name of [
        'read_file',
        'write_file',
        'edit_file',
        'list_files',
        'search_files',
        'run_command',
      ]) {
        expect(text.stdout).toContain(name);
      }
      expect(text.stdout).toMatch(/commands run (in the bubblewrap sandbox|without an OS sandbox)/);
      const json = JSON.parse((await run(['tools', '-o', 'json'])).stdout);
      expect(json.tools).toHaveLength(6);
      expect(json.sandbox).toEqual(expect.objectContaining({ mode: expect.any(String) }));
      writeFileSync(join(cwd, 'config.toml'), '[tools]\nenable_command_execution = false\n');
      const narrowed = JSON.parse((await run(['tools', '-o', 'json'])).stdout);
      expect(narrowed.tools.map((t: { name: string }) => t.name)).not.toContain('run_command');
    });

    it('config show prints the effective configuration with secrets redacted', async () => {
      const env = {
        ...QUIET,
        AGENT_RUNNER_MODEL_PROVIDER: 'openai',
        AGENT_RUNNER_API_KEY: 'sk-test-very-secret-value-9876',
      };
      const text = await run(['config', 'show'], { env });
      expect(text.code).toBe(0);
      expect(text.stdout).not.toContain('sk-test-very-secret-value-9876');
      const shown = yaml.load(text.stdout) as {
        model: Record<string, unknown>;
        tools: Record<string, unknown>;
      };
      expect(shown.model).toEqual(
        expect.objectContaining({ provider: 'openai', api_key: '****9876', api_key_set: true }),
      );
      expect(shown.tools.working_directory).toBe(cwd);
      const json = await run(['config', 'show', '-o', 'json'], { env });
      expect(JSON.parse(json.stdout).model.api_key).toBe('****9876');
      expect(json.stdout).not.toContain('sk-test-very-secret-value-9876');
    });

    it('config validate [file]: 0 when valid, 2 with every problem when not', async () => {
      writeFileSync(join(cwd, 'good.toml'), '[model]\ntemperature = 5\n');
      writeFileSync(join(cwd, 'bad.yaml'), 'execution:\n  max_steps: many\nservice:\n  typo: 1\n');
      const good = await run(['config', 'validate', 'good.toml']);
      expect(good.code).toBe(0);
      expect(good.stdout).toContain(`valid: ${join(cwd, 'good.toml')} (with the environment)`);
      expect(good.stdout).toContain('model.temperature');
      const bad = await run(['config', 'validate', 'bad.yaml', '-o', 'json']);
      expect(bad.code).toBe(2);
      const report = JSON.parse(bad.stdout);
      expect(report.valid).toBe(false);
      expect(report.errors.map((e: { path: string }) => e.path)).toEqual(
        expect.arrayContaining(['execution.max_steps', 'service.typo']),
      );
      const missing = await run(['config', 'validate', 'nope.toml']);
      expect(missing.code).toBe(2);
      expect(missing.stdout).toContain('config file not found');
    });

    it('config validate checks the environment too, unless --no-env', async () => {
      writeFileSync(join(cwd, 'config.toml'), '[execution]\nmax_steps = 3\n');
      const env = { AGENT_RUNNER_MAX_STEPS: 'many' };
      const withEnv = await run(['config', 'validate'], { env });
      expect(withEnv.code).toBe(2);
      expect(withEnv.stdout).toContain('AGENT_RUNNER_MAX_STEPS: expected an integer');
      const fileOnly = await run(['config', 'validate', '--no-env'], { env });
      expect(fileOnly.code).toBe(0);
      expect(fileOnly.stdout).toContain(`valid: ${join(cwd, 'config.toml')}\n`);
    });

    it('serve with a bad configuration exits 2 without listening', async () => {
      writeFileSync(join(cwd, 'bad.toml'), '[service]\nbind_address = "nowhere"\n');
      const r = await run(['serve', '-c', join(cwd, 'bad.toml')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('service.bind_address');
    });
  });

  describe('interactive', () => {
    it('reads lines from stdin: help, tools, a task, config, exit', async () => {
      const stdin = new PassThrough();
      stdin.end('help\ntools\n\nlist the files in .\nconfig\nexit\nread README.md\n');
      const r = await run(['interactive'], { stdin });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Type a task in plain language');
      expect(r.stdout).toMatch(/run_command\s+/);
      expect(r.stdout).toContain('README.md');
      expect(r.stdout).toContain('effective_provider: offline');
      // Nothing after exit runs.
      expect(r.stdout).not.toContain('A demo project.');
      expect(r.stderr).toContain('Type help for commands');
    });

    it('-o json prints one TaskResponse per line; end of input leaves with 0', async () => {
      const stdin = new PassThrough();
      stdin.end('read README.md\nlist the files in sub\n');
      const r = await run(['interactive', '-o', 'json', '-q'], { stdin });
      expect(r.code).toBe(0);
      const tasks = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as TaskResponse);
      expect(tasks.map((t) => [t.task, t.status])).toEqual([
        ['read README.md', 'completed'],
        ['list the files in sub', 'completed'],
      ]);
      // -q: results only, no banner.
      expect(r.stderr).toBe('');
    });

    it('Ctrl-C cancels the running task, not the loop; twice on an idle prompt leaves with 130', async () => {
      const signals = new FakeSignals();
      const stdin = new PassThrough();
      stdin.write('run `sleep 30`\n');
      const r = await run(['interactive'], {
        stdin,
        signals,
        during: async (io) => {
          const err = io.streams.stderr as CapturedStream;
          const out = io.streams.stdout as CapturedStream;
          await eventually(() => expect(err.text).toContain('▸ 3 run_command sleep 30'));
          signals.interrupt();
          await eventually(() => expect(err.text).toContain('Task cancelled: TASK_CANCELLED'));
          stdin.write('read README.md\n');
          await eventually(() => expect(out.text).toContain('A demo project.'));
          signals.interrupt();
          signals.interrupt();
        },
      });
      expect(r.code).toBe(130);
      expect(signals.exits).toEqual([]);
      expect(r.stderr).toContain('(Ctrl-C again to leave, or type exit)');
    });
  });
});
