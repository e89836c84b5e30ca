import { Test, TestingModule } from '@nestjs/testing';
import type { CallerIdentity } from '../../contracts/caller-identity';
import type { TaskRequest, TaskStep } from '../../contracts/task.types';
import { AppConfigService } from '../../config/app-config.service';
import type { AgentRunnerConfig } from '../../config/config.schema';
import { loadConfig } from '../../config/config.loader';
import { MetricsService } from '../../metrics/metrics.service';
import { TaskBatchService } from '../batches/task-batch.service';
import { TaskOutcome, TaskProcessor, TaskRun } from '../loop/task-agent.types';
import { MemoryTaskStore } from '../store/memory-task-store';
import { StateChangeWriter } from '../store/state-change-writer';
import { StoreHealthService } from '../store/store-health.service';
import { TASK_STORE } from '../store/task-store';
import { TaskRecoveryService } from '../task-recovery.service';
import { RunningTasks } from '../tasks/running-tasks';
import { TaskCompletionService } from '../tasks/task-completion.service';
import { TaskDispatcherService } from '../tasks/task-dispatcher.service';
import { TaskEventsService } from '../tasks/task-events.service';
import { TaskIntake } from '../tasks/task-intake';
import { TaskProgressService } from '../tasks/task-progress.service';
import { TaskQueriesService } from '../tasks/task-queries.service';
import { TaskQueue } from '../tasks/task-queue';
import { TaskRequestChecker } from '../tasks/task-request.checker';
import { TaskSubmissionService } from '../tasks/task-submission.service';
import { TasksService } from '../tasks/tasks.service';

export const ALICE: CallerIdentity = { name: 'alice', role: 'user', authenticated: true };
export const BOB: CallerIdentity = { name: 'bob', role: 'user', authenticated: true };

/**
 * What a scripted run does: its script gets the run and a `step` helper, and decides the outcome
 * (or waits on the signal, or throws). By default a run waits until its test releases it.
 */
export type RunScript = (run: TaskRun, helpers: ScriptHelpers) => Promise<TaskOutcome>;

export interface ScriptHelpers {
  /** Records a step as the agent would (started now; `end` completes it). */
  step(description: string): { end(): void };
  /** Resolves when the run's signal aborts, with its reason. */
  aborted(): Promise<unknown>;
}

/** A TaskProcessor whose runs follow scripts chosen per task text. */
export class ScriptedProcessor extends TaskProcessor {
  readonly runs: TaskRun[] = [];
  /** Why each run's signal aborted, by task id. */
  readonly abortReasons = new Map<string, unknown>();
  private readonly scripts = new Map<string, RunScript>();
  private readonly releases = new Map<string, (outcome: TaskOutcome) => void>();

  script(taskText: string, script: RunScript): void {
    this.scripts.set(taskText, script);
  }

  /** Ends a run that waits for its release (the default script) with `outcome`. */
  release(taskId: string, outcome: Partial<TaskOutcome> = {}): void {
    const release = this.releases.get(taskId);
    if (!release) throw new Error(`task ${taskId} is not waiting to be released`);
    release(completed(outcome));
  }

  started(taskId: string): boolean {
    return this.runs.some((r) => r.record.task_id === taskId);
  }

  async processTask(run: TaskRun): Promise<TaskOutcome> {
    this.runs.push(run);
    const taskId = run.record.task_id;
    run.signal.addEventListener('abort', () =>
      this.abortReasons.set(taskId, run.signal.reason as unknown),
    );
    const script = this.scripts.get(run.record.task) ?? this.waitForRelease(taskId);
    return script(run, helpers(run));
  }

  private waitForRelease(taskId: string): RunScript {
    return (run) =>
      new Promise<TaskOutcome>((resolve) => {
        this.releases.set(taskId, resolve);
        // A cut-short run unwinds once its signal aborts, as the real agent does.
        run.signal.addEventListener('abort', () =>
          resolve({ status: 'failed', plan: null, metrics: run.metrics }),
        );
      });
  }
}

function helpers(run: TaskRun): ScriptHelpers {
  let n = 0;
  return {
    step(description) {
      const step: TaskStep = {
        step_number: ++n,
        step_type: 'tool',
        tool: 'run_command',
        description,
        status: 'running',
        input: {},
        output: null,
        error: null,
        started_at: new Date().toISOString(),
        completed_at: null,
        duration_ms: null,
      };
      run.onStep(step, 'started');
      return {
        end() {
          run.onStep(
            { ...step, status: 'completed', completed_at: new Date().toISOString() },
            'completed',
          );
        },
      };
    },
    aborted: () =>
      new Promise((resolve) => {
        if (run.signal.aborted) resolve(run.signal.reason);
        run.signal.addEventListener('abort', () => resolve(run.signal.reason));
      }),
  };
}

export function completed(outcome: Partial<TaskOutcome> = {}): TaskOutcome {
  return {
    status: 'completed',
    result: { success: true, summary: 'done', details: 'done', artifacts: [], execution_time: 0 },
    plan: null,
    metrics: {
      total_time_ms: 0,
      queue_time_ms: 0,
      model_time_ms: 0,
      tool_time_ms: 0,
      steps_executed: 0,
      model_calls: 1,
      model_attempts: 1,
      tool_calls: 0,
      tokens_used: { prompt: 0, completion: 0, total: 0 },
    },
    ...outcome,
  };
}

/** Accepts every request as it is (the real checks have their own tests). */
class AcceptingChecker extends TaskRequestChecker {
  check(request: TaskRequest): TaskRequest {
    return request;
  }
}

/** Counts what the services report, instead of Prometheus series. */
export class RecordingMetrics {
  readonly submitted: string[] = [];
  readonly finished: { status: string; code: string | null }[] = [];
  gauges = { active: 0, queued: 0 };
  taskSubmitted(priority: string): void {
    this.submitted.push(priority);
  }
  taskFinished(status: string, code: string | null): void {
    this.finished.push({ status, code });
  }
  setTaskGauges(active: number, queued: number): void {
    this.gauges = { active, queued };
  }
  storeWriteFailed(): void {}
  setStoreGauges(): void {}
}

export interface TaskCore {
  module: TestingModule;
  store: MemoryTaskStore;
  processor: ScriptedProcessor;
  metrics: RecordingMetrics;
  tasks: TasksService;
  batches: TaskBatchService;
  events: TaskEventsService;
  dispatcher: TaskDispatcherService;
  submit(task: string, options?: Partial<TaskRequest>, caller?: CallerIdentity): Promise<string>;
  /** Lets every pending promise run (the store's reads and writes are promises). */
  settle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The task core (submission, dispatcher, completion, queries, batches, recovery) on the memory
 * store with a scripted processor, built by Nest as the service builds it. Use with
 * `jest.useFakeTimers()` (see fakeTimers()) to move deadlines and graces by hand.
 */
export async function taskCore(
  overrides: {
    service?: Partial<AgentRunnerConfig['service']>;
    execution?: Partial<AgentRunnerConfig['execution']>;
    /** The store as a restart finds it. */
    store?: MemoryTaskStore;
  } = {},
): Promise<TaskCore> {
  const loaded = loadConfig({ env: {}, dotenv: false, cwd: '/nonexistent' });
  const config = new AppConfigService(loaded);
  config.update({
    service: overrides.service ?? {},
    execution: overrides.execution ?? {},
  } as never);
  const store = overrides.store ?? new MemoryTaskStore();
  const processor = new ScriptedProcessor();
  const metrics = new RecordingMetrics();
  const module = await Test.createTestingModule({
    providers: [
      { provide: AppConfigService, useValue: config },
      { provide: MetricsService, useValue: metrics },
      { provide: TASK_STORE, useValue: store },
      { provide: TaskProcessor, useValue: processor },
      { provide: TaskRequestChecker, useClass: AcceptingChecker },
      StoreHealthService,
      StateChangeWriter,
      TaskEventsService,
      TaskIntake,
      TaskQueue,
      RunningTasks,
      TaskProgressService,
      TaskCompletionService,
      TaskDispatcherService,
      TaskSubmissionService,
      TaskQueriesService,
      TasksService,
      TaskBatchService,
      TaskRecoveryService,
    ],
  }).compile();
  module.useLogger(false);
  await module.init();
  const tasks = module.get(TasksService);
  // setImmediate is left real by fakeTimers(): each round lets every queued promise run.
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    module,
    store,
    processor,
    metrics,
    tasks,
    batches: module.get(TaskBatchService),
    events: module.get(TaskEventsService),
    dispatcher: module.get(TaskDispatcherService),
    settle,
    async submit(task, options = {}, caller = ALICE) {
      const { task: accepted } = await tasks.submitAndWait({ task, ...options }, caller, {
        wait: false,
      });
      await settle();
      return accepted.task_id;
    },
    close: () => closeUnderFakeTimers(module),
  };
}

/**
 * Closes the module, moving fake time on while it drains (the shutdown grace and the unwind
 * wait are timers); bounded so a drain that never ends fails the test instead of hanging it.
 */
async function closeUnderFakeTimers(module: TestingModule): Promise<void> {
  let closed = false;
  const closing = module.close().finally(() => (closed = true));
  for (let i = 0; i < 120 && !closed; i++) {
    if (isFake()) await jest.advanceTimersByTimeAsync(1_000);
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await closing;
}

function isFake(): boolean {
  try {
    jest.getTimerCount();
    return true;
  } catch {
    return false;
  }
}

/** Fake timers that leave promise scheduling (nextTick, microtasks, setImmediate) real. */
export function fakeTimers(): void {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
}
