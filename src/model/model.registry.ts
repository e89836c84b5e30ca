import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { ModelConfig, PartialConfig } from '../config/config.schema';
import { ConfigIssue } from '../config/config.validation';
import { MetricsService } from '../metrics/metrics.service';
import { LanguageModel } from './language-model';
import { ModelSettings, resolveModelSettings } from './model-providers';
import { OFFLINE_PROVIDER, OfflineLanguageModel } from './offline/offline.model';
import { OpenAICompatibleModel } from './openai-compatible.model';
import { ProviderLimiterRegistry } from './provider-limiter.registry';
import { RetryTiming } from './retry-policy';

/** Optional provider token: retry timing for model calls (tests shorten the backoff). */
export const MODEL_RETRY_TIMING = Symbol('MODEL_RETRY_TIMING');

/** The model in effect, for /api/v1/status and /health/ready (no key, no paid call). */
export interface ModelDescription {
  provider: string;
  model_name: string;
  /** Base URL calls go to, credentials removed; null for the offline planner. */
  endpoint: string | null;
  tool_protocol: 'native' | 'json' | 'none';
  offline: boolean;
  /** Whether calls can be made (key present where required, endpoint known). */
  ready: boolean;
  /** Why it is not ready, or why the offline planner is in use. */
  reason?: string;
}

interface Built {
  model: LanguageModel;
  description: ModelDescription;
}

/**
 * The model for new tasks, built from the live `model` config section. A task calls
 * {@link current} once at start and keeps that instance, so a live swap
 * (PUT /api/v1/config/model) reaches tasks started afterwards while running ones keep theirs.
 */
@Injectable()
export class ModelRegistry implements OnModuleDestroy {
  private readonly logger = new Logger(ModelRegistry.name);
  private built?: Built;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
    private readonly limiters: ProviderLimiterRegistry,
    @Optional() @Inject(MODEL_RETRY_TIMING) private readonly retryTiming?: RetryTiming,
  ) {
    this.unsubscribe = config.onChange('model', () => {
      this.built = undefined;
      const d = this.describe();
      this.logger.log(
        { provider: d.provider, model: d.model_name, ready: d.ready },
        'model configuration changed',
      );
    });
  }

  /** A model bound to the configuration at the time of the call. */
  current(): LanguageModel {
    return this.build().model;
  }

  /** Provider, model, endpoint and readiness of the model new tasks get. */
  describe(): ModelDescription {
    return { ...this.build().description };
  }

  /**
   * Problems a model update would cause beyond the config schema's own rules: a provider with
   * no endpoint to call or no key where one is required. Empty when the update is usable.
   */
  validateModelUpdate(patch: PartialConfig['model']): ConfigIssue[] {
    const { errors, next } = this.config.check({ model: patch ?? {} });
    if (!next) return errors;
    const provider = this.config.effectiveProvider(next.model);
    if (provider === OFFLINE_PROVIDER) return [];
    const settings = resolveModelSettings(
      provider,
      next.model,
      this.config.modelApiKey(next.model),
    );
    if (!settings.notConfigured) return [];
    return settings.notConfigured.split('; ').map((message) => ({
      path: /endpoint/.test(message)
        ? 'model.endpoint'
        : /model_name/.test(message)
          ? 'model.model_name'
          : 'model.api_key',
      message,
    }));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private build(): Built {
    if (this.built) return this.built;
    const section: ModelConfig = this.config.get('model');
    const provider = this.config.effectiveProvider(section);
    if (provider === OFFLINE_PROVIDER) {
      this.built = {
        model: new OfflineLanguageModel(this.metrics),
        description: {
          provider: OFFLINE_PROVIDER,
          model_name: OFFLINE_PROVIDER,
          endpoint: null,
          tool_protocol: 'none',
          offline: true,
          ready: true,
          reason: 'built-in offline planner (no AI): no model provider or key is configured',
        },
      };
      return this.built;
    }
    const settings = resolveModelSettings(provider, section, this.config.modelApiKey(section));
    const limiter = this.limiters.forProvider(
      settings.provider,
      settings.endpoint,
      settings.apiKey,
      settings.maxConcurrentRequests,
    );
    this.built = {
      model: new OpenAICompatibleModel(settings, {
        limiter,
        metrics: this.metrics,
        ...(this.retryTiming ? { retryTiming: this.retryTiming } : {}),
      }),
      description: describeSettings(settings),
    };
    return this.built;
  }
}

function describeSettings(settings: ModelSettings): ModelDescription {
  return {
    provider: settings.provider,
    model_name: settings.model,
    endpoint: settings.endpoint ? withoutCredentials(settings.endpoint) : null,
    tool_protocol: settings.toolProtocol,
    offline: false,
    ready: !settings.notConfigured,
    ...(settings.notConfigured ? { reason: settings.notConfigured } : {}),
  };
}

function withoutCredentials(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return endpoint;
  }
}
