import { DynamicModule, Module } from '@nestjs/common';
import { MODEL_RETRY_TIMING, ModelRegistry } from './model.registry';
import { ProviderLimiterRegistry } from './provider-limiter.registry';
import { RetryTiming } from './retry-policy';

/**
 * The model layer (docs/models.md): the registry that hands each new task its LanguageModel, and
 * the shared per-provider limiters. Needs the global AppConfigModule and MetricsModule. Import
 * `ModelModule` as is, or `ModelModule.forRoot({ retryTiming })` to shorten the backoff between
 * retries (tests).
 */
@Module({
  providers: [ProviderLimiterRegistry, ModelRegistry],
  exports: [ModelRegistry, ProviderLimiterRegistry],
})
export class ModelModule {
  static forRoot(options: { retryTiming?: RetryTiming } = {}): DynamicModule {
    return {
      module: ModelModule,
      providers: options.retryTiming
        ? [{ provide: MODEL_RETRY_TIMING, useValue: options.retryTiming }]
        : [],
    };
  }
}
