import { ModelConfig, ModelProvider } from '../config/config.schema';

/** What the service knows about one provider (docs/models.md, Providers). */
export interface ProviderProfile {
  /** Base URL of its OpenAI-compatible API; undefined when the operator must give one. */
  endpoint?: string;
  /** Model used when `model.model_name` is unset. */
  defaultModel?: string;
  /** Whether a call without a key is refused up front (a hosted API always wants one). */
  keyRequired: boolean;
  /** Whether `tool_protocol: auto` uses native function calling. */
  nativeTools: boolean;
  /** Whether it accepts `response_format: {type: "json_object"}`. */
  jsonMode: boolean;
  /** The provider's own key variable, for messages. */
  keyVariable?: string;
}

/** The provider table of docs/models.md, Providers. */
export const PROVIDER_PROFILES: Record<Exclude<ModelProvider, 'offline'>, ProviderProfile> = {
  openai: {
    endpoint: 'https://api.openai.com/v1',
    defaultModel: 'gpt-4o-mini',
    keyRequired: true,
    nativeTools: true,
    jsonMode: true,
    keyVariable: 'OPENAI_API_KEY',
  },
  zhipu: {
    endpoint: 'https://open.bigmodel.cn/api/paas/v4',
    defaultModel: 'glm-4',
    keyRequired: true,
    nativeTools: true,
    jsonMode: false,
    keyVariable: 'ZHIPU_API_KEY',
  },
  deepseek: {
    endpoint: 'https://api.deepseek.com/v1',
    defaultModel: 'deepseek-chat',
    keyRequired: true,
    nativeTools: true,
    jsonMode: true,
    keyVariable: 'DEEPSEEK_API_KEY',
  },
  moonshot: {
    endpoint: 'https://api.moonshot.cn/v1',
    defaultModel: 'moonshot-v1-8k',
    keyRequired: true,
    nativeTools: true,
    jsonMode: true,
    keyVariable: 'MOONSHOT_API_KEY',
  },
  qwen: {
    endpoint: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    defaultModel: 'qwen-plus',
    keyRequired: true,
    nativeTools: true,
    jsonMode: true,
    keyVariable: 'DASHSCOPE_API_KEY',
  },
  aliyun: {
    endpoint: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
    defaultModel: 'qwen-plus',
    keyRequired: true,
    nativeTools: true,
    jsonMode: true,
    keyVariable: 'DASHSCOPE_API_KEY',
  },
  anthropic: {
    endpoint: 'https://api.anthropic.com/v1/',
    defaultModel: 'claude-sonnet-4-5',
    keyRequired: true,
    nativeTools: true,
    jsonMode: false,
    keyVariable: 'ANTHROPIC_API_KEY',
  },
  ollama: {
    endpoint: 'http://localhost:11434/v1',
    defaultModel: 'llama3.1',
    keyRequired: false,
    nativeTools: true,
    jsonMode: true,
    // no key variable: Ollama takes none
  },
  local: {
    keyRequired: false,
    // unknown servers: tools as a JSON action in plain text works with any chat model
    nativeTools: false,
    jsonMode: false,
  },
};

/** Everything one model instance needs, fixed when the instance is built. */
export interface ModelSettings {
  provider: Exclude<ModelProvider, 'offline'>;
  model: string;
  /** Base URL without a trailing slash. */
  endpoint: string;
  /** Never logged or shown. */
  apiKey?: string;
  toolProtocol: 'native' | 'json';
  jsonMode: boolean;
  maxTokens: number;
  temperature: number;
  timeoutMs: number;
  maxRetries: number;
  maxConcurrentRequests: number;
  /** Why calls cannot be made (missing key or endpoint); undefined when usable. */
  notConfigured?: string;
}

/**
 * Resolves a provider's endpoint, model, key and protocol from the model section.
 * `provider` is the effective provider (never offline here) and `apiKey` the key in effect.
 */
export function resolveModelSettings(
  provider: Exclude<ModelProvider, 'offline'>,
  model: ModelConfig,
  apiKey: string | undefined,
): ModelSettings {
  const profile = PROVIDER_PROFILES[provider];
  const endpoint = (model.endpoint || profile.endpoint || '').replace(/\/+$/, '');
  const modelName = model.model_name || profile.defaultModel || '';
  const problems: string[] = [];
  if (!endpoint) problems.push(`provider "${provider}" needs model.endpoint`);
  if (!modelName) problems.push(`provider "${provider}" needs model.model_name`);
  if (profile.keyRequired && !apiKey) {
    const variable = profile.keyVariable ? ` or ${profile.keyVariable}` : '';
    problems.push(`no API key for provider "${provider}": set model.api_key${variable}`);
  }
  const toolProtocol =
    model.tool_protocol === 'auto'
      ? profile.nativeTools
        ? 'native'
        : 'json'
      : model.tool_protocol;
  return {
    provider,
    model: modelName,
    endpoint,
    apiKey: apiKey || undefined,
    toolProtocol,
    jsonMode: profile.jsonMode,
    maxTokens: model.max_tokens,
    temperature: model.temperature,
    timeoutMs: Math.round(model.timeout_seconds * 1000),
    maxRetries: model.max_retries,
    maxConcurrentRequests: model.max_concurrent_requests,
    notConfigured: problems.length ? problems.join('; ') : undefined,
  };
}
