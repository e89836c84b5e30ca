import { MODEL_PROVIDERS, ModelConfig } from '../config/config.schema';
import { PROVIDER_PROFILES, resolveModelSettings } from './model-providers';

function model(values: Partial<ModelConfig> = {}): ModelConfig {
  return Object.assign(new ModelConfig(), values);
}

describe('resolveModelSettings', () => {
  it.each([
    ['openai', 'https://api.openai.com/v1', 'gpt-4o-mini'],
    ['zhipu', 'https://open.bigmodel.cn/api/paas/v4', 'glm-4'],
    ['deepseek', 'https://api.deepseek.com/v1', 'deepseek-chat'],
    ['moonshot', 'https://api.moonshot.cn/v1', 'moonshot-v1-8k'],
    ['qwen', 'https://dashscope.aliyuncs.com/compatible-mode/v1', 'qwen-plus'],
    ['aliyun', 'https://dashscope.aliyuncs.com/compatible-mode/v1', 'qwen-plus'],
    ['anthropic', 'https://api.anthropic.com/v1', 'claude-sonnet-4-5'],
    ['ollama', 'http://localhost:11434/v1', 'llama3.1'],
  ] as const)('%s defaults to %s and %s', (provider, endpoint, name) => {
    const s = resolveModelSettings(provider, model(), 'k-123456');
    expect(s).toMatchObject({
      provider,
      endpoint,
      model: name,
      apiKey: 'k-123456',
      toolProtocol: 'native',
    });
    expect(s.notConfigured).toBeUndefined();
  });

  it('covers every configurable provider except offline', () => {
    expect(Object.keys(PROVIDER_PROFILES).sort()).toEqual(
      MODEL_PROVIDERS.filter((p) => p !== 'offline').sort(),
    );
  });

  it('model.endpoint and model.model_name override the defaults (trailing slashes dropped)', () => {
    const s = resolveModelSettings(
      'openai',
      model({ endpoint: 'http://10.0.0.5:8000/v1//', model_name: 'my-model' }),
      'k',
    );
    expect(s).toMatchObject({ endpoint: 'http://10.0.0.5:8000/v1', model: 'my-model' });
  });

  it.each(['openai', 'zhipu', 'deepseek', 'moonshot', 'qwen', 'anthropic'] as const)(
    '%s without a key is not configured and names its key variable',
    (provider) => {
      const s = resolveModelSettings(provider, model(), undefined);
      expect(s.notConfigured).toContain('model.api_key');
      expect(s.notConfigured).toContain(PROVIDER_PROFILES[provider].keyVariable!);
    },
  );

  it('ollama needs no key', () => {
    expect(resolveModelSettings('ollama', model(), undefined).notConfigured).toBeUndefined();
  });

  it('local needs an endpoint, takes the key as optional and uses the json protocol under auto', () => {
    expect(
      resolveModelSettings('local', model({ model_name: 'm' }), undefined).notConfigured,
    ).toMatch(/needs model\.endpoint/);
    const s = resolveModelSettings(
      'local',
      model({ endpoint: 'http://127.0.0.1:1234/v1', model_name: 'm' }),
      undefined,
    );
    expect(s).toMatchObject({ notConfigured: undefined, toolProtocol: 'json', apiKey: undefined });
  });

  it('local without model_name is not configured', () => {
    expect(
      resolveModelSettings('local', model({ endpoint: 'http://h/v1' }), undefined).notConfigured,
    ).toMatch(/model_name/);
  });

  it('an explicit tool_protocol wins over the provider default', () => {
    expect(resolveModelSettings('openai', model({ tool_protocol: 'json' }), 'k').toolProtocol).toBe(
      'json',
    );
    expect(
      resolveModelSettings(
        'local',
        model({ tool_protocol: 'native', endpoint: 'http://h/v1', model_name: 'm' }),
        undefined,
      ).toolProtocol,
    ).toBe('native');
  });

  it('carries limits in the units the client uses', () => {
    const s = resolveModelSettings(
      'openai',
      model({ timeout_seconds: 2.5, max_retries: 5, max_concurrent_requests: 7 }),
      'k',
    );
    expect(s).toMatchObject({
      timeoutMs: 2500,
      maxRetries: 5,
      maxConcurrentRequests: 7,
      maxTokens: 4000,
      temperature: 0.7,
    });
  });
});
