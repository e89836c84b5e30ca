import { ApiProperty } from '@nestjs/swagger';

/** JSON view of the metrics (GET /api/v1/metrics), built from the same counters as /metrics. */

export class TaskCountsDto {
  /** Tasks accepted since start. */
  total!: number;
  /** Tasks that completed since start. */
  completed!: number;
  /** Tasks that failed or timed out since start. */
  failed!: number;
  /** Tasks cancelled since start. */
  cancelled!: number;
  /** Tasks that timed out since start (also counted in failed). */
  timeout!: number;
  /** Running now. */
  active!: number;
  /** Waiting now. */
  queued!: number;
  /** Mean run time of the tasks that ended. */
  average_duration_ms!: number;
}

export class TokenCountsDto {
  /** Prompt tokens. */
  prompt!: number;
  /** Completion tokens. */
  completion!: number;
  /** Both together. */
  total!: number;
}

export class ModelCountsDto {
  /** Logical model calls. */
  requests!: number;
  /** HTTP attempts, retries and re-sends included. */
  attempts!: number;
  /** Model calls that failed for good. */
  errors!: number;
  /** Mean latency of a model call. */
  average_latency_ms!: number;
  /** Tokens used by every model call. */
  tokens!: TokenCountsDto;
  /** Seconds calls waited in the shared provider limiter. */
  limiter_wait_seconds_total!: number;
}

export class HttpCountsDto {
  /** HTTP requests answered (when service.enable_metrics is on). */
  requests!: number;
  /** Mean time to answer one. */
  average_latency_ms!: number;
}

export class SystemSnapshotDto {
  /** CPU used by the process since the last sample, in percent of one core. */
  cpu_usage_percent!: number;
  /** Resident memory of the process. */
  memory_usage_mb!: number;
  /** Seconds since the process started. */
  uptime_seconds!: number;
}

export class MetricsSnapshotDto {
  /** Task counts and durations. */
  tasks!: TaskCountsDto;
  /** Model calls, errors, latency and tokens. */
  model!: ModelCountsDto;
  /** HTTP requests and latency. */
  http!: HttpCountsDto;
  /** Tool calls by tool name. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  tool_usage!: Record<string, number>;
  /** Failed, timed-out and cancelled tasks by error code. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  error_counts!: Record<string, number>;
  /** CPU, memory and uptime of the process. */
  system!: SystemSnapshotDto;
}
