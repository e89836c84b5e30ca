import { Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { ExecutionModule } from '../execution/execution.module';
import { ReadinessRegistry } from '../health/readiness.registry';
import { ModelModule } from '../model/model.module';
import { ModelRegistry } from '../model/model.registry';
import { SandboxProbe } from '../execution/sandbox/sandbox-probe.service';
import { PlanningModule } from '../planning/planning.module';
import { BatchesController } from './batches.controller';
import { StateChangeWriter } from './store/state-change-writer';
import { StoreHealthService } from './store/store-health.service';
import { TASK_STORE, TaskStore } from './store/task-store';
import { createTaskStore } from './store/task-store.factory';
import { TaskAgentService } from './task-agent.service';
import { TaskProcessor } from './task-agent.types';
import { TaskBatchService } from './task-batch.service';
import { TaskEventStreamService } from './task-event-stream.service';
import { TaskEventsController } from './task-events.controller';
import { TaskEventsService } from './task-events.service';
import { TaskRequestCheckerService } from './task-request-checker.service';
import { TaskRequestChecker } from './task-request.checker';
import { TaskRetentionService } from './task-retention.service';
import { TaskRunnerService } from './task-runner.service';
import { TasksController } from './tasks.controller';

/** The agent loop and the task service: store, queue, events, batches and their HTTP routes. */
@Module({
  imports: [ModelModule, ExecutionModule, PlanningModule],
  controllers: [TasksController, TaskEventsController, BatchesController],
  providers: [
    StoreHealthService,
    {
      provide: TASK_STORE,
      inject: [AppConfigService, StoreHealthService],
      useFactory: (config: AppConfigService, health: StoreHealthService) => {
        const store = createTaskStore(config.get('storage'), process.cwd(), {
          onCommitError: (err) => health.commitFailed(err),
        });
        health.watch(store);
        return store;
      },
    },
    StateChangeWriter,
    TaskEventsService,
    { provide: TaskProcessor, useClass: TaskAgentService },
    { provide: TaskRequestChecker, useClass: TaskRequestCheckerService },
    TaskRunnerService,
    TaskBatchService,
    TaskEventStreamService,
    TaskRetentionService,
  ],
  exports: [TaskRunnerService, TaskBatchService, TaskEventsService, TASK_STORE],
})
export class AgentModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(TASK_STORE) private readonly store: TaskStore,
    private readonly storeHealth: StoreHealthService,
    private readonly stateChanges: StateChangeWriter,
    private readonly readiness: ReadinessRegistry,
    private readonly runner: TaskRunnerService,
    private readonly config: AppConfigService,
    private readonly models: ModelRegistry,
    private readonly sandbox: SandboxProbe,
  ) {}

  onModuleInit(): void {
    // Down while the store cannot take a write: a failing write, a full disk, changes to retry.
    this.readiness.register({ name: 'store', check: () => this.storeHealth.readiness() });
    // Whether the model can be called (key present where required); never calls a paid API.
    this.readiness.register({
      name: 'model',
      check: () => {
        const { ready, ...model } = this.models.describe();
        return { ok: ready, ...model };
      },
    });
    this.readiness.register({
      name: 'sandbox',
      // Down only when bubblewrap is required and broken; a disabled run_command is reported, not down.
      check: () => this.sandbox.readiness(),
    });
    // Informational: a full queue answers 503 QUEUE_FULL per request; failing readiness for it
    // would take the only replica out of its Service and fail status reads too.
    this.readiness.register({
      name: 'queue',
      check: () => ({
        ok: true,
        queued: this.runner.queuedCount,
        limit: this.config.get('service').max_queued_tasks,
        active: this.runner.activeCount,
      }),
    });
  }

  /** After the runner's graceful drain (beforeApplicationShutdown), never before it. */
  onApplicationShutdown(): void {
    this.stateChanges.close();
    this.store.close();
  }
}
