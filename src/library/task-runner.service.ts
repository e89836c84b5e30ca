import type { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { AgentRunnerError } from '../common/errors';
import type { AgentRunnerConfig, DeepPartial, ServiceConfig } from '../config/config.schema';
import { clonePlain } from '../config/deep-merge';
import { AgentConfig } from './agent-config';
import type { CoreProviders } from './core-providers';
import { StderrLogger } from './stderr-logger';

/** Overrides of the `[service]` section (max_concurrent_tasks, default_task_timeout, …). */
export type ServiceConfigOverrides = DeepPartial<ServiceConfig>;

export interface TaskRunnerServiceOptions {
  /**
   * Where the service's own logs go: a Nest `LoggerService`, a list of Nest log levels for Nest's
   * console logger, or `false` for none. Default: warnings and errors, one line each, on stderr.
   */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * agent-runner embedded in your process (README.md, Library (TypeScript)): the same providers as
 * the HTTP server (store, queue, agent loop, tools, model), without HTTP. Talk to it through
 * `new TaskRunnerClient(ApiClientBuilder.inProcess(service))`; call {@link close} when done.
 *
 * This is the library facade; the Nest provider that queues and runs tasks inside it is
 * `src/agent/task-runner.service.ts`.
 */
export class TaskRunnerService {
  private readonly closing = new AbortController();
  private closed?: Promise<void>;

  private constructor(
    /** The Nest application context (advanced use: `service.context.get(SomeProvider)`). */
    readonly context: INestApplicationContext,
    /** The use-case providers the in-process client calls. */
    readonly providers: CoreProviders,
  ) {}

  /**
   * Starts an embedded service. `agentConfig` defaults to what the server would load
   * ({@link AgentConfig.load}); `serviceConfig` overrides its `[service]` section. Restart
   * recovery runs here (docs/api.md, Lifecycle and guarantees) when the store is the SQLite file.
   */
  static async create(
    serviceConfig?: ServiceConfigOverrides,
    agentConfig?: AgentConfig,
    options: TaskRunnerServiceOptions = {},
  ): Promise<TaskRunnerService> {
    let config = agentConfig ?? AgentConfig.load();
    if (serviceConfig && Object.keys(serviceConfig).length) {
      config = config.withOverrides({ service: serviceConfig });
    }
    // Loaded here, not at import time: a client that only speaks HTTP never loads the service.
    const { bootCore } = await import('./core-bootstrap');
    const { context, providers } = await bootCore(
      config.loaded,
      options.logger ?? new StderrLogger('warn'),
    );
    return new TaskRunnerService(context, providers);
  }

  /** The live configuration (a copy, secrets included: do not print it; see `getConfig()`). */
  get config(): AgentRunnerConfig {
    return clonePlain(this.providers.config.all);
  }

  /** Aborted when {@link close} starts: in-process waits and event streams end with it. */
  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  get isClosed(): boolean {
    return this.closing.signal.aborted;
  }

  /**
   * Stops the service: pending waits end with SERVICE_UNAVAILABLE, running tasks are stopped
   * (they end as TASK_INTERRUPTED) and the store is closed. Safe to call more than once.
   */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort(new AgentRunnerError('SERVICE_UNAVAILABLE', 'The service was closed.'));
      await this.context.close();
    })();
    return this.closed;
  }
}
