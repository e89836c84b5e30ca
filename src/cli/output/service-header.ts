import type { AgentRunnerConfig } from '../../config/config.schema';
import type { ServiceStatus } from '../../client/api-client';

/** "model offline (built-in planner, no AI) · working directory /w": what a run will use, said up front. */
export function describeService(status: ServiceStatus, config: AgentRunnerConfig): string {
  const model = status.model.offline
    ? 'model offline (built-in planner, no AI)'
    : `model ${status.model.provider}/${status.model.model_name}${status.model.ready ? '' : ` (not ready: ${status.model.reason ?? 'unknown'})`}`;
  return `${model} · working directory ${config.tools.working_directory}`;
}
