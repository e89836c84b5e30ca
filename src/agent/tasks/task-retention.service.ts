import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { TASK_STORE, TaskStore } from '../store/task-store';

const HOUR_MS = 3_600_000;

/** Purges finished tasks older than storage.retention_days, at start and every hour. */
@Injectable()
export class TaskRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TaskRetentionService.name);
  private timer?: NodeJS.Timeout;
  private readonly purged: (() => void)[] = [];

  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly config: AppConfigService,
  ) {}

  /** Called after a purge deleted tasks (caches of finished tasks forget them). */
  onPurged(listener: () => void): void {
    this.purged.push(listener);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.purge();
    this.timer = setInterval(() => {
      this.purge().catch((err: unknown) =>
        this.logger.error(`retention purge failed: ${(err as Error).message}`),
      );
    }, HOUR_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Deletes what is past retention; returns how many tasks went. */
  async purge(now = Date.now()): Promise<number> {
    const days = this.config.get('storage').retention_days;
    if (days === 0) return 0;
    const removed = await this.store.purgeCompletedBefore(
      new Date(now - days * 86_400_000).toISOString(),
    );
    if (removed) {
      for (const listener of this.purged) listener();
      this.logger.log(`purged ${removed} task(s) older than ${days} day(s)`);
    }
    return removed;
  }
}
