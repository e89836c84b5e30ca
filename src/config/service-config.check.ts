import { unsafeBindIssue } from './bind-address';
import {
  ConfigLoadOptions,
  effectiveProvider,
  LoadedConfig,
  loadConfig,
  modelApiKey,
  PROVIDER_KEY_VARIABLES,
} from './config.loader';
import type { AgentRunnerConfig } from './config.schema';
import {
  ConfigIssue,
  ConfigValidationError,
  oncePerPath,
  validateConfig,
} from './config.validation';

/** What the service's start-up thinks of a configuration. */
export interface ServiceConfigCheck {
  /** Set when there are no errors: what start-up goes on with. */
  loaded?: LoadedConfig;
  /** The config file read, if one was found. */
  file?: string;
  /** What was checked, for messages: "configuration (./config.toml)", "config file …". */
  source: string;
  /** Problems that stop start-up, each key once. */
  errors: ConfigIssue[];
  /** What start-up logs as a warning and goes on. */
  warnings: ConfigIssue[];
  /** One of the errors: a non-loopback bind without API keys. */
  unsafeBind?: boolean;
}

/**
 * Every check the HTTP service makes on its configuration before it binds: the file and the
 * environment are read and validated (schema and cross-field rules), a non-loopback bind needs
 * API keys, and a provider that needs a key and has none is a warning (its tasks would fail).
 * `createHttpApp` refuses to start on any error; `agent-runner config validate` reports the same.
 */
export function checkServiceConfig(
  source: ConfigLoadOptions | LoadedConfig = {},
): ServiceConfigCheck {
  let loaded: LoadedConfig;
  try {
    loaded = 'config' in source ? source : loadConfig(source);
  } catch (e) {
    if (!(e instanceof ConfigValidationError)) throw e;
    return { file: e.file, source: e.source, errors: e.issues, warnings: [] };
  }
  const bind = unsafeBindIssue(loaded.config);
  const errors = bind ? [bind] : [];
  return {
    ...(errors.length ? { unsafeBind: true } : { loaded }),
    file: loaded.file,
    source: loaded.file ? `configuration (${loaded.file})` : 'configuration',
    errors,
    warnings: oncePerPath([...loaded.warnings, ...serviceWarnings(loaded)]),
  };
}

/**
 * The same checks on a partial configuration (file shape) merged onto the defaults, with the
 * provider keys of the service's environment (POST /api/v1/config/validate).
 */
export function checkServiceConfigObject(
  partial: unknown,
  providerEnvKeys: LoadedConfig['providerEnvKeys'],
): Pick<ServiceConfigCheck, 'errors' | 'warnings'> {
  const result = validateConfig(partial);
  if (!result.config) return { errors: result.errors, warnings: [] };
  const check = checkServiceConfig({
    config: result.config,
    warnings: result.warnings,
    providerEnvKeys,
  });
  return { errors: check.errors, warnings: check.warnings };
}

function serviceWarnings(loaded: LoadedConfig): ConfigIssue[] {
  const warnings: ConfigIssue[] = [];
  const missingKey = missingModelKey(loaded.config, loaded.providerEnvKeys);
  if (missingKey) warnings.push(missingKey);
  return warnings;
}

/** A hosted provider without a key: the service starts, but every task fails until one is set. */
function missingModelKey(
  config: AgentRunnerConfig,
  providerEnvKeys: LoadedConfig['providerEnvKeys'],
): ConfigIssue | undefined {
  const provider = effectiveProvider(config.model, providerEnvKeys);
  const variable = PROVIDER_KEY_VARIABLES[provider];
  if (!variable || modelApiKey(config.model, providerEnvKeys)) return undefined;
  return {
    path: 'model.api_key',
    message: `no API key for provider "${provider}": set model.api_key or ${variable}; until then every task fails with MODEL_NOT_CONFIGURED`,
  };
}
