import { Injectable } from '@nestjs/common';
import { TaskPriority } from '../../contracts/task.types';
import { TaskPriorityQueue } from './priority-queue';

/**
 * The tasks waiting for a run slot, by priority, plus the submissions recorded but not yet
 * acknowledged (their commit is pending): both count against `service.max_queued_tasks`.
 */
@Injectable()
export class TaskQueue {
  private readonly queue = new TaskPriorityQueue();
  private unacknowledged = 0;

  /** Waiting to run, the submissions whose commit is pending included. */
  get count(): number {
    return this.queue.size + this.unacknowledged;
  }

  /** Waiting to run (acknowledged). */
  get size(): number {
    return this.queue.size;
  }

  push(taskId: string, priority: TaskPriority): void {
    this.queue.push(taskId, priority);
  }

  pop(): string | undefined {
    return this.queue.pop();
  }

  has(taskId: string): boolean {
    return this.queue.has(taskId);
  }

  remove(taskId: string): void {
    this.queue.remove(taskId);
  }

  /** A submission was recorded; it counts until {@link acknowledged}. */
  recorded(): void {
    this.unacknowledged++;
  }

  acknowledged(count: number): void {
    this.unacknowledged -= count;
  }
}
