import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigLoadOptions, LoadedConfig, loadConfig } from '../config/config.loader';
import { AgentRunnerConfig, PartialConfig } from '../config/config.schema';
import { ConfigIssue, ConfigValidationError, validateConfig } from '../config/config.validation';
import { clonePlain, deepMerge } from '../config/deep-merge';

/**
 * A validated agent-runner configuration for the library (the seed's `AgentConfig`): every section
 * of docs/configuration.md, loaded from a file, the environment, or plain objects. Invalid input
 * throws {@link ConfigValidationError} listing every problem.
 *
 * ```ts
 * const config = AgentConfig.loadWithFallback('config.toml');
 * const service = await TaskRunnerService.create({ max_concurrent_tasks: 4 }, config);
 * ```
 */
export class AgentConfig {
  private constructor(private readonly source: LoadedConfig) {}

  /**
   * `path` when that file exists, else the standard lookup (docs/configuration.md, Sources and
   * precedence: AGENT_RUNNER_CONFIG_FILE, ./config.toml, ./config.yaml), else the built-in
   * defaults; `.env` and the process environment are layered on top as for the server.
   */
  static loadWithFallback(
    path = 'config.toml',
    options: Omit<ConfigLoadOptions, 'configFile'> = {},
  ): AgentConfig {
    const file = resolve(options.cwd ?? process.cwd(), path);
    return AgentConfig.load({ ...options, configFile: existsSync(file) ? file : undefined });
  }

  /** Exactly what the server loads: defaults ← file ← .env ← environment ← `overrides`. */
  static load(options: ConfigLoadOptions = {}): AgentConfig {
    return new AgentConfig(loadConfig(options));
  }

  /** Built-in defaults plus `config` (file shape); no file and no environment is read. */
  static fromObject(config: PartialConfig = {}): AgentConfig {
    return new AgentConfig(AgentConfig.validated(config, { providerEnvKeys: {} }));
  }

  /** Wraps a configuration loaded elsewhere (CLI, tests). */
  static fromLoaded(loaded: LoadedConfig): AgentConfig {
    return new AgentConfig(loaded);
  }

  /** A copy with `patch` merged on top, validated again. */
  withOverrides(patch: PartialConfig): AgentConfig {
    const merged = deepMerge(
      clonePlain(this.source.config) as unknown as Record<string, unknown>,
      patch as Record<string, unknown>,
    );
    return new AgentConfig(AgentConfig.validated(merged, this.source));
  }

  /** The effective configuration (a copy; secrets included, so do not print it). */
  get config(): AgentRunnerConfig {
    return clonePlain(this.source.config);
  }

  /** The config file that was read, if any. */
  get file(): string | undefined {
    return this.source.file;
  }

  get warnings(): ConfigIssue[] {
    return [...this.source.warnings];
  }

  /** The loaded form that `CoreModule.forRoot` takes. */
  get loaded(): LoadedConfig {
    return this.source;
  }

  private static validated(
    data: unknown,
    base: Pick<LoadedConfig, 'providerEnvKeys'> & { file?: string },
  ): LoadedConfig {
    const result = validateConfig(data);
    if (!result.valid || !result.config) throw new ConfigValidationError(result.errors);
    return {
      config: result.config,
      warnings: result.warnings,
      file: base.file,
      providerEnvKeys: base.providerEnvKeys,
    };
  }
}
