import { ToolRegistry } from '../../execution/tool-registry.service';
import { ToolCall } from '../../model/language-model';
import { StepRecorder } from './step-recorder';
import { TaskRun } from './task-agent.types';
import { TaskStop } from './task-stop';

/**
 * Runs the model's tool calls for one task, each as a step. Every call gets a text result for
 * the model (denials and errors included) so the conversation stays valid. An exact repeat is
 * refused with a note; too many repeats stop the task (REPEATED_TOOL_CALL).
 */
export class ToolCallRunner {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly tools: ToolRegistry,
    private readonly run: TaskRun,
    private readonly steps: StepRecorder,
    private readonly workingDirectory: string,
    private readonly maxRepeats: number,
  ) {}

  async call(call: ToolCall): Promise<string> {
    const input = parseArguments(call.arguments);
    const step = this.steps.start('tool', `Call ${call.name}`, input, call.name);
    const repeats = this.countRepeat(call);
    if (repeats >= 1) {
      this.steps.end(step, 'failed', null, 'repeated identical tool call');
      if (repeats >= this.maxRepeats) {
        throw new TaskStop(
          'REPEATED_TOOL_CALL',
          `The model repeated the same ${call.name} call ${repeats + 1} times; stopped.`,
          { tool: call.name, repeats: repeats + 1 },
        );
      }
      return `You already made this exact ${call.name} call ${repeats} time(s) with the same arguments; its result has not changed. Use it, or try something different.`;
    }
    const { record, metrics, artifacts } = this.run;
    const started = Date.now();
    // Counted when it starts: a call cut short by a cancel or timeout still ran.
    metrics.tool_calls += 1;
    const outcome = await this.tools.execute(call.name, input, {
      task_id: record.task_id,
      workingDirectory: this.workingDirectory,
      allowedPaths: record.request.context?.constraints?.allowed_paths,
      environment: record.request.context?.environment,
      signal: this.run.signal,
      deadline: this.run.deadline,
      enabledTools: record.request.context?.tools,
    });
    metrics.tool_time_ms += Date.now() - started;
    if (outcome.artifact) artifacts.push(outcome.artifact);
    const status =
      outcome.status === 'ok' ? 'completed' : outcome.status === 'denied' ? 'denied' : 'failed';
    const error = outcome.status === 'ok' ? null : (outcome.error ?? outcome.output);
    this.steps.end(step, status, outcome.output, error);
    return outcome.output;
  }

  /** How many times this exact call (name and arguments) was made before. */
  private countRepeat(call: ToolCall): number {
    const key = `${call.name}\u0000${call.arguments}`;
    const repeats = this.seen.get(key) ?? 0;
    this.seen.set(key, repeats + 1);
    return repeats;
  }
}

/** Tool arguments as an object; unparseable JSON is passed through for the tool to reject clearly. */
function parseArguments(raw: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(raw || '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : { _raw: raw };
  } catch {
    return { _raw: raw };
  }
}
