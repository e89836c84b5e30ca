import { DisabledToolDto } from '../execution/dto/tools-response.dto';

export class StatusModelDto {
  provider!: string;
  model_name!: string;
  /** Base URL calls go to (no credentials); null for the offline planner. */
  endpoint!: string | null;
  offline!: boolean;
  /** Whether calls can be made (key present where required). */
  ready!: boolean;
  reason?: string;
}

export class SystemMetricsDto {
  cpu_usage_percent!: number;
  memory_usage_mb!: number;
  uptime_seconds!: number;
}

/** GET /api/v1/status (SPEC 2). Task counts are since the process started; active/queued are now. */
export class ServiceStatusDto {
  name!: string;
  version!: string;
  /** healthy when every readiness check is up, else degraded. */
  health!: 'healthy' | 'degraded';
  uptime_seconds!: number;
  active_tasks!: number;
  queued_tasks!: number;
  total_tasks!: number;
  completed_tasks!: number;
  failed_tasks!: number;
  cancelled_tasks!: number;
  model!: StatusModelDto;
  available_tools!: string[];
  /** Enabled tools that cannot be used here (run_command without an OS sandbox), with the reason. */
  disabled_tools!: DisabledToolDto[];
  /** The command sandbox in effect (bwrap or none) and why. */
  sandbox!: Record<string, unknown>;
  /** Readiness checks: up or down. */
  checks!: Record<string, 'up' | 'down'>;
  system_metrics!: SystemMetricsDto;
}
