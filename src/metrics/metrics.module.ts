import { Global, Module, OnModuleInit } from '@nestjs/common';
import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import { METRIC } from './metric-names';
import { MetricsService } from './metrics.service';
import { MetricsController } from './metrics.controller';
import { PrometheusMetricsController } from './prometheus-metrics.controller';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const TASK_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/**
 * Default process metrics whose names break Prometheus naming rules (gauges ending in _total);
 * `promtool check metrics` rejects them, so they are not exported.
 */
const NON_CONFORMING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

@Global()
@Module({
  imports: [
    PrometheusModule.register({
      controller: PrometheusMetricsController,
      path: '/metrics',
      defaultMetrics: { enabled: true },
    }),
  ],
  controllers: [MetricsController],
  providers: [
    MetricsService,
    makeCounterProvider({
      name: METRIC.requests,
      help: 'HTTP requests by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
    }),
    makeHistogramProvider({
      name: METRIC.requestDuration,
      help: 'HTTP request duration in seconds',
      labelNames: ['method', 'route', 'status_code'],
      buckets: LATENCY_BUCKETS,
    }),
    makeCounterProvider({
      name: METRIC.tasks,
      help: 'Tasks accepted, by priority',
      labelNames: ['priority'],
    }),
    makeCounterProvider({ name: METRIC.tasksCompleted, help: 'Tasks completed' }),
    makeCounterProvider({
      name: METRIC.tasksFailed,
      help: 'Tasks failed or timed out, by error code',
      labelNames: ['code'],
    }),
    makeCounterProvider({ name: METRIC.tasksCancelled, help: 'Tasks cancelled' }),
    makeCounterProvider({ name: METRIC.tasksTimedOut, help: 'Tasks that hit their timeout' }),
    makeGaugeProvider({ name: METRIC.activeTasks, help: 'Tasks running now' }),
    makeGaugeProvider({ name: METRIC.queuedTasks, help: 'Tasks waiting in the queue' }),
    makeHistogramProvider({
      name: METRIC.taskDuration,
      help: 'Task run time in seconds, by terminal status',
      labelNames: ['status'],
      buckets: TASK_BUCKETS,
    }),
    makeCounterProvider({
      name: METRIC.modelRequests,
      help: 'Logical model calls by provider, model and outcome',
      labelNames: ['provider', 'model', 'outcome'],
    }),
    makeCounterProvider({
      name: METRIC.modelAttempts,
      help: 'Model HTTP request attempts, retries and re-sends included',
      labelNames: ['provider', 'model'],
    }),
    makeHistogramProvider({
      name: METRIC.modelRequestDuration,
      help: 'Model call latency in seconds (retries included)',
      labelNames: ['provider', 'model', 'outcome'],
      buckets: LATENCY_BUCKETS,
    }),
    makeCounterProvider({
      name: METRIC.modelTokens,
      help: 'Model tokens by type (prompt, completion)',
      labelNames: ['provider', 'model', 'type'],
    }),
    makeCounterProvider({
      name: METRIC.modelLimiterWait,
      help: 'Seconds model calls waited in the shared provider limiter',
      labelNames: ['provider', 'reason'],
    }),
    makeCounterProvider({
      name: METRIC.toolCalls,
      help: 'Tool calls by tool and outcome (ok, error, denied)',
      labelNames: ['tool', 'outcome'],
    }),
    makeHistogramProvider({
      name: METRIC.toolDuration,
      help: 'Tool call duration in seconds',
      labelNames: ['tool', 'outcome'],
      buckets: LATENCY_BUCKETS,
    }),
    makeGaugeProvider({ name: METRIC.cpu, help: 'Process CPU usage in percent of one core' }),
    makeGaugeProvider({ name: METRIC.memory, help: 'Process resident memory in MiB' }),
    makeCounterProvider({
      name: METRIC.storeErrors,
      help: 'Task store writes that failed (commit, write, probe)',
      labelNames: ['operation'],
    }),
  ],
  exports: [MetricsService],
})
export class MetricsModule implements OnModuleInit {
  onModuleInit(): void {
    for (const name of NON_CONFORMING_DEFAULTS) register.removeSingleMetric(name);
  }
}
