import { DynamicModule, Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module';
import { AgentModule } from '../agent/agent.module';
import { AppConfigModule } from '../config/app-config.module';
import { ConfigLoadOptions, LoadedConfig } from '../config/config.loader';
import { HealthModule } from '../health/health.module';
import { MetricsModule } from '../metrics/metrics.module';
import { StatusModule } from '../status/status.module';

/**
 * Everything the product is, without HTTP plumbing: config, metrics, readiness, model, execution,
 * planning and the task service. The HTTP app, the CLI and the library all boot this module.
 */
@Module({})
export class CoreModule {
  static forRoot(config: ConfigLoadOptions | LoadedConfig = {}): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        AppConfigModule.forRoot(config),
        MetricsModule,
        HealthModule,
        AdminModule,
        AgentModule,
        StatusModule,
      ],
    };
  }
}
