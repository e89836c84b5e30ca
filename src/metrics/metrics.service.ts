import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsSnapshotDto } from './dto/metrics-snapshot.dto';
import { METRIC } from './metric-names';

export type MetricsSnapshot = MetricsSnapshotDto;

export type ToolOutcome = 'ok' | 'error' | 'denied';
export type ModelOutcome = 'success' | 'error' | 'aborted';
import type { TerminalStatus } from '../contracts/task.types';

export type TaskTerminalStatus = TerminalStatus;
/** What failed in the store: a turn's commit, one write, or the readiness probe's write. */
export type StoreOperation = 'commit' | 'write' | 'probe';

/**
 * The metrics façade: domain code reports facts here; only src/metrics/ knows prom-client.
 */
@Injectable()
export class MetricsService {
  constructor(
    @InjectMetric(METRIC.requests) private readonly requests: Counter<string>,
    @InjectMetric(METRIC.requestDuration) private readonly requestDuration: Histogram<string>,
    @InjectMetric(METRIC.tasks) private readonly tasks: Counter<string>,
    @InjectMetric(METRIC.tasksCompleted) private readonly tasksCompleted: Counter<string>,
    @InjectMetric(METRIC.tasksFailed) private readonly tasksFailed: Counter<string>,
    @InjectMetric(METRIC.tasksCancelled) private readonly tasksCancelled: Counter<string>,
    @InjectMetric(METRIC.tasksTimedOut) private readonly tasksTimedOut: Counter<string>,
    @InjectMetric(METRIC.activeTasks) private readonly activeTasks: Gauge<string>,
    @InjectMetric(METRIC.queuedTasks) private readonly queuedTasks: Gauge<string>,
    @InjectMetric(METRIC.taskDuration) private readonly taskDuration: Histogram<string>,
    @InjectMetric(METRIC.modelRequests) private readonly modelRequests: Counter<string>,
    @InjectMetric(METRIC.modelAttempts) private readonly modelAttempts: Counter<string>,
    @InjectMetric(METRIC.modelRequestDuration) private readonly modelDuration: Histogram<string>,
    @InjectMetric(METRIC.modelTokens) private readonly modelTokens: Counter<string>,
    @InjectMetric(METRIC.modelLimiterWait) private readonly limiterWait: Counter<string>,
    @InjectMetric(METRIC.toolCalls) private readonly toolCalls: Counter<string>,
    @InjectMetric(METRIC.toolDuration) private readonly toolDuration: Histogram<string>,
    @InjectMetric(METRIC.cpu) private readonly cpu: Gauge<string>,
    @InjectMetric(METRIC.memory) private readonly memory: Gauge<string>,
    @InjectMetric(METRIC.storeErrors) private readonly storeErrors: Counter<string>,
  ) {}

  /** One HTTP request; `route` is the route template, never the raw URL. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    const labels = { method, route, status_code: String(statusCode) };
    this.requests.inc(labels);
    this.requestDuration.observe(labels, seconds);
  }

  taskSubmitted(priority: string): void {
    this.tasks.inc({ priority });
  }

  taskFinished(status: TaskTerminalStatus, errorCode: string | null, seconds: number): void {
    if (status === 'completed') this.tasksCompleted.inc();
    else if (status === 'cancelled') this.tasksCancelled.inc();
    else if (status === 'timeout') this.tasksTimedOut.inc();
    if (status === 'failed' || status === 'timeout') {
      this.tasksFailed.inc({
        code: errorCode ?? (status === 'timeout' ? 'TASK_TIMEOUT' : 'UNKNOWN'),
      });
    }
    this.taskDuration.observe({ status }, seconds);
  }

  setTaskGauges(active: number, queued: number): void {
    this.activeTasks.set(active);
    this.queuedTasks.set(queued);
  }

  /** One model request attempt sent over the wire (retries and re-sends included). */
  modelAttempt(provider: string, model: string): void {
    this.modelAttempts.inc({ provider, model });
  }

  /** One logical model call, after its retries. */
  modelRequest(
    provider: string,
    model: string,
    outcome: ModelOutcome,
    seconds: number,
    tokens?: { prompt: number; completion: number },
  ): void {
    this.modelRequests.inc({ provider, model, outcome });
    this.modelDuration.observe({ provider, model, outcome }, seconds);
    if (tokens) {
      if (tokens.prompt) this.modelTokens.inc({ provider, model, type: 'prompt' }, tokens.prompt);
      if (tokens.completion) {
        this.modelTokens.inc({ provider, model, type: 'completion' }, tokens.completion);
      }
    }
  }

  /** Time a call spent waiting in the shared provider limiter (concurrency cap or Retry-After). */
  modelLimiterWait(provider: string, reason: 'concurrency' | 'rate_limit', seconds: number): void {
    this.limiterWait.inc({ provider, reason }, seconds);
  }

  toolCalled(tool: string, outcome: ToolOutcome, seconds: number): void {
    this.toolCalls.inc({ tool, outcome });
    this.toolDuration.observe({ tool, outcome }, seconds);
  }

  /** A store write that failed (full disk, I/O error, lock held too long). */
  storeError(operation: StoreOperation): void {
    this.storeErrors.inc({ operation });
  }

  /** Refreshes the CPU and memory gauges (called before every scrape and snapshot). */
  sampleSystem(): { cpuPercent: number; memoryMb: number } {
    const now = process.hrtime.bigint();
    const usage = process.cpuUsage();
    const cpuMicros = usage.user + usage.system;
    const elapsedMicros = Number(now - this.lastSample.at) / 1000;
    if (elapsedMicros > 50_000) {
      this.lastSample.percent = (100 * (cpuMicros - this.lastSample.cpuMicros)) / elapsedMicros;
      this.lastSample = { at: now, cpuMicros, percent: this.lastSample.percent };
    }
    const memoryMb = process.memoryUsage.rss() / (1024 * 1024);
    this.cpu.set(round(this.lastSample.percent));
    this.memory.set(round(memoryMb));
    return { cpuPercent: round(this.lastSample.percent), memoryMb: round(memoryMb) };
  }

  private lastSample = {
    at: process.hrtime.bigint(),
    cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
    percent: 0,
  };

  async snapshot(): Promise<MetricsSnapshot> {
    const system = this.sampleSystem();
    const { tasks, errorCounts } = await this.taskFigures();
    const model = await this.modelFigures();
    const [tools, http, httpDur] = await Promise.all([
      this.toolCalls.get(),
      this.requests.get(),
      this.requestDuration.get(),
    ]);
    return {
      tasks,
      model,
      http: { requests: sum(http.values), average_latency_ms: histogramAverageMs(httpDur.values) },
      tool_usage: sumByLabel(tools.values, 'tool'),
      error_counts: errorCounts,
      system: {
        cpu_usage_percent: system.cpuPercent,
        memory_usage_mb: system.memoryMb,
        uptime_seconds: Math.round(process.uptime()),
      },
    };
  }

  /** The task counters, and the failures by error code (cancellations as TASK_CANCELLED). */
  private async taskFigures(): Promise<{
    tasks: MetricsSnapshot['tasks'];
    errorCounts: Record<string, number>;
  }> {
    const [tasks, completed, failed, cancelled, timedOut, active, queued, duration] =
      await Promise.all([
        this.tasks.get(),
        this.tasksCompleted.get(),
        this.tasksFailed.get(),
        this.tasksCancelled.get(),
        this.tasksTimedOut.get(),
        this.activeTasks.get(),
        this.queuedTasks.get(),
        this.taskDuration.get(),
      ]);
    const errorCounts = sumByLabel(failed.values, 'code');
    const cancelledCount = sum(cancelled.values);
    if (cancelledCount)
      errorCounts.TASK_CANCELLED = (errorCounts.TASK_CANCELLED ?? 0) + cancelledCount;
    return {
      tasks: {
        total: sum(tasks.values),
        completed: sum(completed.values),
        failed: sum(failed.values),
        cancelled: cancelledCount,
        timeout: sum(timedOut.values),
        active: sum(active.values),
        queued: sum(queued.values),
        average_duration_ms: histogramAverageMs(duration.values),
      },
      errorCounts,
    };
  }

  private async modelFigures(): Promise<MetricsSnapshot['model']> {
    const [requests, attempts, duration, tokenCounts, limiterWait] = await Promise.all([
      this.modelRequests.get(),
      this.modelAttempts.get(),
      this.modelDuration.get(),
      this.modelTokens.get(),
      this.limiterWait.get(),
    ]);
    const tokens = { prompt: 0, completion: 0, total: 0 };
    for (const v of tokenCounts.values) {
      const type = v.labels.type as 'prompt' | 'completion';
      tokens[type] += v.value;
      tokens.total += v.value;
    }
    return {
      requests: sum(requests.values),
      attempts: sum(attempts.values),
      errors: sum(requests.values.filter((v) => v.labels.outcome === 'error')),
      average_latency_ms: histogramAverageMs(duration.values),
      tokens,
      limiter_wait_seconds_total: round(sum(limiterWait.values)),
    };
  }
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

function sum(values: MetricValue[]): number {
  return values.reduce((acc, v) => acc + v.value, 0);
}

/** The values summed per value of one label. */
function sumByLabel(values: MetricValue[], label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values)
    out[String(v.labels[label])] = (out[String(v.labels[label])] ?? 0) + v.value;
  return out;
}

function histogramAverageMs(values: MetricValue[]): number {
  let total = 0;
  let count = 0;
  for (const v of values) {
    if (v.metricName?.endsWith('_sum')) total += v.value;
    else if (v.metricName?.endsWith('_count')) count += v.value;
  }
  return count ? round((total / count) * 1000) : 0;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
