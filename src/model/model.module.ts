import { DynamicModule, Module, OnModuleInit, Optional } from '@nestjs/common';
import { ReadinessRegistry } from '../contracts/readiness.registry';
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
export class ModelModule implements OnModuleInit {
  constructor(
    private readonly models: ModelRegistry,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {}

  /** Readiness: whether the model can be called (key present where required); never calls a paid API. */
  onModuleInit(): void {
    this.readiness?.register({
      name: 'model',
      check: () => {
        const { ready, ...model } = this.models.describe();
        return { ok: ready, ...model };
      },
    });
  }

  static forRoot(options: { retryTiming?: RetryTiming } = {}): DynamicModule {
    return {
      module: ModelModule,
      providers: options.retryTiming
        ? [{ provide: MODEL_RETRY_TIMING, useValue: options.retryTiming }]
        : [],
    };
  }
}
