import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import * as yaml from 'js-yaml';
import { parse as parseToml } from 'smol-toml';
import { AgentRunnerConfig, ModelProvider, PartialConfig } from './config.schema';
import { collectSecrets } from './config.redaction';
import { ConfigIssue, ConfigValidationError, validateConfig } from './config.validation';
import { deepMerge, isPlainObject } from './deep-merge';

/** Where a configuration comes from; every field is optional. */
export interface ConfigLoadOptions {
  /** Explicit config file (CLI `--config`); otherwise AGENT_RUNNER_CONFIG_FILE or ./config.toml|yaml. */
  configFile?: string;
  /** Environment to read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Read `.env` in cwd (default true). */
  dotenv?: boolean;
  /** Highest-precedence values (library callers, CLI flags). */
  overrides?: PartialConfig;
  /** Base folder for relative file lookups (default process.cwd()). */
  cwd?: string;
}

export interface LoadedConfig {
  config: AgentRunnerConfig;
  warnings: ConfigIssue[];
  /** The file that was read, if any. */
  file?: string;
  /** Provider keys found in the providers' own variables (OPENAI_API_KEY, …). */
  providerEnvKeys: Partial<Record<ModelProvider, string>>;
}

/**
 * The provider's own key variable, used when no model key is configured (docs/configuration.md,
 * `[model]`).
 */
export const PROVIDER_KEY_VARIABLES: Partial<Record<ModelProvider, string>> = {
  openai: 'OPENAI_API_KEY',
  zhipu: 'ZHIPU_API_KEY',
  deepseek: 'DEEPSEEK_API_KEY',
  moonshot: 'MOONSHOT_API_KEY',
  qwen: 'DASHSCOPE_API_KEY',
  aliyun: 'DASHSCOPE_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
};

type EnvKind = 'string' | 'int' | 'number' | 'bool' | 'list';

/**
 * The named variables (the `variable` column of docs/configuration.md): variable → config path and
 * type.
 */
export const ENV_VARIABLES: Record<string, { path: string; kind: EnvKind }> = {
  AGENT_RUNNER_MAX_CONCURRENT_TASKS: { path: 'service.max_concurrent_tasks', kind: 'int' },
  AGENT_RUNNER_DEFAULT_TASK_TIMEOUT: { path: 'service.default_task_timeout', kind: 'int' },
  AGENT_RUNNER_ENABLE_METRICS: { path: 'service.enable_metrics', kind: 'bool' },
  AGENT_RUNNER_LOG_LEVEL: { path: 'logging.level', kind: 'string' },
  AGENT_RUNNER_LOG_FORMAT: { path: 'logging.format', kind: 'string' },
  BIND_ADDRESS: { path: 'service.bind_address', kind: 'string' },
  AGENT_RUNNER_MODEL_PROVIDER: { path: 'model.provider', kind: 'string' },
  AGENT_RUNNER_MODEL_NAME: { path: 'model.model_name', kind: 'string' },
  AGENT_RUNNER_API_KEY: { path: 'model.api_key', kind: 'string' },
  AGENT_RUNNER_MODEL_ENDPOINT: { path: 'model.endpoint', kind: 'string' },
  AGENT_RUNNER_MAX_TOKENS: { path: 'model.max_tokens', kind: 'int' },
  AGENT_RUNNER_TEMPERATURE: { path: 'model.temperature', kind: 'number' },
  AGENT_RUNNER_MAX_STEPS: { path: 'execution.max_steps', kind: 'int' },
  AGENT_RUNNER_STORAGE_PATH: { path: 'storage.path', kind: 'string' },
  AGENT_RUNNER_STORAGE_DRIVER: { path: 'storage.driver', kind: 'string' },
  AGENT_RUNNER_STORAGE_URL: { path: 'storage.url', kind: 'string' },
  AGENT_RUNNER_QUEUE_URL: { path: 'queue.url', kind: 'string' },
  AGENT_RUNNER_SANDBOX: { path: 'execution.sandbox', kind: 'string' },
  AGENT_RUNNER_WORKING_DIRECTORY: { path: 'tools.working_directory', kind: 'string' },
  AGENT_RUNNER_CORS_ALLOWED_ORIGINS: { path: 'service.cors.allowed_origins', kind: 'list' },
  AGENT_RUNNER_ALLOW_UNAUTHENTICATED: { path: 'service.auth.allow_unauthenticated', kind: 'bool' },
  AGENT_RUNNER_MAX_QUEUED_TASKS: { path: 'service.max_queued_tasks', kind: 'int' },
  AGENT_RUNNER_SYNC_WAIT_SECONDS: { path: 'service.sync_wait_seconds', kind: 'number' },
};

/** Generic form for every other key: AGENT_RUNNER__SECTION__KEY (double underscores). */
const GENERIC_PREFIX = 'AGENT_RUNNER__';

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

function convert(name: string, raw: string, kind: EnvKind, issues: ConfigIssue[]): unknown {
  const value = raw.trim();
  switch (kind) {
    case 'string':
      return value;
    case 'list':
      return value === ''
        ? []
        : value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(value)) return true;
      if (/^(false|0|no|off)$/i.test(value)) return false;
      issues.push({ path: name, message: `expected true or false, got "${value}"` });
      return undefined;
    case 'int':
    case 'number': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n) || (kind === 'int' && !Number.isInteger(n))) {
        issues.push({
          path: name,
          message: `expected ${kind === 'int' ? 'an integer' : 'a number'}, got "${value}"`,
        });
        return undefined;
      }
      return n;
    }
  }
}

/** Parses `name=key,name=key` into api key entries of one role. */
function parseKeyList(
  name: string,
  raw: string,
  role: 'admin' | 'user',
  issues: ConfigIssue[],
): { name: string; key: string; role: 'admin' | 'user' }[] {
  const out: { name: string; key: string; role: 'admin' | 'user' }[] = [];
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .forEach((pair, i) => {
      const eq = pair.indexOf('=');
      if (eq <= 0 || eq === pair.length - 1) {
        issues.push({ path: `${name}[${i}]`, message: 'expected name=key' });
        return;
      }
      out.push({ name: pair.slice(0, eq).trim(), key: pair.slice(eq + 1).trim(), role });
    });
  return out;
}

/** Builds the environment layer of the configuration. Problems are collected, not thrown. */
export function configFromEnv(env: NodeJS.ProcessEnv, issues: ConfigIssue[]): PartialConfig {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(ENV_VARIABLES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = convert(name, raw, spec.kind, issues);
    if (value !== undefined) setPath(out, spec.path, value);
  }
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(GENERIC_PREFIX) || raw === undefined) continue;
    const path = name.slice(GENERIC_PREFIX.length).toLowerCase().split('__').join('.');
    if (!/^[a-z_]+(\.[a-z_]+)+$/.test(path)) {
      issues.push({ path: name, message: 'expected AGENT_RUNNER__SECTION__KEY' });
      continue;
    }
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a bare string
    }
    setPath(out, path, value);
  }
  const keys = [
    ...(env.AGENT_RUNNER_AUTH_KEYS
      ? parseKeyList('AGENT_RUNNER_AUTH_KEYS', env.AGENT_RUNNER_AUTH_KEYS, 'user', issues)
      : []),
    ...(env.AGENT_RUNNER_ADMIN_KEYS
      ? parseKeyList('AGENT_RUNNER_ADMIN_KEYS', env.AGENT_RUNNER_ADMIN_KEYS, 'admin', issues)
      : []),
  ];
  if (keys.length) setPath(out, 'service.auth.api_keys', keys);
  return out as PartialConfig;
}

/** Reads a TOML or YAML config file into plain data. */
export function readConfigFile(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  let data: unknown;
  try {
    data = /\.ya?ml$/i.test(file) ? yaml.load(text, { schema: yaml.JSON_SCHEMA }) : parseToml(text);
  } catch (e) {
    throw new ConfigValidationError(
      [{ path: '', message: (e as Error).message }],
      `config file ${file}`,
      file,
    );
  }
  if (data === undefined || data === null) return {};
  if (!isPlainObject(data)) {
    throw new ConfigValidationError(
      [{ path: '', message: 'the file must hold a table/mapping' }],
      `config file ${file}`,
      file,
    );
  }
  return data;
}

/** The config file to read: explicit, then AGENT_RUNNER_CONFIG_FILE, then ./config.toml, ./config.yaml. */
export function findConfigFile(
  options: ConfigLoadOptions,
  env: NodeJS.ProcessEnv,
): string | undefined {
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.configFile ?? env.AGENT_RUNNER_CONFIG_FILE;
  if (explicit) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) {
      throw new ConfigValidationError([{ path: '', message: `config file not found: ${file}` }]);
    }
    return file;
  }
  for (const name of ['config.toml', 'config.yaml', 'config.yml']) {
    const file = resolve(cwd, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Variables that carry keys (the model's, the providers', the API's) or the database password. */
const SECRET_VARIABLE =
  /(^AGENT_RUNNER_API_KEY$|_API_KEY$|^AGENT_RUNNER_(AUTH|ADMIN)_KEYS$|^AGENT_RUNNER_(STORAGE|QUEUE)_URL$|^(DATABASE|REDIS)_URL$)/;

/**
 * `DATABASE_URL`, the variable many platforms set, is the PostgreSQL URL when the driver is
 * postgres and storage.url is set nowhere else (file, AGENT_RUNNER_STORAGE_URL, overrides).
 */
function withDatabaseUrl(
  merged: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const storage = merged.storage;
  const url = env.DATABASE_URL?.trim();
  if (!url || !isPlainObject(storage) || storage.driver !== 'postgres') return merged;
  if (storage.url !== undefined) return merged;
  return { ...merged, storage: { ...storage, url } };
}

/**
 * `REDIS_URL`, the variable many platforms set, is the Redis URL when something uses Redis (today
 * service.rate_limiting.storage = "redis") and queue.url is set nowhere else.
 */
function withRedisUrl(
  merged: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const url = env.REDIS_URL?.trim();
  const service = merged.service;
  const rl = isPlainObject(service) ? service.rate_limiting : undefined;
  if (!url || !isPlainObject(rl) || rl.storage !== 'redis') return merged;
  const queue = isPlainObject(merged.queue) ? merged.queue : {};
  if (queue.url !== undefined) return merged;
  return { ...merged, queue: { ...queue, url } };
}

/**
 * A file that holds keys must be readable by the service alone: commands run as another user
 * (`execution.run_as_user`) and could otherwise read it.
 */
function readableByOthers(file: string): ConfigIssue[] {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return [];
  }
  if (!(mode & 0o077)) return [];
  return [
    {
      path: file,
      message: `holds secrets and is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run \`chmod 600 ${file}\` so commands and other local users cannot read it`,
    },
  ];
}

/** The model provider in effect: the configured one, else openai with a key, else offline. */
export function effectiveProvider(
  model: AgentRunnerConfig['model'],
  providerEnvKeys: LoadedConfig['providerEnvKeys'],
): ModelProvider {
  if (model.provider) return model.provider;
  return model.api_key || providerEnvKeys.openai ? 'openai' : 'offline';
}

/** The model key in effect: model.api_key, else the provider's own variable. */
export function modelApiKey(
  model: AgentRunnerConfig['model'],
  providerEnvKeys: LoadedConfig['providerEnvKeys'],
): string | undefined {
  return model.api_key || providerEnvKeys[effectiveProvider(model, providerEnvKeys)];
}

/** Provider keys present in the providers' own variables. */
export function providerKeysFromEnv(
  env: NodeJS.ProcessEnv,
): Partial<Record<ModelProvider, string>> {
  const out: Partial<Record<ModelProvider, string>> = {};
  for (const [provider, variable] of Object.entries(PROVIDER_KEY_VARIABLES)) {
    const v = env[variable];
    if (v) out[provider as ModelProvider] = v;
  }
  return out;
}

/**
 * Loads the configuration: defaults ← file ← .env ← process environment ← overrides,
 * validated once. Throws {@link ConfigValidationError} listing every problem.
 */
export function loadConfig(options: ConfigLoadOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const processEnv = options.env ?? process.env;
  const dotenvPath = resolve(cwd, '.env');
  const dotenvVars =
    options.dotenv !== false && existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  // .env sits below the real environment: a variable set in both keeps the process's value.
  const env: NodeJS.ProcessEnv = { ...dotenvVars, ...processEnv };
  const file = findConfigFile(options, env);
  const fromFile = file ? readConfigFile(file) : {};
  const envIssues: ConfigIssue[] = [];
  const fromEnv = configFromEnv(env, envIssues);
  const merged = deepMerge(
    {},
    fromFile,
    fromEnv as Record<string, unknown>,
    options.overrides as Record<string, unknown>,
  );
  const result = validateConfig(withRedisUrl(withDatabaseUrl(merged, env), env));
  const issues = [...envIssues, ...result.errors];
  if (issues.length || !result.config) {
    throw new ConfigValidationError(
      issues,
      file ? `configuration (${file})` : 'configuration',
      file,
    );
  }
  const exposed = [
    ...(file && collectSecrets(fromFile).length ? [file] : []),
    ...(Object.keys(dotenvVars).some((name) => SECRET_VARIABLE.test(name)) ? [dotenvPath] : []),
  ];
  return {
    config: result.config,
    warnings: [...result.warnings, ...exposed.flatMap(readableByOthers)],
    file,
    providerEnvKeys: providerKeysFromEnv(env),
  };
}
