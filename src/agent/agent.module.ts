import { Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ReadinessRegistry } from '../contracts/readiness.registry';
import { AppConfigService } from '../config/app-config.service';
import { ExecutionModule } from '../execution/execution.module';
import { ModelModule } from '../model/model.module';
import { PlanningModule } from '../planning/planning.module';
import { TaskBatchService } from './batches/task-batch.service';
import { BatchesController } from './http/batches.controller';
import { TaskAnswerCache } from './http/task-answer.cache';
import { TaskEventStreamWriter } from './http/task-event-stream.writer';
import { TaskEventsController } from './http/task-events.controller';
import { TasksController } from './http/tasks.controller';
import { TaskAgentService } from './loop/task-agent.service';
import { TaskProcessor } from './loop/task-agent.types';
import { StateChangeWriter } from './store/state-change-writer';
import { StoreHealthService } from './store/store-health.service';
import { TASK_STORE, TaskStore } from './store/task-store';
import { openTaskStore } from './store/task-store.factory';
import { TaskRecoveryService } from './task-recovery.service';
import { RunningTasks } from './tasks/running-tasks';
import { TaskCompletionService } from './tasks/task-completion.service';
import { TaskDispatcherService } from './tasks/task-dispatcher.service';
import { TaskEventsService } from './tasks/task-events.service';
import { TaskIntake } from './tasks/task-intake';
import { TaskProgressService } from './tasks/task-progress.service';
import { TaskQueriesService } from './tasks/task-queries.service';
import { TaskQueue } from './tasks/task-queue';
import { TaskRequestCheckerService } from './tasks/task-request-checker.service';
import { TaskRequestChecker } from './tasks/task-request.checker';
import { TaskRetentionService } from './tasks/task-retention.service';
import { TaskSubmissionService } from './tasks/task-submission.service';
import { TasksService } from './tasks/tasks.service';

/**
 * The task service: the store, submission, the queue and its dispatcher, the one terminal
 * transition, events, batches, recovery and retention, the agent loop, and their HTTP routes.
 * docs/architecture.md shows how they depend on each other.
 */
@Module({
  imports: [ModelModule, ExecutionModule, PlanningModule],
  controllers: [TasksController, TaskEventsController, BatchesController],
  providers: [
    StoreHealthService,
    {
      provide: TASK_STORE,
      inject: [AppConfigService, StoreHealthService],
      // async: the postgres driver connects and migrates before the service starts
      useFactory: async (config: AppConfigService, health: StoreHealthService) => {
        const store = await openTaskStore(config.get('storage'), process.cwd(), {
          onCommitError: (err) => health.commitFailed(err),
        });
        health.watch(store);
        return store;
      },
    },
    StateChangeWriter,
    TaskEventsService,
    TaskIntake,
    TaskQueue,
    RunningTasks,
    TaskProgressService,
    TaskCompletionService,
    { provide: TaskProcessor, useClass: TaskAgentService },
    { provide: TaskRequestChecker, useClass: TaskRequestCheckerService },
    TaskDispatcherService,
    TaskSubmissionService,
    TaskQueriesService,
    TasksService,
    TaskBatchService,
    TaskRecoveryService,
    TaskRetentionService,
    TaskEventStreamWriter,
    TaskAnswerCache,
  ],
  exports: [TasksService, TaskBatchService, TaskEventsService, TASK_STORE],
})
export class AgentModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly storeHealth: StoreHealthService,
    private readonly stateChanges: StateChangeWriter,
    private readonly readiness: ReadinessRegistry,
    private readonly tasks: TasksService,
    private readonly config: AppConfigService,
  ) {}

  onModuleInit(): void {
    // Down while the store cannot take a write: a failing write, a full disk, changes to retry.
    this.readiness.register({ name: 'store', check: () => this.storeHealth.readiness() });
    // Informational: a full queue answers 503 QUEUE_FULL per request; failing readiness for it
    // would take the only replica out of its Service and fail status reads too.
    this.readiness.register({
      name: 'queue',
      check: () => ({
        ok: true,
        queued: this.tasks.queuedCount,
        limit: this.config.get('service').max_queued_tasks,
        active: this.tasks.activeCount,
      }),
    });
  }

  /** After the dispatcher's graceful drain (beforeApplicationShutdown), never before it. */
  async onApplicationShutdown(): Promise<void> {
    await this.stateChanges.close();
    await this.store.close();
  }
}
