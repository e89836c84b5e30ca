import { Injectable } from '@nestjs/common';
import { TaskPlan } from '../../contracts/task.types';
import { AppConfigService } from '../../config/app-config.service';
import { ToolRegistry } from '../../execution/tool-registry.service';
import { ToolDefinition } from '../../contracts/tool-definition';
import { ChatMessage, ChatResponse, LanguageModel, ModelError } from '../../model/language-model';
import { ModelRegistry } from '../../model/model.registry';
import { PromptTemplate } from '../../planning/prompt-template';
import { PromptService } from '../../planning/prompt.service';
import { UnderstandingEngine } from '../../planning/understanding-engine';
import { StepRecorder } from './step-recorder';
import { TaskOutcome, TaskProcessor, TaskRun } from './task-agent.types';
import { composeResult } from './task-result.composer';
import { TaskStop } from './task-stop';
import { ToolCallRunner } from './tool-call.runner';

/** What one run works with, worked out once before the loop. */
interface RunContext {
  run: TaskRun;
  model: LanguageModel;
  steps: StepRecorder;
  template: PromptTemplate;
  scenario: string | null;
  tools: ToolDefinition[];
  toolCalls: ToolCallRunner;
  maxSteps: number;
}

/**
 * The agent loop: plan with the UnderstandingEngine, then let the model work through tools until
 * it answers without a tool call or runs out of rounds (max_steps), then compose the result. The
 * task's AbortSignal reaches every model call and process.
 */
@Injectable()
export class TaskAgentService extends TaskProcessor {
  constructor(
    private readonly models: ModelRegistry,
    private readonly tools: ToolRegistry,
    private readonly prompts: PromptService,
    private readonly config: AppConfigService,
  ) {
    super();
  }

  async processTask(run: TaskRun): Promise<TaskOutcome> {
    const ctx = this.contextFor(run);
    let plan: TaskPlan | null = null;
    const end = (outcome: Omit<TaskOutcome, 'metrics' | 'plan'>): TaskOutcome => ({
      ...outcome,
      plan,
      metrics: run.metrics,
    });
    try {
      if (this.config.get('execution').planning) plan = await this.plan(ctx);
      const answer = await this.converse(ctx, plan);
      const result = composeResult(answer, run.artifacts, run.record.started_at);
      ctx.steps.end(
        ctx.steps.start('completion', 'Compose the result'),
        'completed',
        result.summary,
      );
      return end({ status: 'completed', result });
    } catch (e) {
      // Aborted: the dispatcher has recorded cancelled/timeout already; this outcome is not used.
      if (run.signal.aborted) {
        return end({
          status: 'failed',
          error: { code: 'TASK_CANCELLED', message: 'Aborted.', details: null },
        });
      }
      if (e instanceof TaskStop || e instanceof ModelError) {
        return end({
          status: 'failed',
          error: { code: e.code, message: e.message, details: e.details },
        });
      }
      throw e;
    }
  }

  private contextFor(run: TaskRun): RunContext {
    const { request } = run.record;
    const execution = this.config.get('execution');
    const maxSteps = Math.min(
      request.context?.constraints?.max_steps ?? execution.max_steps,
      execution.max_steps,
    );
    const workingDirectory = this.tools.resolveTaskWorkingDirectory(
      request.context?.working_directory,
    );
    const template = this.prompts.resolveTemplate(workingDirectory);
    const steps = new StepRecorder(run);
    return {
      run,
      model: this.models.current(),
      steps,
      template,
      scenario: this.prompts.inferScenario(run.record.task, request.context?.scenario, template)
        .scenario,
      tools: this.tools.definitions(request.context?.tools),
      toolCalls: new ToolCallRunner(
        this.tools,
        run,
        steps,
        workingDirectory,
        execution.max_repeated_tool_calls,
      ),
      maxSteps,
    };
  }

  /** The planning step: understand the task and plan the approach. */
  private async plan(ctx: RunContext): Promise<TaskPlan> {
    const { run, steps } = ctx;
    const step = steps.start('planning', 'Understand the task and plan the approach');
    try {
      const engine = UnderstandingEngine.withTemplate(ctx.model, ctx.template, {
        maxEstimatedSteps: ctx.maxSteps,
      });
      const understood = await engine.understandTaskDetailed(run.record.task, {
        scenario: ctx.scenario ?? undefined,
        signal: run.signal,
      });
      understood.calls.forEach((call) => countCall(run, call));
      const { plan } = understood;
      steps.end(step, 'completed', `${plan.understanding}\nApproach: ${plan.approach}`);
      run.onPlan(plan);
      return plan;
    } catch (e) {
      steps.end(step, 'failed', null, (e as Error).message);
      throw e;
    }
  }

  /** Rounds of model answers and tool calls; returns the model's final answer text. */
  private async converse(ctx: RunContext, plan: TaskPlan | null): Promise<string> {
    const { run } = ctx;
    const messages: ChatMessage[] = this.prompts.buildAgentMessages(
      run.record.task,
      ctx.template,
      ctx.scenario,
      plan,
      ctx.tools.map((t) => t.name),
    );
    for (let round = 1; round <= ctx.maxSteps; round++) {
      run.signal.throwIfAborted();
      const response = await this.ask(ctx, messages, round);
      const calls = response.message.tool_calls ?? [];
      messages.push({ ...response.message, tool_calls: calls.length ? calls : undefined });
      if (calls.length === 0) return response.message.content ?? '';
      for (const call of calls) {
        const content = await ctx.toolCalls.call(call);
        messages.push({ role: 'tool', tool_call_id: call.id, name: call.name, content });
      }
    }
    throw new TaskStop(
      'MAX_STEPS_EXCEEDED',
      `The task did not finish within ${ctx.maxSteps} model rounds (max_steps).`,
      { max_steps: ctx.maxSteps },
    );
  }

  /** One model call, as a step of its own. */
  private async ask(
    ctx: RunContext,
    messages: ChatMessage[],
    round: number,
  ): Promise<ChatResponse> {
    const { run, steps } = ctx;
    const model = this.config.get('model');
    const step = steps.start('model', `Ask the model (round ${round})`, { round });
    let response: ChatResponse;
    try {
      response = await ctx.model.chat({
        messages,
        tools: ctx.tools.length ? ctx.tools : undefined,
        signal: run.signal,
        max_tokens: model.max_tokens,
        temperature: model.temperature,
        purpose: 'step',
      });
    } catch (e) {
      steps.end(step, 'failed', null, (e as Error).message);
      throw e;
    }
    countCall(run, response);
    const calls = response.message.tool_calls ?? [];
    steps.end(
      step,
      'completed',
      calls.length
        ? `Tool calls: ${calls.map((c) => c.name).join(', ')}`
        : response.message.content,
    );
    return response;
  }
}

/** Adds a model call's time, attempts and tokens to the task's figures. */
function countCall(run: TaskRun, response: ChatResponse): void {
  const { metrics } = run;
  metrics.model_calls += 1;
  metrics.model_attempts += response.attempts;
  metrics.model_time_ms += response.latency_ms;
  metrics.tokens_used.prompt += response.usage.prompt;
  metrics.tokens_used.completion += response.usage.completion;
  metrics.tokens_used.total += response.usage.total;
}
