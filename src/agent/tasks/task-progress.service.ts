import { Inject, Injectable } from '@nestjs/common';
import { TaskError, TaskEvent, TaskPlan, TaskStep } from '../../contracts/task.types';
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

  async plan(taskId: string, plan: TaskPlan): Promise<void> {
    void this.stateChanges.track(`plan:${taskId}`, () =>
      this.store.updateProgress(taskId, { plan }),
    );
    await this.events.emit(taskId, 'plan.created', { plan });
  }

  /** A step started or ended; the agent keeps changing its step object, so a copy is stored. */
  async step(taskId: string, live: TaskStep, phase: 'started' | 'completed'): Promise<void> {
    const step = { ...live };
    this.save(taskId, step);
    await this.events.emit(taskId, phase === 'started' ? 'step.started' : 'step.completed', {
      step,
    });
  }

  /**
   * Steps still `running` when a task is cut short end `failed`: the steps as they will be
   * stored, not yet written (the end decides whether they are).
   */
  async closingSteps(taskId: string, error: TaskError, now: Date): Promise<TaskStep[]> {
    return (await this.openSteps(taskId)).map((step) => ({
      ...step,
      status: 'failed',
      error: `${error.code}: ${error.message}`,
      completed_at: now.toISOString(),
      duration_ms: now.getTime() - Date.parse(step.started_at),
    }));
  }

  /** Stores closed steps with their numbered `step.completed` events (publishing those). */
  saveClosed(taskId: string, steps: TaskStep[], events: TaskEvent[]): void {
    steps.forEach((step) => this.save(taskId, step));
    events.forEach((event) => this.events.record(event));
  }

  /** At start-up recovery, where nobody listens: the open steps of an interrupted task closed. */
  async closeOpenSteps(taskId: string, error: TaskError, now: Date): Promise<void> {
    for (const step of await this.closingSteps(taskId, error, now)) this.save(taskId, step);
  }

  async openSteps(taskId: string): Promise<TaskStep[]> {
    return (await this.store.getSteps(taskId)).filter((s) => s.status === 'running');
  }

  /** Writes a step (an upsert), again and again until it lands. */
  private save(taskId: string, step: TaskStep): void {
    void this.stateChanges.track(`step:${taskId}:${step.step_number}`, () =>
      this.store.saveStep(taskId, step),
    );
  }
}
