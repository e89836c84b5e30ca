import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

/**
 * The whole configuration schema (SPEC 3). Each class is one section; property initialisers are
 * the built-in defaults, class-validator decorators are the rules. Keys are snake_case so the
 * seed's `config.toml` works unchanged.
 */

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

export const API_KEY_ROLES = ['admin', 'user'] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

const MiB = 1024 * 1024;

export class ModelConfig {
  /** Provider; unset means `openai` when a model key is configured, else the built-in `offline` planner. */
  @IsOptional()
  @IsIn(MODEL_PROVIDERS)
  provider?: ModelProvider;

  /** Model name; unset means the provider's default model. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model_name?: string;

  /** The model provider's API key (secret). Falls back to the provider's own variable, e.g. OPENAI_API_KEY. */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  api_key?: string;

  /** Override of the provider's endpoint (an OpenAI-compatible base URL). */
  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'endpoint must be an http(s) URL' })
  endpoint?: string;

  @IsInt()
  @Min(1)
  @Max(1_000_000)
  max_tokens = 4000;

  @IsNumber()
  @Min(0)
  @Max(10)
  temperature = 0.7;

  /** Per-call timeout of one model request. */
  @IsNumber()
  @Min(1)
  @Max(3600)
  timeout_seconds = 120;

  /** Retries of a failed model call (429, 5xx, connection errors), honouring Retry-After. */
  @IsInt()
  @Min(0)
  @Max(10)
  max_retries = 3;

  /** How tools are offered to the model: native function calling, a JSON action protocol, or auto. */
  @IsIn(TOOL_PROTOCOLS)
  tool_protocol: ToolProtocol = 'auto';

  /** Cap on in-flight requests shared by every task using the same provider and key. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  max_concurrent_requests = 256;
}

export class ExecutionConfig {
  /** Upper bound of model ↔ tool rounds per task (a request may only lower it). */
  @IsInt()
  @Min(1)
  @Max(1000)
  max_steps = 10;

  /** Seed key, kept for compatibility: retries of a failed step. */
  @IsInt()
  @Min(0)
  @Max(10)
  max_retries = 3;

  /** Seed key, kept for compatibility: delay between step retries. */
  @IsNumber()
  @Min(0)
  @Max(600)
  retry_delay_seconds = 1;

  /** Upper bound of a task's run time in seconds (a request may only lower it). */
  @IsInt()
  @Min(1)
  @Max(86_400)
  timeout_seconds = 300;

  /** OS sandbox for commands: bubblewrap when it works (auto), always (bwrap), or never (none). */
  @IsIn(SANDBOX_MODES)
  sandbox: SandboxMode = 'auto';

  /**
   * Whether sandboxed commands may use the network: their own network namespace with outbound
   * access through slirp4netns, which never reaches the host's loopback (start-up fails without it).
   */
  @IsBoolean()
  network = false;

  /**
   * Run commands without an OS sandbox (`sandbox = "none"`, or `auto` where bubblewrap cannot run).
   * Off by default: then run_command is disabled, with the reason, until bubblewrap works.
   */
  @IsBoolean()
  allow_unsandboxed_commands = false;

  /**
   * The user commands run as when the service runs as root (a name or a numeric uid; "" keeps the
   * service's own user). Ignored, and reported so, when the service is not root.
   */
  @IsString()
  @Matches(/^([A-Za-z_][A-Za-z0-9_.-]{0,31}|\d{1,10})?$/, {
    message: 'run_as_user must be a user name, a numeric uid, or "" (the service user)',
  })
  run_as_user = 'nobody';

  /** Ask the model for a plan before the tool loop. */
  @IsBoolean()
  planning = true;

  /** How often the model may repeat an identical tool call before the task is stopped. */
  @IsInt()
  @Min(1)
  @Max(100)
  max_repeated_tool_calls = 3;
}

export class ToolsConfig {
  @IsBoolean()
  enable_file_operations = true;

  @IsBoolean()
  enable_command_execution = true;

  /** Root of every task's working directory. */
  @IsString()
  @MinLength(1)
  working_directory = '.';

  /** Folders (relative to working_directory) tools may touch. */
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  allowed_paths: string[] = ['.'];

  /** Commands never run, matched on parsed commands (program plus flags), e.g. "rm -rf". */
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  forbidden_commands: string[] = [
    'rm -rf',
    'format',
    'fdisk',
    'mkfs',
    'dd',
    'shutdown',
    'reboot',
    'halt',
    'poweroff',
  ];

  /** If not empty, the only programs that may run. */
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  allowed_commands: string[] = [];

  /** Paths (relative to a task's working directory) that are never written. */
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  protected_paths: string[] = ['.git', '.env', '.agent-runner', '.npmrc', '.ssh'];

  @IsInt()
  @Min(1)
  @Max(1024 * MiB)
  max_file_size_bytes = 10 * MiB;

  @IsNumber()
  @Min(1)
  @Max(86_400)
  command_timeout_seconds = 60;

  @IsInt()
  @Min(1024)
  @Max(256 * MiB)
  max_output_bytes = MiB;

  @IsInt()
  @Min(1)
  @Max(1_000_000)
  max_list_entries = 1000;

  @IsInt()
  @Min(1)
  @Max(100_000)
  max_search_results = 200;

  /** Address-space limit per command, MiB (0 = none). */
  @IsInt()
  @Min(0)
  @Max(1_048_576)
  command_memory_mb = 2048;

  /** CPU-time limit per command, seconds (0 = none). */
  @IsInt()
  @Min(0)
  @Max(86_400)
  command_cpu_seconds = 120;

  /** Process limit per command (0 = none). */
  @IsInt()
  @Min(0)
  @Max(100_000)
  command_max_processes = 256;

  /** Largest file a command may write, MiB (0 = none). */
  @IsInt()
  @Min(0)
  @Max(1_048_576)
  command_max_file_size_mb = 1024;
}

export class ApiKeyConfig {
  /** Name of the key; it is the owner recorded on tasks. */
  @IsString()
  @Matches(/^[A-Za-z0-9._:@-]{1,64}$/, { message: 'name must be 1..64 of [A-Za-z0-9._:@-]' })
  name!: string;

  /** The key itself (secret). Give either key or key_sha256; use 16+ random characters. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(512)
  key?: string;

  /** Hex SHA-256 of the key, so the key itself need not be stored. */
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: 'key_sha256 must be 64 hex digits' })
  key_sha256?: string;

  @IsIn(API_KEY_ROLES)
  role: ApiKeyRole = 'user';
}

export class AuthConfig {
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => ApiKeyConfig)
  api_keys: ApiKeyConfig[] = [];

  /** Allow a non-loopback bind with no keys (auth off). Never do this on a shared network. */
  @IsBoolean()
  allow_unauthenticated = false;

  @IsBoolean()
  protect_metrics = false;

  @IsBoolean()
  protect_docs = false;
}

export class CorsConfig {
  @IsArray()
  @IsString({ each: true })
  allowed_origins: string[] = ['*'];

  @IsArray()
  @IsString({ each: true })
  allowed_methods: string[] = ['GET', 'POST', 'PUT', 'DELETE'];

  @IsArray()
  @IsString({ each: true })
  allowed_headers: string[] = ['*'];

  @IsBoolean()
  allow_credentials = false;
}

export class RateLimitingConfig {
  @IsBoolean()
  enabled = true;

  @IsInt()
  @Min(1)
  @Max(10_000_000)
  requests_per_minute = 60;

  @IsInt()
  @Min(1)
  @Max(10_000_000)
  burst_size = 10;
}

export class ServiceConfig {
  /** host:port the HTTP server listens on. */
  @IsString()
  @Matches(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+|[0-9a-fA-F:]+):\d{1,5}$/, {
    message: 'bind_address must be host:port',
  })
  bind_address = '127.0.0.1:8080';

  @IsInt()
  @Min(1)
  @Max(100_000)
  max_concurrent_tasks = 10;

  /** Default task timeout in seconds when a request sets none (capped by execution.timeout_seconds). */
  @IsInt()
  @Min(1)
  @Max(86_400)
  default_task_timeout = 300;

  @IsBoolean()
  enable_metrics = true;

  /** Seed key; prefer logging.level. */
  @IsOptional()
  @IsIn(LOG_LEVELS)
  log_level?: LogLevel;

  /** How long POST /tasks waits for a result before answering 202. */
  @IsNumber()
  @Min(0)
  @Max(3600)
  sync_wait_seconds = 60;

  @IsInt()
  @Min(1)
  @Max(10_000_000)
  max_queued_tasks = 1000;

  @IsInt()
  @Min(1024)
  @Max(1024 * MiB)
  max_body_bytes = MiB;

  /** Write live config updates back to the config file so they survive a restart. */
  @IsBoolean()
  persist_config_updates = false;

  /**
   * Seconds running tasks get to finish on SIGTERM before they are stopped as TASK_INTERRUPTED;
   * the process exits within this plus 5 s, whatever clients do.
   */
  @IsNumber()
  @Min(0)
  @Max(3600)
  shutdown_grace_seconds = 10;

  /**
   * Clients reach the service only over HTTPS (a reverse proxy in front ends TLS): answers then
   * carry Strict-Transport-Security and the CSP's upgrade-insecure-requests. Off by default:
   * over plain HTTP those would send browsers to an https:// that is not there.
   */
  @IsBoolean()
  served_over_https = false;
  /** A client must send a whole request (headers and body) within this many seconds (0 = no limit). */
  @IsNumber()
  @Min(0)
  @Max(3600)
  request_timeout_seconds = 30;

  /** A client must send a request's headers within this many seconds (slow-header clients are cut). */
  @IsNumber()
  @Min(1)
  @Max(3600)
  headers_timeout_seconds = 10;

  /**
   * An idle keep-alive connection is closed after this many seconds. Above the 60 s idle timeout
   * of common proxies and load balancers, so they close first and never reuse a closing socket.
   */
  @IsNumber()
  @Min(1)
  @Max(3600)
  keep_alive_timeout_seconds = 72;

  @ValidateNested()
  @Type(() => AuthConfig)
  auth: AuthConfig = new AuthConfig();

  @ValidateNested()
  @Type(() => CorsConfig)
  cors: CorsConfig = new CorsConfig();

  @ValidateNested()
  @Type(() => RateLimitingConfig)
  rate_limiting: RateLimitingConfig = new RateLimitingConfig();
}

export class StorageConfig {
  @IsIn(STORAGE_DRIVERS)
  driver: StorageDriver = 'sqlite';

  /** The SQLite file (driver sqlite). */
  @IsString()
  @MinLength(1)
  path = './data/agent-runner.db';

  /** PostgreSQL connection URL (driver postgres; secret: it may hold the password). */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  url?: string;

  /** Connections the PostgreSQL driver keeps at most. */
  @IsInt()
  @Min(1)
  @Max(100)
  pool_size = 10;

  /** Finished tasks older than this are purged (0 = keep forever). */
  @IsInt()
  @Min(0)
  @Max(36_500)
  retention_days = 30;

  /**
   * Below this much free space on the store's filesystem (MiB) the store counts as unable to
   * write: readiness fails and submissions get 503 STORE_UNAVAILABLE, so running tasks keep room
   * to record their steps and ends (0 = no check).
   */
  @IsInt()
  @Min(0)
  @Max(1_048_576)
  min_free_space_mb = 64;
}

export class PromptsConfig {
  /** A YAML template layered over the built-in prompts/default.yaml. */
  @IsOptional()
  @IsString()
  template?: string;

  /** Project file looked up in each task's working directory. */
  @IsString()
  @MinLength(1)
  project_file = '.agent-runner/prompts.yaml';
}

export class LoggingConfig {
  @IsIn(LOG_LEVELS)
  level: LogLevel = 'info';

  @IsIn(['json', 'pretty'])
  format: 'json' | 'pretty' = 'json';
}

export class AgentRunnerConfig {
  @ValidateNested()
  @Type(() => ModelConfig)
  model: ModelConfig = new ModelConfig();

  @ValidateNested()
  @Type(() => ExecutionConfig)
  execution: ExecutionConfig = new ExecutionConfig();

  @ValidateNested()
  @Type(() => ToolsConfig)
  tools: ToolsConfig = new ToolsConfig();

  @ValidateNested()
  @Type(() => ServiceConfig)
  service: ServiceConfig = new ServiceConfig();

  @ValidateNested()
  @Type(() => StorageConfig)
  storage: StorageConfig = new StorageConfig();

  @ValidateNested()
  @Type(() => PromptsConfig)
  prompts: PromptsConfig = new PromptsConfig();

  @ValidateNested()
  @Type(() => LoggingConfig)
  logging: LoggingConfig = new LoggingConfig();
}

export type ConfigSectionName = keyof AgentRunnerConfig;
export const CONFIG_SECTIONS: readonly ConfigSectionName[] = [
  'model',
  'execution',
  'tools',
  'service',
  'storage',
  'prompts',
  'logging',
];

/** Keys that only take effect at start-up; a live update of them is refused. */
export const RESTART_ONLY_PATHS = [
  'service.bind_address',
  'service.max_body_bytes',
  'service.served_over_https',
  'service.request_timeout_seconds',
  'service.headers_timeout_seconds',
  'service.keep_alive_timeout_seconds',
  'storage',
  'logging.format',
] as const;

/** A deep-partial config, as written in a file or sent to PUT /config. */
export type PartialConfig = {
  [S in ConfigSectionName]?: DeepPartial<AgentRunnerConfig[S]>;
};
export type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
