import { Inject, Injectable } from '@nestjs/common';
import { TaskError, TaskPlan, TaskStep } from '../../contracts/task.types';
import { StateChangeWriter } from '../store/state-change-writer';
import { TASK_STORE, TaskStore } from '../store/task-store';
import { TaskEventsService } from './task-events.service';

/**
 * What a run records as it goes: its plan and its steps, each stored (written again until it
 * lands) and published as an event.
 */
@Injectable()
export class TaskProgressService {
  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly events: TaskEventsService,
    private readonly stateChanges: StateChangeWriter,
  ) {}

  plan(taskId: string, plan: TaskPlan): void {
    this.stateChanges.write(`plan:${taskId}`, () => this.store.updateProgress(taskId, { plan }));
    this.events.emit(taskId, 'plan.created', { plan });
  }

  /** A step started or ended; the agent keeps changing its step object, so a copy is stored. */
  step(taskId: string, live: TaskStep, phase: 'started' | 'completed'): void {
    const step = { ...live };
    this.save(taskId, step);
    this.events.emit(taskId, phase === 'started' ? 'step.started' : 'step.completed', { step });
  }

  /**
   * Steps still `running` when a task is cut short end `failed`, before its terminal event.
   * `publish: false` at start-up recovery, where nobody listens yet.
   */
  closeOpenSteps(taskId: string, error: TaskError, now: Date, publish = true): void {
    for (const step of this.openSteps(taskId)) {
      const closed: TaskStep = {
        ...step,
        status: 'failed',
        error: `${error.code}: ${error.message}`,
        completed_at: now.toISOString(),
        duration_ms: now.getTime() - Date.parse(step.started_at),
      };
      this.save(taskId, closed);
      if (publish) this.events.emit(taskId, 'step.completed', { step: closed });
    }
  }

  openSteps(taskId: string): TaskStep[] {
    return this.store.getSteps(taskId).filter((s) => s.status === 'running');
  }

  /** Writes a step (an upsert), again and again until it lands. */
  private save(taskId: string, step: TaskStep): void {
    this.stateChanges.write(`step:${taskId}:${step.step_number}`, () =>
      this.store.saveStep(taskId, step),
    );
  }
}
