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
import {
  LOG_LEVELS,
  SANDBOX_MODES,
  STORAGE_DRIVERS,
  type LogLevel,
  type SandboxMode,
  type StorageDriver,
  type ToolProtocol,
} from './config-enums';
import { ModelConfigRules } from './model-config-rules.dto';
import { ServiceConfig } from './service-config.schema';

export * from './config-enums';
export * from './service-config.schema';

/**
 * The whole configuration schema (docs/configuration.md describes every key). Each class is one
 * section; property initialisers are the built-in defaults, class-validator decorators are the
 * rules. Keys are snake_case so the seed's `config.toml` works unchanged.
 */

const MiB = 1024 * 1024;

/**
 * The [model] section: its rules are ModelConfigRules (model-config-rules.dto.ts, shared with the
 * live model swap), its defaults are here. Unset, `provider` is `openai` when a model key is
 * configured, else the built-in `offline` planner; `model_name` is the provider's default model;
 * `api_key` falls back to the provider's own variable, e.g. OPENAI_API_KEY. Retries of a failed
 * model call honour Retry-After.
 */
export class ModelConfig extends ModelConfigRules {
  override max_tokens = 4000;
  override temperature = 0.7;
  override timeout_seconds = 120;
  override max_retries = 3;
  override tool_protocol: ToolProtocol = 'auto';
  override max_concurrent_requests = 256;
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

/**
 * The [queue] section: the Redis that replicas share. Today it only names the Redis the shared
 * rate limit uses (service.rate_limiting.storage = "redis"); there is no queue driver yet.
 */
export class QueueConfig {
  /** redis:// or rediss:// URL (secret: it may hold the password). */
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  url?: string;

  /** Every key this service writes in Redis starts with `<prefix>:`. */
  @IsString()
  @Matches(/^[A-Za-z0-9_.-]{1,64}$/, {
    message: 'prefix must be 1 to 64 letters, digits, "_", "." or "-"',
  })
  prefix = 'agent-runner';
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
  @Type(() => QueueConfig)
  queue: QueueConfig = new QueueConfig();

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
  'queue',
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
  'service.rate_limiting.storage',
  'queue',
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
