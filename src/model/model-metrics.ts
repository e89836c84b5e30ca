/** The facts a model call reports; MetricsService satisfies it (unit tests pass a recorder). */
export interface ModelMetricsSink {
  /** One HTTP attempt sent (retries included). */
  modelAttempt(provider: string, model: string): void;
  /** One logical call, after its retries. */
  modelRequest(
    provider: string,
    model: string,
    outcome: 'success' | 'error' | 'aborted',
    seconds: number,
    tokens?: { prompt: number; completion: number },
  ): void;
  /** Time spent waiting in the shared provider limiter. */
  modelLimiterWait(provider: string, reason: 'concurrency' | 'rate_limit', seconds: number): void;
}
