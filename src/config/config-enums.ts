/** The closed sets of values some configuration keys take (docs/configuration.md). */

export const MODEL_PROVIDERS = [
  'openai',
  'zhipu',
  'deepseek',
  'moonshot',
  'qwen',
  'aliyun',
  'anthropic',
  'ollama',
  'local',
  'offline',
] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

export const TOOL_PROTOCOLS = ['auto', 'native', 'json'] as const;
export type ToolProtocol = (typeof TOOL_PROTOCOLS)[number];

export const SANDBOX_MODES = ['auto', 'bwrap', 'none'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const STORAGE_DRIVERS = ['sqlite', 'memory', 'postgres'] as const;
export type StorageDriver = (typeof STORAGE_DRIVERS)[number];

/** Where the rate limiter keeps its counts: this process, or the Redis named by queue.url. */
export const RATE_LIMIT_STORAGES = ['memory', 'redis'] as const;
export type RateLimitStorage = (typeof RATE_LIMIT_STORAGES)[number];

export const API_KEY_ROLES = ['admin', 'user'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];
