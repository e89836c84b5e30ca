/** JSON view of the metrics (GET /api/v1/metrics), built from the same counters as /metrics. */

export class TaskCountsDto {
  /** Tasks accepted since start. */
  total!: number;
  completed!: number;
  /** Failed or timed out. */
  failed!: number;
  cancelled!: number;
  timeout!: number;
  /** Running now. */
  active!: number;
  /** Waiting now. */
  queued!: number;
  average_duration_ms!: number;
}

export class TokenCountsDto {
  prompt!: number;
  completion!: number;
  total!: number;
}

export class ModelCountsDto {
  /** Logical model calls. */
  requests!: number;
  /** HTTP attempts, retries and re-sends included. */
  attempts!: number;
  errors!: number;
  average_latency_ms!: number;
  tokens!: TokenCountsDto;
  /** Seconds calls waited in the shared provider limiter. */
  limiter_wait_seconds_total!: number;
}

export class HttpCountsDto {
  requests!: number;
  average_latency_ms!: number;
}

export class SystemSnapshotDto {
  cpu_usage_percent!: number;
  memory_usage_mb!: number;
  uptime_seconds!: number;
}

export class MetricsSnapshotDto {
  tasks!: TaskCountsDto;
  model!: ModelCountsDto;
  http!: HttpCountsDto;
  /** Tool calls by tool name. */
  tool_usage!: Record<string, number>;
  /** Failed, timed-out and cancelled tasks by error code. */
  error_counts!: Record<string, number>;
  system!: SystemSnapshotDto;
}
