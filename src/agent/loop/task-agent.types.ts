import { TaskRecord } from '../store/task-store';
import {
  TaskArtifact,
  TaskError,
  TaskMetrics,
  TaskPlan,
  TaskResult,
  TaskStep,
} from '../../contracts/task.types';

/** One run of a task, as the runner hands it to the agent. */
export interface TaskRun {
  record: TaskRecord;
  /** Aborted on cancel, timeout or shutdown; every model call and process listens to it. */
  signal: AbortSignal;
  /** Epoch ms after which the task times out. */
  deadline: number;
  /**
   * Counters the agent adds to as it goes; owned by the runner so a cancelled or timed-out task
   * still reports what it did.
   */
  metrics: TaskMetrics;
  /** Files and commands produced so far (same ownership as `metrics`). */
  artifacts: TaskArtifact[];
  onPlan(plan: TaskPlan): void;
  onStep(step: TaskStep, phase: 'started' | 'completed'): void;
}

/** How a run ended, from the agent's side (cancel and timeout are decided by the runner). */
export interface TaskOutcome {
  status: 'completed' | 'failed';
  result?: TaskResult;
  error?: TaskError;
  plan: TaskPlan | null;
  metrics: TaskMetrics;
}

/** What the runner needs from the agent loop. */
export abstract class TaskProcessor {
  abstract processTask(run: TaskRun): Promise<TaskOutcome>;
}
