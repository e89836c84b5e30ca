import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fchmodSync,
  fsyncSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Subject, Observable } from 'rxjs';
import * as yaml from 'js-yaml';
import { stringify as stringifyToml } from 'smol-toml';
import {
  AgentRunnerConfig,
  ConfigSectionName,
  ModelProvider,
  PartialConfig,
  RESTART_ONLY_PATHS,
} from './config.schema';
import { effectiveProvider, LoadedConfig, modelApiKey, readConfigFile } from './config.loader';
import { collectSecrets, redactConfig } from './config.redaction';
import { ConfigIssue, ConfigValidationError, validateConfig } from './config.validation';
import { clonePlain, deepMerge, isPlainObject } from './deep-merge';

/** Published after every accepted live update. */
export interface ConfigChange {
  previous: AgentRunnerConfig;
  current: AgentRunnerConfig;
  /** Top-level sections whose values changed. */
  sections: ConfigSectionName[];
}

/**
 * The live configuration: the one place every module reads settings from at the moment it needs
 * them, so a live update (PUT /api/v1/config*) reaches readers instead of a stale copy.
 */
@Injectable()
export class AppConfigService {
  private readonly logger = new Logger(AppConfigService.name);
  private current: AgentRunnerConfig;
  /** Everything the live layer has changed since start (persisted when asked). */
  private liveLayer: Record<string, unknown> = {};
  private readonly changes = new Subject<ConfigChange>();

  private secretsOf?: { config: AgentRunnerConfig; list: string[] };
  /** Rules of other modules that depend on the host, not the schema (e.g. a missing program). */
  private readonly updateChecks = new Set<(next: AgentRunnerConfig) => ConfigIssue[]>();

  constructor(private readonly loaded: LoadedConfig) {
    this.current = loaded.config;
  }

  /** The current value of one section. Read it when you use it; do not keep it. */
  get<S extends ConfigSectionName>(section: S): AgentRunnerConfig[S] {
    return this.current[section];
  }

  /** The whole current configuration (do not mutate). */
  get all(): AgentRunnerConfig {
    return this.current;
  }

  /** Emits after each accepted update. */
  get changes$(): Observable<ConfigChange> {
    return this.changes.asObservable();
  }

  /** Calls `listener` after each update that touched `section`; returns an unsubscribe function. */
  onChange(section: ConfigSectionName, listener: (change: ConfigChange) => void): () => void {
    const sub = this.changes$.subscribe((c) => {
      if (c.sections.includes(section)) listener(c);
    });
    return () => sub.unsubscribe();
  }

  get file(): string | undefined {
    return this.loaded.file;
  }

  get warnings(): ConfigIssue[] {
    return this.loaded.warnings;
  }

  /** The model provider in effect: the configured one, else openai with a key, else offline. */
  effectiveProvider(model = this.current.model): ModelProvider {
    return effectiveProvider(model, this.loaded.providerEnvKeys);
  }

  /** The model key in effect: model.api_key, else the provider's own variable. */
  modelApiKey(model = this.current.model): string | undefined {
    return modelApiKey(model, this.loaded.providerEnvKeys);
  }

  /** Provider keys found in the providers' own variables at start (never shown). */
  get providerEnvKeys(): LoadedConfig['providerEnvKeys'] {
    return this.loaded.providerEnvKeys;
  }

  /** The configuration fit to show: secrets masked, `*_set` flags added. */
  redacted(): Record<string, unknown> {
    const shown = redactConfig(clonePlain(this.current)) as unknown as Record<string, unknown>;
    const model = shown.model as Record<string, unknown>;
    const key = this.modelApiKey();
    model.api_key_set = Boolean(key);
    if (key && !model.api_key) model.api_key = redactConfig({ api_key: key }).api_key;
    model.effective_provider = this.effectiveProvider();
    return shown;
  }

  /** Every secret currently configured (model key, API keys), for scrubbing text. */
  secrets(): string[] {
    // tools scrub every output with these: worked out once per configuration, not per call
    if (this.secretsOf?.config !== this.current) {
      const env = Object.values(this.loaded.providerEnvKeys).filter((v): v is string => !!v);
      this.secretsOf = {
        config: this.current,
        list: [...collectSecrets(clonePlain(this.current)), ...env],
      };
    }
    return [...this.secretsOf.list];
  }

  /**
   * Adds a rule every live update must pass besides the schema (its issues refuse the update);
   * returns the function that removes it.
   */
  addUpdateCheck(check: (next: AgentRunnerConfig) => ConfigIssue[]): () => void {
    this.updateChecks.add(check);
    return () => this.updateChecks.delete(check);
  }

  /** Validates a partial config merged onto the current one, without applying it. */
  check(patch: PartialConfig): {
    errors: ConfigIssue[];
    warnings: ConfigIssue[];
    next?: AgentRunnerConfig;
  } {
    if (!isPlainObject(patch))
      return { errors: [{ path: '', message: 'expected an object' }], warnings: [] };
    const errors = restartOnlyChanges(this.current, patch as Record<string, unknown>);
    const merged = deepMerge(
      clonePlain(this.current) as unknown as Record<string, unknown>,
      patch as Record<string, unknown>,
    );
    const result = validateConfig(merged);
    errors.push(...result.errors);
    if (!errors.length && result.config)
      for (const check of this.updateChecks) errors.push(...check(result.config));
    return { errors, warnings: result.warnings, next: errors.length ? undefined : result.config };
  }

  /**
   * Applies a live update. Throws ConfigValidationError (nothing changes) when invalid.
   * Lasts until restart unless service.persist_config_updates is true.
   */
  update(patch: PartialConfig): AgentRunnerConfig {
    const { errors, next } = this.check(patch);
    if (!next) throw new ConfigValidationError(errors, 'configuration update');
    const previous = this.current;
    this.current = next;
    this.liveLayer = deepMerge(this.liveLayer, patch as Record<string, unknown>);
    const sections = (Object.keys(next) as ConfigSectionName[]).filter(
      (s) => JSON.stringify(previous[s]) !== JSON.stringify(next[s]),
    );
    this.logger.log(`configuration updated live: ${sections.join(', ') || 'no change'}`);
    if (next.service.persist_config_updates) this.persist();
    this.changes.next({ previous, current: next, sections });
    return next;
  }

  /**
   * Writes the live updates into the config file: the file's own content with the updates merged
   * on top. Values that came from the environment or defaults are not copied into it (so keys
   * given as variables never land on disk through this path).
   */
  private persist(): void {
    const named = resolve(this.loaded.file ?? 'config.toml');
    // A config file reached through a link is rewritten where it really is.
    const target = existsSync(named) ? realpathSync(named) : named;
    const yamlFile = /\.ya?ml$/i.test(target);
    try {
      const fromFile = existsSync(target) ? readConfigFile(target) : {};
      const data = withoutNulls(deepMerge(fromFile, this.liveLayer));
      writePrivateFile(target, yamlFile ? yaml.dump(data) : stringifyToml(data));
    } catch (e) {
      this.logger.error(`could not persist configuration to ${target}: ${(e as Error).message}`);
    }
  }
}

/**
 * Replaces `target` with a file only its owner can read (0600, whatever the old file's mode was):
 * it may hold keys, and commands must not read it. Written beside it, then renamed over it.
 */
function writePrivateFile(target: string, text: string): void {
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, text, 'utf8');
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Drops keys set to null (an update's way of saying "unset"; TOML has no null). */
function withoutNulls(node: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (v === null) continue;
    out[k] = isPlainObject(v) ? withoutNulls(v) : v;
  }
  return out;
}

function restartOnlyChanges(
  current: AgentRunnerConfig,
  patch: Record<string, unknown>,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const path of RESTART_ONLY_PATHS) {
    const parts = path.split('.');
    let p: unknown = patch;
    let c: unknown = current;
    for (const part of parts) {
      p = isPlainObject(p) ? p[part] : undefined;
      c =
        isPlainObject(c) || (c && typeof c === 'object')
          ? (c as Record<string, unknown>)[part]
          : undefined;
    }
    if (p === undefined) continue;
    const merged = isPlainObject(p) && isPlainObject(c) ? deepMerge(clonePlain(c), p) : p;
    if (JSON.stringify(merged) !== JSON.stringify(c)) {
      issues.push({
        path,
        message: 'takes effect only at start-up; change the config file and restart',
      });
    }
  }
  return issues;
}
