/** Public API of the model layer (SPEC 4). */
export * from './language-model';
export { ModelModule } from './model.module';
export { MODEL_RETRY_TIMING, ModelRegistry } from './model.registry';
export type { ModelDescription } from './model.registry';
export { ProviderLimiterRegistry } from './provider-limiter.registry';
export { ProviderLimiter } from './provider-limiter';
export type { LimiterGrant } from './provider-limiter';
export { OpenAICompatibleModel } from './openai-compatible.model';
export type { OpenAICompatibleModelDeps } from './openai-compatible.model';
export { OfflineLanguageModel, OFFLINE_PROVIDER } from './offline/offline.model';
export { OFFLINE_LABEL } from './offline/offline-answer.composer';
export type { ModelMetricsSink } from './model-metrics';
export { ModelMetricsRecorder } from './model-metrics.recorder';
export { PROVIDER_PROFILES, resolveModelSettings } from './model-providers';
export type { ModelSettings, ProviderProfile } from './model-providers';
export { DEFAULT_RETRY_TIMING } from './retry-policy';
export type { RetryTiming } from './retry-policy';
export { extractTaskText, wrapTaskText } from './task-text';
