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
  API_KEY_ROLES,
  LOG_LEVELS,
  RATE_LIMIT_STORAGES,
  type ApiKeyRole,
  type LogLevel,
  type RateLimitStorage,
} from './config-enums';

/**
 * The [service] section of the configuration and its tables (auth and its API keys, CORS, rate
 * limiting); docs/configuration.md describes every key.
 */

const MiB = 1024 * 1024;

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

  /**
   * Where the counts live: `memory` (this process) or `redis` (shared by every replica through
   * queue.url; fail-open when Redis cannot be reached). Restart only.
   */
  @IsIn(RATE_LIMIT_STORAGES)
  storage: RateLimitStorage = 'memory';
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
