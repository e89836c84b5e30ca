import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpApp } from '../../src/app/create-http-app';
import { ConfigValidationError } from '../../src/config/config.validation';
import { runCommand } from './support/cli-harness';

const QUIET: NodeJS.ProcessEnv = { AGENT_RUNNER_LOG_LEVEL: 'silent' };

interface Report {
  valid: boolean;
  errors: { path: string; message: string }[];
  warnings: { path: string; message: string }[];
}

/**
 * `agent-runner config validate` runs exactly the checks start-up runs: what it calls invalid
 * refuses to start, what it calls valid starts, and each problem is listed once.
 */
describe('config validate and start-up agree', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'agent-runner-validate-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  async function validate(toml: string, env: NodeJS.ProcessEnv = {}) {
    writeFileSync(join(cwd, 'config.toml'), toml);
    const r = await runCommand(['config', 'validate', '-o', 'json'], {
      cwd,
      env: { ...QUIET, ...env },
    });
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  }

  /** What `serve` does with the same file and environment: the problems it refuses, or none. */
  async function startUp(env: NodeJS.ProcessEnv = {}): Promise<string[] | 'started'> {
    try {
      const app = await createHttpApp({
        cwd,
        env: { ...QUIET, ...env },
        dotenv: false,
        overrides: { storage: { driver: 'memory' } },
      });
      await app.close();
      return 'started';
    } catch (e) {
      if (!(e instanceof ConfigValidationError)) throw e;
      return e.issues.map((i) => i.path);
    }
  }

  it.each([
    ['a public bind without keys', '[service]\nbind_address = "0.0.0.0:8080"\n', {}],
    [
      'a bad port among other errors',
      '[service]\nbind_address = "127.0.0.1:99999"\nmax_concurrent_tasks = 0\n[execution]\nmax_steps = "many"\n',
      {},
    ],
    ['a value of the wrong type', '[service]\nmax_concurrent_tasks = "ten"\n', {}],
    ['a bad environment variable', '', { AGENT_RUNNER_MAX_STEPS: 'lots' }],
    [
      'keys on a public bind',
      '[service]\nbind_address = "0.0.0.0:0"\n[[service.auth.api_keys]]\nname = "ci"\nkey = "test-ci-key-000000000001"\nrole = "user"\n',
      {},
    ],
    ['the defaults', '', {}],
    ['a provider without its key', '[model]\nprovider = "deepseek"\n', {}],
  ])('%s: same verdict, same problems', async (_name, toml, env) => {
    const { code, report } = await validate(toml, env);
    const started = await startUp(env);
    if (report.valid) {
      expect(code).toBe(0);
      expect(started).toBe('started');
    } else {
      expect(code).toBe(2);
      expect(started).toEqual(report.errors.map((e) => e.path));
    }
    // Each problem once.
    const paths = report.errors.map((e) => e.path);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('refuses a public bind without keys, as start-up does', async () => {
    const { code, report } = await validate('[service]\nbind_address = "0.0.0.0:8080"\n');
    expect(code).toBe(2);
    expect(report.errors).toEqual([
      {
        path: 'service.bind_address',
        message: expect.stringMatching(/^Refusing to start: binding 0\.0\.0\.0/),
      },
    ]);
  });

  it('keeps the bad port when other errors are present', async () => {
    const { report } = await validate(
      '[service]\nbind_address = "127.0.0.1:99999"\nmax_concurrent_tasks = 0\n',
    );
    expect(report.errors.map((e) => e.path).sort()).toEqual([
      'service.bind_address',
      'service.max_concurrent_tasks',
    ]);
  });

  it('gives one message for one type error', async () => {
    const { report } = await validate('[service]\nmax_concurrent_tasks = "ten"\n');
    expect(report.errors).toEqual([
      {
        path: 'service.max_concurrent_tasks',
        message: 'max_concurrent_tasks must be an integer number',
      },
    ]);
  });

  it('warns about a provider that needs a key and has none (start-up logs the same)', async () => {
    const { code, report } = await validate('[model]\nprovider = "deepseek"\n');
    expect(code).toBe(0);
    expect(report.warnings).toEqual([
      {
        path: 'model.api_key',
        message: expect.stringContaining(
          'no API key for provider "deepseek": set model.api_key or DEEPSEEK_API_KEY',
        ),
      },
    ]);
    const withKey = await validate('[model]\nprovider = "deepseek"\n', {
      DEEPSEEK_API_KEY: 'sk-test-deepseek-0001',
    });
    expect(withKey.report.warnings).toEqual([]);
  });

  it('prints text with each problem and warning on its own line', async () => {
    writeFileSync(join(cwd, 'config.toml'), '[service]\nmax_concurrent_tasks = "ten"\n');
    const r = await runCommand(['config', 'validate'], { cwd, env: QUIET });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(
      `invalid: ${join(cwd, 'config.toml')}\n  - service.max_concurrent_tasks: max_concurrent_tasks must be an integer number\n`,
    );
  });
});
