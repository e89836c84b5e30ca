import { Injectable } from '@nestjs/common';
import { TasksService } from '../agent/tasks/tasks.service';
import { packageVersion } from '../common/package-info';
import { SandboxProbe } from '../execution/sandbox/sandbox-probe.service';
import { ToolRegistry } from '../execution/tool-registry.service';
import { ReadinessRegistry } from '../contracts/readiness.registry';
import { MetricsService } from '../metrics/metrics.service';
import { ModelRegistry } from '../model/model.registry';
import { ServiceStatusDto } from './service-status.dto';

/** GET /api/v1/status: one view built from the same sources as /metrics and /health/ready. */
@Injectable()
export class StatusService {
  constructor(
    private readonly metrics: MetricsService,
    private readonly readiness: ReadinessRegistry,
    private readonly tasks: TasksService,
    private readonly models: ModelRegistry,
    private readonly tools: ToolRegistry,
    private readonly sandbox: SandboxProbe,
  ) {}

  async status(): Promise<ServiceStatusDto> {
    const [snapshot, ready] = await Promise.all([this.metrics.snapshot(), this.readiness.runAll()]);
    const model = this.models.describe();
    return {
      name: 'agent-runner',
      version: packageVersion(),
      health: ready.ok ? 'healthy' : 'degraded',
      uptime_seconds: snapshot.system.uptime_seconds,
      active_tasks: this.tasks.activeCount,
      queued_tasks: this.tasks.queuedCount,
      total_tasks: snapshot.tasks.total,
      completed_tasks: snapshot.tasks.completed,
      failed_tasks: snapshot.tasks.failed,
      cancelled_tasks: snapshot.tasks.cancelled,
      model: {
        provider: model.provider,
        model_name: model.model_name,
        endpoint: model.endpoint,
        offline: model.offline,
        ready: model.ready,
        ...(model.reason ? { reason: model.reason } : {}),
      },
      available_tools: this.tools.definitions().map((t) => t.name),
      disabled_tools: this.tools.disabledTools(),
      sandbox: { ...this.sandbox.status() },
      checks: Object.fromEntries(
        Object.entries(ready.checks).map(([k, v]) => [k, v.ok ? 'up' : 'down']),
      ),
      system_metrics: snapshot.system,
    };
  }
}
