import { TaskArtifact, TaskError, TaskResult } from '../../contracts/task.types';

/**
 * The result of a task that did not complete: `success: false`, its error as the summary, and
 * what it produced before it ended. The one builder for ends decided by the service (cancel,
 * timeout, crash, shutdown) and for ends stored without a result (a restart's interruption).
 */
export function failureResult(
  end: { status: string; error?: TaskError | null },
  artifacts: TaskArtifact[],
  startedMs: number,
  endedMs: number,
): TaskResult {
  const { error } = end;
  const said = `The task ended ${end.status}.`;
  return {
    success: false,
    summary: error?.message ?? said,
    details: error ? `${error.code}: ${error.message}` : said,
    artifacts,
    execution_time: Math.round(Math.max(0, endedMs - startedMs) / 10) / 100,
  };
}
