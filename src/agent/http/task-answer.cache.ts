import { Injectable } from '@nestjs/common';
import { CallerIdentity, canAccess } from '../../contracts/caller-identity';
import { isTerminal, TaskResponse } from '../../contracts/task.types';
import { TaskNotFoundError } from '../../common/errors';
import { TaskRetentionService } from '../tasks/task-retention.service';
import { TasksService } from '../tasks/tasks.service';

/** How many finished tasks' answers GET /tasks/{id} keeps in memory. */
const FINISHED_CACHE_SIZE = 1000;

/**
 * The JSON text of GET /api/v1/tasks/{id}. A finished task never changes, so its text is worked
 * out once and kept (the most recent 1,000): repeated status reads skip the store, the mapping
 * and serialization. Cleared when retention purges tasks.
 */
@Injectable()
export class TaskAnswerCache {
  /** Oldest first. */
  private readonly finished = new Map<string, { owner: string | null; json: string }>();

  constructor(
    private readonly tasks: TasksService,
    retention: TaskRetentionService,
  ) {
    retention.onPurged(() => this.finished.clear());
  }

  async json(taskId: string, caller: CallerIdentity): Promise<string> {
    const cached = this.finished.get(taskId);
    if (cached) {
      if (!canAccess(caller, cached.owner)) throw new TaskNotFoundError(taskId);
      return cached.json;
    }
    const answer = await this.tasks.get(taskId, caller);
    const json = JSON.stringify(answer);
    if (isTerminal(answer.status)) this.remember(answer, json);
    return json;
  }

  private remember(answer: TaskResponse, json: string): void {
    if (this.finished.size >= FINISHED_CACHE_SIZE) {
      this.finished.delete(this.finished.keys().next().value as string);
    }
    this.finished.set(answer.task_id, { owner: answer.owner, json });
  }
}
