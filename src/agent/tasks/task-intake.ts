import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AgentRunnerError } from '../../common/errors';

/**
 * Whether the service takes work. It closes once, when shutdown begins: submissions are refused
 * with 503 SERVICE_UNAVAILABLE, nothing new starts, and whoever waits for a result is answered at
 * once (a 202 with Location) through the listeners registered here.
 */
@Injectable()
export class TaskIntake implements OnModuleDestroy {
  private open = true;
  private readonly closing: (() => void)[] = [];

  get accepting(): boolean {
    return this.open;
  }

  assertOpen(): void {
    if (!this.open)
      throw new AgentRunnerError('SERVICE_UNAVAILABLE', 'The service is shutting down.');
  }

  /** Called once, when the intake closes. */
  onClose(listener: () => void): void {
    this.closing.push(listener);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    for (const listener of this.closing) listener();
  }

  /** Shutdown begins (before any shutdown hook): stop taking work. */
  onModuleDestroy(): void {
    this.close();
  }
}
