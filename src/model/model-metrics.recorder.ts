import { ModelMetricsSink } from './model-metrics';

/** A {@link ModelMetricsSink} that keeps what it is told (library use without Prometheus, tests). */
export class ModelMetricsRecorder implements ModelMetricsSink {
  readonly attempts: Array<{ provider: string; model: string }> = [];
  readonly requests: Array<{
    provider: string;
    model: string;
    outcome: 'success' | 'error' | 'aborted';
    seconds: number;
    tokens?: { prompt: number; completion: number };
  }> = [];
  readonly limiterWaits: Array<{
    provider: string;
    reason: 'concurrency' | 'rate_limit';
    seconds: number;
  }> = [];

  modelAttempt(provider: string, model: string): void {
    this.attempts.push({ provider, model });
  }

  modelRequest(
    provider: string,
    model: string,
    outcome: 'success' | 'error' | 'aborted',
    seconds: number,
    tokens?: { prompt: number; completion: number },
  ): void {
    this.requests.push({ provider, model, outcome, seconds, ...(tokens ? { tokens } : {}) });
  }

  modelLimiterWait(provider: string, reason: 'concurrency' | 'rate_limit', seconds: number): void {
    this.limiterWaits.push({ provider, reason, seconds });
  }
}
