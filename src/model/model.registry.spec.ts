import { AppConfigService } from '../config/app-config.service';
import { PartialConfig } from '../config/config.schema';
import { loadConfig } from '../config/config.loader';
import { MetricsService } from '../metrics/metrics.service';
import { ModelMetricsRecorder } from './model-metrics.recorder';
import { ModelRegistry } from './model.registry';
import { OpenAICompatibleModel } from './openai-compatible.model';
import { ProviderLimiterRegistry } from './provider-limiter.registry';

describe('ModelRegistry', () => {
  let config: AppConfigService;
  let sut: ModelRegistry;

  function build(overrides: PartialConfig = {}, env: NodeJS.ProcessEnv = {}): void {
    config = new AppConfigService(loadConfig({ env, dotenv: false, overrides }));
    const metrics = new ModelMetricsRecorder() as unknown as MetricsService;
    sut = new ModelRegistry(config, metrics, new ProviderLimiterRegistry());
  }
  afterEach(() => sut.onModuleDestroy());

  it('with no provider and no key, the offline planner is the model and it is ready', () => {
    build();
    expect(sut.current()).toMatchObject({ provider: 'offline', offline: true });
    expect(sut.describe()).toEqual({
      provider: 'offline',
      model_name: 'offline',
      endpoint: null,
      tool_protocol: 'none',
      offline: true,
      ready: true,
      reason: expect.stringContaining('offline planner'),
    });
  });

  it('an OPENAI_API_KEY alone selects openai with its defaults, and describe never shows the key', () => {
    build({}, { OPENAI_API_KEY: 'sk-test-env-secret-0000000000' });
    const model = sut.current();
    expect(model).toBeInstanceOf(OpenAICompatibleModel);
    expect(sut.describe()).toEqual({
      provider: 'openai',
      model_name: 'gpt-4o-mini',
      endpoint: 'https://api.openai.com/v1',
      tool_protocol: 'native',
      offline: false,
      ready: true,
    });
    expect(JSON.stringify(sut.describe())).not.toContain('sk-test-env-secret');
  });

  it('a provider whose key is missing is not ready and says which variable to set', () => {
    build({ model: { provider: 'deepseek' } });
    expect(sut.describe()).toMatchObject({
      provider: 'deepseek',
      ready: false,
      reason: expect.stringContaining('DEEPSEEK_API_KEY'),
    });
    build({ model: { provider: 'deepseek' } }, { DEEPSEEK_API_KEY: 'dk-123456789' });
    expect(sut.describe()).toMatchObject({
      provider: 'deepseek',
      ready: true,
      endpoint: 'https://api.deepseek.com/v1',
    });
  });

  it('strips credentials from a shown endpoint', () => {
    build({
      model: {
        provider: 'local',
        endpoint: 'http://user:pw@10.0.0.2:8000/v1?token=abc',
        model_name: 'm',
      },
    });
    expect(sut.describe()).toMatchObject({
      endpoint: 'http://10.0.0.2:8000/v1',
      tool_protocol: 'json',
      ready: true,
    });
  });

  it('keeps one instance until the model section changes; running holders keep theirs', () => {
    build({ model: { provider: 'ollama' } });
    const before = sut.current();
    expect(sut.current()).toBe(before);
    config.update({ execution: { max_steps: 5 } });
    expect(sut.current()).toBe(before);

    config.update({ model: { model_name: 'qwen2.5' } });
    const after = sut.current();
    expect(after).not.toBe(before);
    expect(before.model).toBe('llama3.1');
    expect(after.model).toBe('qwen2.5');
    expect(sut.describe().model_name).toBe('qwen2.5');
  });

  it('a swap to a keyed provider and back to offline follows the live config', () => {
    build();
    config.update({ model: { provider: 'moonshot', api_key: 'mk-0123456789' } });
    expect(sut.describe()).toMatchObject({
      provider: 'moonshot',
      model_name: 'moonshot-v1-8k',
      ready: true,
    });
    config.update({ model: { provider: 'offline' } });
    expect(sut.current().offline).toBe(true);
  });

  describe('validateModelUpdate', () => {
    beforeEach(() => build());

    it('accepts a usable update', () => {
      expect(sut.validateModelUpdate({ provider: 'openai', api_key: 'sk-0123456789' })).toEqual([]);
      expect(
        sut.validateModelUpdate({
          provider: 'local',
          endpoint: 'http://127.0.0.1:8000/v1',
          model_name: 'm',
        }),
      ).toEqual([]);
      expect(sut.validateModelUpdate({ provider: 'offline' })).toEqual([]);
    });

    it('rejects an unknown provider (schema rule)', () => {
      expect(sut.validateModelUpdate({ provider: 'skynet' as never })).toEqual([
        expect.objectContaining({ path: 'model.provider' }),
      ]);
    });

    it('rejects local without endpoint or model, and a keyed provider without a key', () => {
      expect(sut.validateModelUpdate({ provider: 'local' })).toEqual([
        expect.objectContaining({ path: 'model.endpoint' }),
      ]);
      expect(
        sut.validateModelUpdate({ provider: 'local', endpoint: 'http://127.0.0.1:8000/v1' }),
      ).toEqual([{ path: 'model.model_name', message: 'provider "local" needs model.model_name' }]);
      expect(sut.validateModelUpdate({ provider: 'zhipu' })).toEqual([
        { path: 'model.api_key', message: expect.stringContaining('ZHIPU_API_KEY') },
      ]);
    });

    it('does not apply anything', () => {
      sut.validateModelUpdate({ provider: 'openai', api_key: 'sk-0123456789' });
      expect(sut.describe().provider).toBe('offline');
    });
  });
});
