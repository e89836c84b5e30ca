import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { AgentRunnerConfig } from './config.schema';
import { deepMerge, isPlainObject } from './deep-merge';

/** One problem found in a configuration, with the dotted path of the key. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export interface ConfigValidationResult {
  valid: boolean;
  config?: AgentRunnerConfig;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Thrown at start-up (and by the library) when the configuration is invalid; lists every problem. */
export class ConfigValidationError extends Error {
  constructor(
    readonly issues: ConfigIssue[],
    readonly source = 'configuration',
    /** The config file that was read, if any. */
    readonly file?: string,
  ) {
    super(
      `Invalid ${source}:\n` +
        issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/**
 * One problem per key: its type when that is wrong (`"ten"` is "must be an integer", not also
 * "must not be less than 1"), else the first rule it breaks.
 */
function flatten(errors: ValidationError[], prefix = ''): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const constraints = Object.entries(e.constraints ?? {});
    const [kind, message] =
      constraints.find(([k]) => k === 'whitelistValidation') ??
      constraints.find(([k]) => /^is[A-Z]/.test(k)) ??
      constraints[0] ??
      [];
    if (kind !== undefined) {
      out.push({
        path,
        message: kind === 'whitelistValidation' ? `unknown key "${e.property}"` : message,
      });
    }
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

/** Values that are valid but probably not what the operator meant. */
function warningsFor(cfg: AgentRunnerConfig): ConfigIssue[] {
  const w: ConfigIssue[] = [];
  if (cfg.model.temperature > 2) {
    w.push({
      path: 'model.temperature',
      message: `temperature ${cfg.model.temperature} is outside the usual 0..2 range`,
    });
  }
  if (cfg.service.cors.allow_credentials && cfg.service.cors.allowed_origins.includes('*')) {
    w.push({
      path: 'service.cors',
      message: 'allow_credentials with origin "*" is refused by browsers; list the origins',
    });
  }
  if (cfg.service.rate_limiting.burst_size > cfg.service.rate_limiting.requests_per_minute) {
    w.push({
      path: 'service.rate_limiting.burst_size',
      message: 'burst_size is larger than requests_per_minute',
    });
  }
  if (cfg.service.default_task_timeout > cfg.execution.timeout_seconds) {
    w.push({
      path: 'service.default_task_timeout',
      message: `is capped by execution.timeout_seconds (${cfg.execution.timeout_seconds})`,
    });
  }
  if (cfg.execution.sandbox === 'none' && cfg.tools.enable_command_execution) {
    w.push({
      path: 'execution.sandbox',
      message: cfg.execution.allow_unsandboxed_commands
        ? 'commands run without the OS sandbox; only the command policy and the unprivileged user protect the host'
        : 'run_command is disabled without the OS sandbox; set execution.allow_unsandboxed_commands = true to run commands anyway',
    });
  }
  if (cfg.execution.sandbox === 'none' && cfg.execution.network) {
    w.push({
      path: 'execution.network',
      message: 'has no effect without the OS sandbox: unsandboxed commands use the host network',
    });
  }
  cfg.service.auth.api_keys.forEach((k, i) => {
    if (k.key !== undefined && k.key.length < 16) {
      w.push({
        path: `service.auth.api_keys.${i}.key`,
        message: `the key of "${k.name}" is short (${k.key.length} characters); use 16 or more random characters`,
      });
    }
  });
  if (cfg.model.max_tokens > 200_000) {
    w.push({ path: 'model.max_tokens', message: 'unusually large max_tokens' });
  }
  return w;
}

/** Example-file placeholders that must never become a working key. */
const PLACEHOLDER_KEY = /replace[_-]?(me|with)|^your[_-]?(api[_-]?)?key$|^changeme$/i;

/** Cross-field rules that class-validator cannot express; values of the wrong type are skipped. */
function crossFieldErrors(cfg: AgentRunnerConfig): ConfigIssue[] {
  const errors: ConfigIssue[] = [];
  const names = new Set<string>();
  const keys = cfg.service?.auth?.api_keys;
  (Array.isArray(keys) ? keys : []).forEach((k, i) => {
    if (!k || typeof k !== 'object') return;
    const path = `service.auth.api_keys.${i}`;
    if (!k.key === !k.key_sha256) {
      errors.push({ path, message: 'give exactly one of key or key_sha256' });
    }
    if (names.has(k.name))
      errors.push({ path: `${path}.name`, message: `duplicate name "${k.name}"` });
    names.add(k.name);
    if (typeof k.key === 'string' && PLACEHOLDER_KEY.test(k.key)) {
      errors.push({
        path: `${path}.key`,
        message: 'is a placeholder from an example file; set a real key',
      });
    }
  });
  if (cfg.model?.provider === 'local' && !cfg.model.endpoint) {
    errors.push({ path: 'model.endpoint', message: 'required when provider is "local"' });
  }
  const bind = cfg.service?.bind_address;
  if (typeof bind === 'string') {
    const port = Number(bind.slice(bind.lastIndexOf(':') + 1));
    if (!(port >= 0 && port <= 65535)) {
      errors.push({ path: 'service.bind_address', message: 'port must be 0..65535' });
    }
  }
  errors.push(...storageErrors(cfg), ...queueErrors(cfg));
  const { request_timeout_seconds: request, headers_timeout_seconds: headers } = cfg.service;
  if (request > 0 && headers > request) {
    errors.push({
      path: 'service.headers_timeout_seconds',
      message: `must not exceed service.request_timeout_seconds (${request})`,
    });
  }
  return errors;
}

/** The PostgreSQL driver needs a postgres:// URL (docs/configuration.md, `[storage]`). */
function storageErrors(cfg: AgentRunnerConfig): ConfigIssue[] {
  const storage = cfg.storage;
  if (
    storage?.driver !== 'postgres' ||
    (storage.url !== undefined && typeof storage.url !== 'string')
  )
    return [];
  if (!storage.url) {
    return [
      {
        path: 'storage.url',
        message:
          'required when storage.driver is "postgres": set storage.url, AGENT_RUNNER_STORAGE_URL or DATABASE_URL (postgres://user:password@host:5432/database)',
      },
    ];
  }
  if (!/^postgres(ql)?:\/\/\S+$/.test(storage.url)) {
    return [
      {
        path: 'storage.url',
        message:
          'must be a postgres:// or postgresql:// URL (postgres://user:password@host:5432/database)',
      },
    ];
  }
  return [];
}

/** A shared rate limit needs a redis:// URL (docs/configuration.md, `[queue]`). */
function queueErrors(cfg: AgentRunnerConfig): ConfigIssue[] {
  const url = cfg.queue?.url;
  if (url !== undefined && typeof url !== 'string') return [];
  if (url !== undefined && !/^rediss?:\/\/\S+$/.test(url)) {
    return [
      {
        path: 'queue.url',
        message: 'must be a redis:// or rediss:// URL (redis://:password@host:6379/0)',
      },
    ];
  }
  if (cfg.service?.rate_limiting?.storage === 'redis' && !url) {
    return [
      {
        path: 'queue.url',
        message:
          'required when service.rate_limiting.storage is "redis": set queue.url, AGENT_RUNNER_QUEUE_URL or REDIS_URL (redis://:password@host:6379/0)',
      },
    ];
  }
  return [];
}

/**
 * Validates a (possibly partial) plain configuration merged onto the defaults.
 * Never throws: every problem is returned with its path.
 */
export function validateConfig(partial: unknown): ConfigValidationResult {
  if (partial !== undefined && partial !== null && !isPlainObject(partial)) {
    return {
      valid: false,
      errors: [{ path: '', message: 'configuration must be an object' }],
      warnings: [],
    };
  }
  const plain = normaliseAliases(deepMerge({}, (partial ?? {}) as Record<string, unknown>));
  let cfg: AgentRunnerConfig;
  try {
    cfg = plainToInstance(AgentRunnerConfig, plain, { exposeDefaultValues: true });
  } catch (e) {
    return {
      valid: false,
      errors: [{ path: '', message: `unreadable configuration: ${(e as Error).message}` }],
      warnings: [],
    };
  }
  const structural = flatten(
    validateSync(cfg, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true }),
  );
  // Nested values of the wrong kind (a string where a section belongs) make plainToInstance
  // keep the raw value; report them instead of crashing on them below.
  const wrongSections = Object.entries(plain)
    .filter(([k, v]) => k in cfg && !isPlainObject(v))
    .map(([k]) => ({ path: k, message: 'must be a table/object' }));
  const errors = oncePerPath([...wrongSections, ...structural, ...crossFieldErrors(cfg)]);
  const warnings = errors.length === 0 ? warningsFor(cfg) : [];
  return { valid: errors.length === 0, config: errors.length ? undefined : cfg, errors, warnings };
}

/** The first problem of each key; a key wrong in two ways is fixed one way at a time. */
export function oncePerPath(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => !seen.has(i.path) && seen.add(i.path));
}

/** The seed's `service.log_level` feeds `logging.level` unless that is set too. */
function normaliseAliases(plain: Record<string, unknown>): Record<string, unknown> {
  const service = plain.service as Record<string, unknown> | undefined;
  if (isPlainObject(service) && typeof service.log_level === 'string') {
    const logging = (isPlainObject(plain.logging) ? plain.logging : {}) as Record<string, unknown>;
    if (logging.level === undefined) plain.logging = { ...logging, level: service.log_level };
  }
  return plain;
}
