import type { INestApplicationContext, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigAdminService } from '../admin/config-admin.service';
import { TaskBatchService } from '../agent/batches/task-batch.service';
import { TaskEventsService } from '../agent/tasks/task-events.service';
import { TasksService } from '../agent/tasks/tasks.service';
import { CoreModule } from '../app/core.module';
import { AppConfigService } from '../config/app-config.service';
import type { LoadedConfig } from '../config/config.loader';
import { SandboxProbe } from '../execution/sandbox/sandbox-probe.service';
import { ToolRegistry } from '../execution/tool-registry.service';
import { MetricsService } from '../metrics/metrics.service';
import { StatusService } from '../status/status.service';
import type { CoreProviders } from './core-providers';

export interface BootedCore {
  context: INestApplicationContext;
  providers: CoreProviders;
}

/**
 * Boots the core module without HTTP (no controllers, guards or sockets) and initialises it, so
 * restart recovery runs and the dispatcher starts. Loaded lazily by `TaskRunnerService.create`.
 */
export async function bootCore(
  loaded: LoadedConfig,
  logger: LoggerService | LogLevel[] | false,
): Promise<BootedCore> {
  const context = await NestFactory.createApplicationContext(CoreModule.forRoot(loaded), {
    logger,
    abortOnError: false,
  });
  await context.init();
  return {
    context,
    providers: {
      tasks: context.get(TasksService),
      batches: context.get(TaskBatchService),
      events: context.get(TaskEventsService),
      status: context.get(StatusService),
      metrics: context.get(MetricsService),
      tools: context.get(ToolRegistry),
      sandbox: context.get(SandboxProbe),
      configAdmin: context.get(ConfigAdminService),
      config: context.get(AppConfigService),
    },
  };
}
