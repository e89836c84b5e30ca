import { Injectable } from '@nestjs/common';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { PartialConfig, StorageConfig, StorageDriver } from '../config/config.schema';
import { AgentConfig } from '../library/agent-config';
import { CliEnvironment } from './cli-environment';
import { CliUsageError } from './cli-usage.error';

/** Flags shared by the commands that run tasks (docs/cli.md, `task`). */
export interface TaskRunFlags {
  config?: string;
  workdir?: string;
  provider?: string;
  model?: string;
  maxSteps?: number;
  timeout?: number;
  store?: StorageDriver;
}

function isDefaultStorage(storage: StorageConfig): boolean {
  const defaults = new StorageConfig();
  return (
    storage.driver === defaults.driver &&
    storage.path === defaults.path &&
    storage.retention_days === defaults.retention_days
  );
}

/**
 * The CLI's configuration: the server's sources (defaults ← file ← .env ← environment) with the
 * flags on top. Decisions the CLI makes for the user, documented in docs/cli.md:
 * - `-w dir` sets `tools.working_directory` (the sandbox root the task works in);
 * - `--max-steps` and `--timeout` set the service limits (execution.max_steps,
 *   execution.timeout_seconds and service.default_task_timeout), so they may raise them too;
 * - commands that run tasks keep them in memory unless the configuration sets `[storage]`
 *   or `--store sqlite` is given: a one-shot command should not leave ./data behind.
 */
@Injectable()
export class CliConfigLoader {
  constructor(private readonly environment: CliEnvironment) {}

  get cwd(): string {
    return this.environment.cwd ?? process.cwd();
  }

  load(flags: TaskRunFlags, options: { memoryStoreByDefault: boolean }): AgentConfig {
    const overrides: PartialConfig = {};
    if (flags.workdir !== undefined) {
      const dir = resolve(this.cwd, flags.workdir);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) {
        throw new CliUsageError(`working directory not found: ${dir}`);
      }
      overrides.tools = { working_directory: dir };
    }
    if (flags.provider !== undefined || flags.model !== undefined) {
      overrides.model = {
        ...(flags.provider !== undefined ? { provider: flags.provider as never } : {}),
        ...(flags.model !== undefined ? { model_name: flags.model } : {}),
      };
    }
    if (flags.maxSteps !== undefined || flags.timeout !== undefined) {
      overrides.execution = {
        ...(flags.maxSteps !== undefined ? { max_steps: flags.maxSteps } : {}),
        ...(flags.timeout !== undefined ? { timeout_seconds: flags.timeout } : {}),
      };
    }
    if (flags.timeout !== undefined) overrides.service = { default_task_timeout: flags.timeout };
    const loaded = AgentConfig.load({
      configFile: flags.config,
      env: this.environment.env,
      cwd: this.environment.cwd,
      dotenv: this.environment.dotenv,
      overrides,
    });
    const config = loaded.config;
    const local: PartialConfig = {};
    // Relative paths are relative to where the command runs (the same as process.cwd() outside tests).
    if (!isAbsolute(config.tools.working_directory)) {
      local.tools = { working_directory: resolve(this.cwd, config.tools.working_directory) };
    }
    const driver =
      flags.store ??
      (options.memoryStoreByDefault && isDefaultStorage(config.storage) ? 'memory' : undefined);
    if (driver) local.storage = { driver };
    if ((driver ?? config.storage.driver) === 'sqlite' && !isAbsolute(config.storage.path)) {
      local.storage = { ...local.storage, path: resolve(this.cwd, config.storage.path) };
    }
    return Object.keys(local).length ? loaded.withOverrides(local) : loaded;
  }
}
