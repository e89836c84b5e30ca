import { Injectable } from '@nestjs/common';
import { TaskArtifact, TaskMetrics } from '../../contracts/task.types';

/** Why a run was aborted: the AbortSignal's reason. */
export type AbortReason = 'cancel' | 'timeout' | 'shutdown';

/** A task that holds a run slot on this process. */
export interface RunningTask {
  controller: AbortController;
  /** Its deadline (task.timeout). */
  timer: NodeJS.Timeout;
  /** Settles once the agent has stopped (processes killed, model call aborted). */
  done: Promise<void>;
  /** Live counters and artifacts the agent adds to (kept when the task is cut short). */
  metrics: TaskMetrics;
  artifacts: TaskArtifact[];
}

/** The runs of this process, by task id: written by the dispatcher, read by the completion. */
@Injectable()
export class RunningTasks extends Map<string, RunningTask> {
  /** Stops a run (its signal aborts the model call and kills its processes). */
  abort(taskId: string, reason: AbortReason): void {
    const run = this.get(taskId);
    if (!run) return;
    clearTimeout(run.timer);
    run.controller.abort(reason);
  }
}
