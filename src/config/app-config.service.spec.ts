import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfigService } from './app-config.service';
import { loadConfig } from './config.loader';
import { ConfigValidationError } from './config.validation';

describe('AppConfigService (live layer)', () => {
  const make = (env: NodeJS.ProcessEnv = {}) =>
    new AppConfigService(loadConfig({ env, dotenv: false, cwd: '/nonexistent' }));

  it('applies a valid update, notifies subscribers of the changed sections only', () => {
    const sut = make();
    const seen: string[][] = [];
    const modelOnly: number[] = [];
    sut.changes$.subscribe((c) => seen.push(c.sections));
    sut.onChange('model', (c) => modelOnly.push(c.current.model.max_tokens));
    sut.update({ execution: { max_steps: 4 } });
    sut.update({ model: { max_tokens: 99 } });
    expect(sut.get('execution').max_steps).toBe(4);
    expect(seen).toEqual([['execution'], ['model']]);
    expect(modelOnly).toEqual([99]);
  });

  it('changes nothing when an update is invalid, and lists every problem', () => {
    const sut = make();
    const before = sut.all;
    let err: ConfigValidationError | undefined;
    try {
      sut.update({
        model: { provider: 'nope' as never, temperature: -1 },
        execution: { max_steps: 0 },
      });
    } catch (e) {
      err = e as ConfigValidationError;
    }
    expect(err?.issues.map((i) => i.path).sort()).toEqual([
      'execution.max_steps',
      'model.provider',
      'model.temperature',
    ]);
    expect(sut.all).toBe(before);
  });

  it('refuses live changes of start-up-only keys', () => {
    const sut = make();
    expect(() => sut.update({ service: { bind_address: '127.0.0.1:9' } })).toThrow(/start-up/);
    expect(() => sut.update({ storage: { driver: 'memory' } })).toThrow(/start-up/);
    // Re-sending the current value is not a change.
    expect(() => sut.update({ service: { bind_address: '127.0.0.1:8080' } })).not.toThrow();
  });

  it('resolves the provider and key: offline by default, openai with a key, provider variables as fallback', () => {
    expect(make().effectiveProvider()).toBe('offline');
    expect(make({ OPENAI_API_KEY: 'sk-test-openai-0000' }).effectiveProvider()).toBe('openai');
    const zhipu = make({
      AGENT_RUNNER_MODEL_PROVIDER: 'zhipu',
      ZHIPU_API_KEY: 'zhipu-test-key-0000',
    });
    expect(zhipu.effectiveProvider()).toBe('zhipu');
    expect(zhipu.modelApiKey()).toBe('zhipu-test-key-0000');
  });

  it('redacts every secret wherever config is shown', () => {
    const sut = make({
      AGENT_RUNNER_API_KEY: 'model-secret-value-1234',
      AGENT_RUNNER_ADMIN_KEYS: 'root=admin-secret-value-5678',
    });
    const shown = JSON.stringify(sut.redacted());
    expect(shown).not.toContain('model-secret-value-1234');
    expect(shown).not.toContain('admin-secret-value-5678');
    expect(shown).toContain('"api_key":"****1234"');
    expect(shown).toContain('"api_key_set":true');
    expect(sut.secrets()).toEqual(
      expect.arrayContaining(['model-secret-value-1234', 'admin-secret-value-5678']),
    );
  });

  it('knows a model key set by a live update as a secret from then on', () => {
    const sut = make({ AGENT_RUNNER_API_KEY: 'model-secret-value-1234' });
    expect(sut.secrets()).toContain('model-secret-value-1234');
    sut.update({ model: { api_key: 'rotated-secret-value-9876' } });
    expect(sut.secrets()).toContain('rotated-secret-value-9876');
    expect(sut.secrets()).not.toContain('model-secret-value-1234');
  });
});

describe('AppConfigService persistence (service.persist_config_updates)', () => {
  it('writes live updates into the file on top of its own content, never values from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-runner-persist-'));
    try {
      writeFileSync(
        join(dir, 'config.toml'),
        '[service]\nmax_concurrent_tasks = 2\npersist_config_updates = true\n',
      );
      const sut = new AppConfigService(
        loadConfig({
          cwd: dir,
          dotenv: false,
          env: {
            AGENT_RUNNER_ADMIN_KEYS: 'root=env-admin-key-0123456789',
            AGENT_RUNNER_API_KEY: 'sk-test-env-model-key',
          },
        }),
      );
      sut.update({ execution: { max_steps: 5 }, model: { model_name: 'gpt-test' } });
      sut.update({ model: { model_name: null as unknown as string } });
      const written = readFileSync(join(dir, 'config.toml'), 'utf8');
      expect(written).toContain('max_concurrent_tasks = 2');
      expect(written).toContain('max_steps = 5');
      expect(written).not.toContain('model_name');
      expect(written).not.toContain('env-admin-key');
      expect(written).not.toContain('sk-test-env-model-key');
      const reloaded = loadConfig({ cwd: dir, dotenv: false, env: {} }).config;
      expect(reloaded.execution.max_steps).toBe(5);
      expect(reloaded.service.max_concurrent_tasks).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
