import type { ConfigAdminService } from '../admin/config-admin.service';
import type { TaskBatchService } from '../agent/batches/task-batch.service';
import type { TaskEventsService } from '../agent/tasks/task-events.service';
import type { TasksService } from '../agent/tasks/tasks.service';
import type { AppConfigService } from '../config/app-config.service';
import type { SandboxProbe } from '../execution/sandbox/sandbox-probe.service';
import type { ToolRegistry } from '../execution/tool-registry.service';
import type { MetricsService } from '../metrics/metrics.service';
import type { StatusService } from '../status/status.service';

/**
 * The use cases an embedded service exposes: the same provider instances the HTTP controllers
 * call. Types only here, so importing the package does not load the whole service.
 */
export interface CoreProviders {
  tasks: TasksService;
  batches: TaskBatchService;
  events: TaskEventsService;
  status: StatusService;
  metrics: MetricsService;
  tools: ToolRegistry;
  sandbox: SandboxProbe;
  configAdmin: ConfigAdminService;
  config: AppConfigService;
}
