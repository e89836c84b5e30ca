import { DisabledToolDto } from '../execution/dto/tools-response.dto';
import { ApiProperty } from '@nestjs/swagger';
import { SandboxStatusDto } from '../execution/dto/tools-response.dto';

export class StatusModelDto {
  /** The provider in effect (offline: the built-in planner, no AI). */
  provider!: string;
  /** The model new tasks use. */
  model_name!: string;
  /** Base URL calls go to (no credentials); null for the offline planner. */
  endpoint!: string | null;
  /** True when the built-in offline planner is in use. */
  offline!: boolean;
  /** Whether calls can be made (key present where required). */
  ready!: boolean;
  /** Why it is not ready, or why the offline planner is in use. */
  reason?: string;
}

export class SystemMetricsDto {
  /** CPU used by the process since the last sample, in percent of one core. */
  cpu_usage_percent!: number;
  /** Resident memory of the process. */
  memory_usage_mb!: number;
  /** Seconds since the process started. */
  uptime_seconds!: number;
}

/** GET /api/v1/status. Task counts are since the process started; active/queued are now. */
export class ServiceStatusDto {
  /** Always agent-runner. */
  name!: string;
  /** The service's version. */
  version!: string;
  /** healthy when every readiness check is up, else degraded. */
  health!: 'healthy' | 'degraded';
  /** Seconds since the process started. */
  uptime_seconds!: number;
  /** Tasks running now. */
  active_tasks!: number;
  /** Tasks waiting now. */
  queued_tasks!: number;
  /** Tasks accepted since the process started. */
  total_tasks!: number;
  /** Tasks that completed since the process started. */
  completed_tasks!: number;
  /** Tasks that failed or timed out since the process started. */
  failed_tasks!: number;
  /** Tasks cancelled since the process started. */
  cancelled_tasks!: number;
  /** The model new tasks get. */
  model!: StatusModelDto;
  /** Names of the enabled tools. */
  available_tools!: string[];
  /** Enabled tools that cannot be used here (run_command without an OS sandbox), with the reason. */
  disabled_tools!: DisabledToolDto[];
  /** The command sandbox in effect (bwrap or none) and why. */
  sandbox!: SandboxStatusDto;
  /** Each readiness check (config, store, model, sandbox, queue, …): up or down. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', enum: ['up', 'down'] } })
  checks!: Record<string, 'up' | 'down'>;
  /** CPU, memory and uptime of the process. */
  system_metrics!: SystemMetricsDto;
}
