import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { mayRunOnRecovery } from './batches/batch-order';
import { TASK_STORE, TaskStore } from './store/task-store';
import { TaskDispatcherService } from './tasks/task-dispatcher.service';
import { TaskProgressService } from './tasks/task-progress.service';
import { TaskQueue } from './tasks/task-queue';

/**
 * Restart recovery (docs/api.md, Lifecycle and guarantees): tasks that were running at the last stop end
 * `failed` / TASK_INTERRUPTED with their open steps closed; queued tasks are queued again (a
 * sequential batch with its first unfinished task only); then dispatching begins.
 */
@Injectable()
export class TaskRecoveryService implements OnApplicationBootstrap {
  private readonly logger = new Logger(TaskRecoveryService.name);

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly progress: TaskProgressService,
    private readonly queue: TaskQueue,
    private readonly dispatcher: TaskDispatcherService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const now = new Date();
    const interrupted = await this.store.interruptRunning(now.toISOString());
    for (const taskId of interrupted) {
      const error = (await this.store.getTask(taskId))?.error;
      if (error) await this.progress.closeOpenSteps(taskId, error, now);
    }
    if (interrupted.length) {
      this.logger.warn(
        `${interrupted.length} task(s) were running at the last stop; marked TASK_INTERRUPTED`,
      );
    }
    for (const task of await this.store.queuedTasks()) {
      if (await mayRunOnRecovery(this.store, task)) this.queue.push(task.task_id, task.priority);
    }
    this.dispatcher.begin();
  }
}
