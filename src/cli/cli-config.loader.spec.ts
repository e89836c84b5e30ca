import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError } from '../config/config.validation';
import { CliConfigLoader } from './cli-config.loader';
import { CliEnvironment } from './cli-environment';
import { CliUsageError } from './cli-usage.error';

describe('CliConfigLoader', () => {
  let cwd: string;
  const sut = (env: NodeJS.ProcessEnv = {}) =>
    new CliConfigLoader(new CliEnvironment(env, cwd, false));

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'agent-runner-cli-config-'));
    mkdirSync(join(cwd, 'work'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  it('turns the flags into configuration', () => {
    const config = sut().load(
      { workdir: 'work', provider: 'ollama', model: 'llama3.2', maxSteps: 25, timeout: 42 },
      { memoryStoreByDefault: true },
    ).config;
    expect(config.tools.working_directory).toBe(join(cwd, 'work'));
    expect(config.model).toEqual(
      expect.objectContaining({ provider: 'ollama', model_name: 'llama3.2' }),
    );
    expect(config.execution).toEqual(
      expect.objectContaining({ max_steps: 25, timeout_seconds: 42 }),
    );
    expect(config.service.default_task_timeout).toBe(42);
  });

  it('flags win over the file and the environment', () => {
    writeFileSync(join(cwd, 'config.toml'), '[execution]\nmax_steps = 3\n');
    const config = sut({ AGENT_RUNNER_MAX_STEPS: '4' }).load(
      { maxSteps: 5 },
      { memoryStoreByDefault: true },
    ).config;
    expect(config.execution.max_steps).toBe(5);
  });

  it('keeps tasks in memory unless [storage] is configured or --store is given', () => {
    const byDefault = sut().load({}, { memoryStoreByDefault: true }).config.storage;
    expect(byDefault.driver).toBe('memory');
    const asked = sut().load({ store: 'sqlite' }, { memoryStoreByDefault: true }).config.storage;
    expect(asked).toEqual(
      expect.objectContaining({ driver: 'sqlite', path: join(cwd, 'data/agent-runner.db') }),
    );
    const configured = sut({ AGENT_RUNNER_STORAGE_PATH: 'tasks.db' }).load(
      {},
      { memoryStoreByDefault: true },
    ).config.storage;
    expect(configured).toEqual(
      expect.objectContaining({ driver: 'sqlite', path: join(cwd, 'tasks.db') }),
    );
    expect(sut().load({}, { memoryStoreByDefault: false }).config.storage.driver).toBe('sqlite');
  });

  it('resolves a relative working directory against where the command runs', () => {
    expect(sut().load({}, { memoryStoreByDefault: true }).config.tools.working_directory).toBe(cwd);
  });

  it('rejects a missing working directory and an invalid provider', () => {
    expect(() => sut().load({ workdir: 'nope' }, { memoryStoreByDefault: true })).toThrow(
      CliUsageError,
    );
    expect(() => sut().load({ provider: 'skynet' }, { memoryStoreByDefault: true })).toThrow(
      ConfigValidationError,
    );
  });
});
