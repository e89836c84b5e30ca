import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../config/app-config.service';
import { ToolRegistry } from '../../execution/tool-registry.service';
import { ChatMessage, ChatResponse, ModelError, ToolCall } from '../../model/language-model';
import { ModelRegistry } from '../../model/model.registry';
import { PromptService } from '../../planning/prompt.service';
import { readOutcome } from '../../common/task-outcome';
import { UnderstandingEngine } from '../../planning/understanding-engine';
import { StepRecorder } from './step-recorder';
import { TaskOutcome, TaskProcessor, TaskRun } from './task-agent.types';
import { TaskArtifact, TaskMetrics, TaskPlan, TaskResult } from '../../contracts/task.types';

/** Thrown inside the loop to end a task with a task-level error code. */
class TaskStop extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
  }
}

/**
 * TaskAgent.processTask: plan with the UnderstandingEngine, then let the model work through
 * tools until it answers without a tool call or runs out of steps. Every tool call gets a result
 * (denials and errors included) so the conversation stays valid; the task's AbortSignal reaches
 * every model call and process.
 */
@Injectable()
export class TaskAgentService extends TaskProcessor {
  private readonly logger = new Logger(TaskAgentService.name);

  constructor(
    private readonly models: ModelRegistry,
    private readonly tools: ToolRegistry,
    private readonly prompts: PromptService,
    private readonly config: AppConfigService,
  ) {
    super();
  }

  async processTask(run: TaskRun): Promise<TaskOutcome> {
    const { record, signal } = run;
    const request = record.request;
    const execution = this.config.get('execution');
    const modelConfig = this.config.get('model');
    const model = this.models.current();
    const { metrics, artifacts } = run;
    const steps = new StepRecorder(run);
    let plan: TaskPlan | null = null;
    const maxSteps = Math.min(
      request.context?.constraints?.max_steps ?? execution.max_steps,
      execution.max_steps,
    );
    const workingDirectory = this.tools.resolveTaskWorkingDirectory(
      request.context?.working_directory,
    );
    const template = this.prompts.resolveTemplate(workingDirectory);
    const scenario = this.prompts.inferScenario(
      record.task,
      request.context?.scenario,
      template,
    ).scenario;
    const toolDefs = this.tools.definitions(request.context?.tools);
    const countCall = (r: ChatResponse) => {
      metrics.model_calls += 1;
      metrics.model_attempts += r.attempts;
      metrics.model_time_ms += r.latency_ms;
      metrics.tokens_used.prompt += r.usage.prompt;
      metrics.tokens_used.completion += r.usage.completion;
      metrics.tokens_used.total += r.usage.total;
    };
    const finish = (outcome: Omit<TaskOutcome, 'metrics' | 'plan'>): TaskOutcome => ({
      ...outcome,
      plan,
      metrics,
    });

    try {
      if (execution.planning) {
        const step = steps.start('planning', 'Understand the task and plan the approach');
        try {
          const engine = UnderstandingEngine.withTemplate(model, template, {
            maxEstimatedSteps: maxSteps,
          });
          const understood = await engine.understandTaskDetailed(record.task, {
            scenario: scenario ?? undefined,
            signal,
          });
          understood.calls.forEach(countCall);
          plan = understood.plan;
          steps.end(step, 'completed', `${plan.understanding}\nApproach: ${plan.approach}`);
          run.onPlan(plan);
        } catch (e) {
          steps.end(step, 'failed', null, (e as Error).message);
          throw e;
        }
      }

      const messages: ChatMessage[] = this.prompts.buildAgentMessages(
        record.task,
        template,
        scenario,
        plan,
        toolDefs.map((t) => t.name),
      );
      const seenCalls = new Map<string, number>();
      for (let round = 1; round <= maxSteps; round++) {
        signal.throwIfAborted();
        const step = steps.start('model', `Ask the model (round ${round})`, { round });
        let response: ChatResponse;
        try {
          response = await model.chat({
            messages,
            tools: toolDefs.length ? toolDefs : undefined,
            signal,
            max_tokens: modelConfig.max_tokens,
            temperature: modelConfig.temperature,
            purpose: 'step',
          });
        } catch (e) {
          steps.end(step, 'failed', null, (e as Error).message);
          throw e;
        }
        countCall(response);
        const calls = response.message.tool_calls ?? [];
        steps.end(
          step,
          'completed',
          calls.length
            ? `Tool calls: ${calls.map((c) => c.name).join(', ')}`
            : response.message.content,
        );
        messages.push({ ...response.message, tool_calls: calls.length ? calls : undefined });
        if (calls.length === 0) {
          const result = this.result(response.message.content ?? '', artifacts, run);
          const done = steps.start('completion', 'Compose the result');
          steps.end(done, 'completed', result.summary);
          return finish({ status: 'completed', result });
        }
        for (const call of calls) {
          const content = await this.callTool(call, {
            run,
            workingDirectory,
            steps,
            metrics,
            artifacts,
            seenCalls,
            execution,
          });
          messages.push({ role: 'tool', tool_call_id: call.id, name: call.name, content });
        }
      }
      throw new TaskStop(
        'MAX_STEPS_EXCEEDED',
        `The task did not finish within ${maxSteps} model rounds (max_steps).`,
        { max_steps: maxSteps },
      );
    } catch (e) {
      if (signal.aborted) {
        // The runner has already recorded cancelled/timeout; this outcome is not used.
        return finish({
          status: 'failed',
          error: { code: 'TASK_CANCELLED', message: 'Aborted.', details: null },
        });
      }
      if (e instanceof TaskStop) {
        return finish({
          status: 'failed',
          error: { code: e.code, message: e.message, details: e.details },
        });
      }
      if (e instanceof ModelError) {
        return finish({
          status: 'failed',
          error: { code: e.code, message: e.message, details: e.details },
        });
      }
      throw e;
    }
  }

  /** Runs one tool call (or refuses a repeated one); always returns the text for the model. */
  private async callTool(
    call: ToolCall,
    ctx: {
      run: TaskRun;
      workingDirectory: string;
      steps: StepRecorder;
      metrics: TaskMetrics;
      artifacts: TaskArtifact[];
      seenCalls: Map<string, number>;
      execution: { max_repeated_tool_calls: number };
    },
  ): Promise<string> {
    const { run, steps, metrics } = ctx;
    const input = parseArguments(call.arguments);
    const step = steps.start('tool', `Call ${call.name}`, input, call.name);
    const key = `${call.name}\u0000${call.arguments}`;
    const repeats = ctx.seenCalls.get(key) ?? 0;
    ctx.seenCalls.set(key, repeats + 1);
    if (repeats >= 1) {
      const message = `You already made this exact ${call.name} call ${repeats} time(s) with the same arguments; its result has not changed. Use it, or try something different.`;
      steps.end(step, 'failed', null, 'repeated identical tool call');
      if (repeats >= ctx.execution.max_repeated_tool_calls) {
        throw new TaskStop(
          'REPEATED_TOOL_CALL',
          `The model repeated the same ${call.name} call ${repeats + 1} times; stopped.`,
          { tool: call.name, repeats: repeats + 1 },
        );
      }
      return message;
    }
    const started = Date.now();
    // Counted when it starts: a call cut short by a cancel or timeout still ran.
    metrics.tool_calls += 1;
    const outcome = await this.tools.execute(call.name, input, {
      task_id: run.record.task_id,
      workingDirectory: ctx.workingDirectory,
      allowedPaths: run.record.request.context?.constraints?.allowed_paths,
      environment: run.record.request.context?.environment,
      signal: run.signal,
      deadline: run.deadline,
      enabledTools: run.record.request.context?.tools,
    });
    metrics.tool_time_ms += Date.now() - started;
    if (outcome.artifact) ctx.artifacts.push(outcome.artifact);
    const status =
      outcome.status === 'ok' ? 'completed' : outcome.status === 'denied' ? 'denied' : 'failed';
    steps.end(
      step,
      status,
      outcome.output,
      outcome.status === 'ok' ? null : (outcome.error ?? outcome.output),
    );
    return outcome.output;
  }

  private result(text: string, artifacts: TaskArtifact[], run: TaskRun): TaskResult {
    const outcome = readOutcome(text);
    const trimmed = outcome.text.trim() || '(the model gave no final answer text)';
    const firstParagraph = trimmed.split(/\n\s*\n/)[0].trim();
    const summary =
      firstParagraph.length > 500 ? `${firstParagraph.slice(0, 497)}...` : firstParagraph;
    return {
      success: outcome.goalMet,
      summary,
      details: trimmed,
      artifacts,
      execution_time:
        Math.round(
          (Date.now() - Date.parse(run.record.started_at ?? new Date().toISOString())) / 10,
        ) / 100,
    };
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
