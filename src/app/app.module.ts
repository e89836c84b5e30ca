import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { ApiKeyService } from '../auth/api-key.service';
import { AllExceptionsFilter } from '../common/all-exceptions.filter';
import { createValidationPipe } from '../common/validation.pipe';
import { ConfigLoadOptions, LoadedConfig } from '../config/config.loader';
import { LoggingModule } from '../logging/logging.module';
import { ApiThrottlerGuard } from '../throttling/api-throttler.guard';
import { ThrottlingModule } from '../throttling/throttling.module';
import { CoreModule } from './core.module';
import { HttpMetricsService } from './http-metrics.service';
import { ServiceLifecycleLogger } from './service-lifecycle.logger';
import { ExecutionModule } from '../execution/execution.module';
import { ModelModule } from '../model/model.module';
import { ShutdownCoordinator } from './shutdown-coordinator';

/**
 * The HTTP service: the core module plus the request pipeline. Pipe, filter and guards are APP_*
 * providers so every route (and every e2e test) gets the same pipeline; guards are registered by
 * `useExisting` so tests can override them. Order: API key first, then throttling per key.
 */
@Module({})
export class AppModule {
  static forRoot(config: ConfigLoadOptions | LoadedConfig = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        LoggingModule,
        ThrottlingModule,
        ModelModule,
        ExecutionModule,
      ],
      providers: [
        ServiceLifecycleLogger,
        ApiKeyService,
        ApiKeyGuard,
        HttpMetricsService,
        ShutdownCoordinator,
        { provide: APP_GUARD, useExisting: ApiKeyGuard },
        { provide: APP_GUARD, useExisting: ApiThrottlerGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [ApiKeyService, HttpMetricsService, ShutdownCoordinator],
    };
  }
}
