import { TaskRecord } from '../store/task-store';
import { failureResult } from './failure-result';
import { TaskMetrics, TaskResponse, TaskStep } from '../../contracts/task.types';

export function emptyMetrics(): TaskMetrics {
  return {
    total_time_ms: 0,
    queue_time_ms: 0,
    model_time_ms: 0,
    tool_time_ms: 0,
    steps_executed: 0,
    model_calls: 0,
    model_attempts: 0,
    tool_calls: 0,
    tokens_used: { prompt: 0, completion: 0, total: 0 },
  };
}

/** The TaskResponse (docs/api.md, `GET /api/v1/tasks/{id}`) of a stored task (with its steps when given). */
export function toTaskResponse(record: TaskRecord, steps: TaskStep[] | null): TaskResponse {
  const response: TaskResponse = {
    task_id: record.task_id,
    status: record.status,
    task: record.task,
    priority: record.priority,
    owner: record.owner,
    metadata: record.metadata,
    created_at: record.created_at,
    started_at: record.started_at,
    completed_at: record.completed_at,
    steps: steps ?? [],
    metrics: record.metrics,
  };
  if (record.result) response.result = record.result;
  else if (record.error && record.completed_at) {
    // Terminal without a stored result (e.g. interrupted by a crash): say it did not succeed.
    response.result = failureResult(
      record,
      [],
      Date.parse(record.started_at ?? record.completed_at),
      Date.parse(record.completed_at),
    );
  }
  if (record.plan) response.plan = record.plan;
  if (record.error) response.error = record.error;
  if (steps === null) delete (response as Partial<TaskResponse>).steps;
  return response;
}
