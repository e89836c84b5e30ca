import { Injectable } from '@nestjs/common';
import type { LogLevel } from '../config/config.schema';
import { ApiClientBuilder } from '../client/api-client.builder';
import { TaskRunnerClient } from '../client/task-runner.client';
import type { AgentConfig } from '../library/agent-config';
import { StderrLogger } from '../library/stderr-logger';
import { TaskRunnerService } from '../library/task-runner.service';
import { CliIo } from './cli-io';

export interface EmbeddedService {
  service: TaskRunnerService;
  client: TaskRunnerClient;
}

/**
 * Starts the service in this process for a command: the core providers, no HTTP (docs/cli.md), with
 * logs on stderr at `logLevel`. The command closes it when done.
 */
@Injectable()
export class EmbeddedServiceLauncher {
  constructor(private readonly io: CliIo) {}

  async start(config: AgentConfig, logLevel: LogLevel = 'warn'): Promise<EmbeddedService> {
    const service = await TaskRunnerService.create(undefined, config, {
      logger: new StderrLogger(logLevel, (line) => this.io.err(line)),
    });
    return { service, client: new TaskRunnerClient(ApiClientBuilder.inProcess(service)) };
  }
}
