import { Logger } from '@nestjs/common';
import { TaskPlan } from '../contracts/task.types';
import {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  LanguageModel,
  ModelError,
} from '../model/language-model';
import { DEFAULT_MAX_ESTIMATED_STEPS, completePlan, minimalPlan } from './plan-completion';
import { ParsedPlan, parsePlanAnswer } from './plan-parser';
import { buildPlanCorrection, buildPlanMessages, planAnswerFormat } from './plan-prompt.builder';
import { PromptTemplate } from './prompt-template';
import { chooseScenario } from './scenario-choice';
import { ScenarioChoice } from './scenario-inference';

/** What planning needs from a task's context (the TaskRequest `context` fits). */
export interface UnderstandingContext {
  /** Force a scenario of the template (else it is inferred from the task). */
  scenario?: string | null;
  working_directory?: string;
  /** Aborts the planning call(s) with the task. */
  signal?: AbortSignal;
}

export interface UnderstandingOptions {
  /** The template to plan with; default the built-in prompts/default.yaml. */
  template?: PromptTemplate;
  /** Upper bound of `estimated_steps` (default 50); pass execution.max_steps to tie it to the run. */
  maxEstimatedSteps?: number;
  max_tokens?: number;
  temperature?: number;
}

/** How a plan came to be. */
export type PlanSource = 'model' | 'model_retry' | 'fallback';

/** A plan plus what it cost: every model call made for it (usage, latency, attempts). */
export interface PlanningOutcome {
  plan: TaskPlan;
  calls: ChatResponse[];
  source: PlanSource;
  scenario: ScenarioChoice;
}

/**
 * Turns a task into a TaskPlan (docs/prompts.md, The plan) with one model call: the prompt is built
 * from the template layers, the answer parsed leniently; an unreadable answer is asked for once
 * more, then a minimal plan is built from the task. Model failures (ModelError: network, HTTP
 * errors, abort) propagate; model text never makes planning fail.
 */
export class UnderstandingEngine {
  private readonly logger = new Logger(UnderstandingEngine.name);
  readonly template: PromptTemplate;

  constructor(
    private readonly model: LanguageModel,
    private readonly options: UnderstandingOptions = {},
  ) {
    this.template = options.template ?? PromptTemplate.builtIn();
  }

  /** The seed's `UnderstandingEngine::with_template`. */
  static withTemplate(
    model: LanguageModel,
    template: PromptTemplate,
    options: Omit<UnderstandingOptions, 'template'> = {},
  ): UnderstandingEngine {
    return new UnderstandingEngine(model, { ...options, template });
  }

  async understandTask(task: string, context: UnderstandingContext = {}): Promise<TaskPlan> {
    return (await this.understandTaskDetailed(task, context)).plan;
  }

  /** Like understandTask, with the model calls made (for tokens and model time) and the source. */
  async understandTaskDetailed(
    task: string,
    context: UnderstandingContext = {},
  ): Promise<PlanningOutcome> {
    const scenario = chooseScenario(this.template, task, context.scenario);
    const maxSteps = this.options.maxEstimatedSteps ?? DEFAULT_MAX_ESTIMATED_STEPS;
    const messages = buildPlanMessages(this.template, task, scenario.scenario, maxSteps);
    const calls: ChatResponse[] = [];

    const first = await this.ask(messages, context.signal);
    calls.push(first);
    let parsed = this.read(first);
    let source: PlanSource = 'model';
    if (!parsed) {
      this.throwIfAborted(context.signal);
      this.logger.warn('planning answer unreadable; asking once more');
      const second = await this.ask(
        [...messages, ...buildPlanCorrection(this.template, contentOf(first))],
        context.signal,
      );
      calls.push(second);
      parsed = this.read(second);
      source = 'model_retry';
    }
    if (!parsed) {
      this.logger.warn('planning answer unreadable twice; going on with a minimal plan');
      return {
        plan: minimalPlan(task, scenario.scenario, maxSteps),
        calls,
        source: 'fallback',
        scenario,
      };
    }
    return {
      plan: completePlan(parsed, task, scenario.scenario, maxSteps),
      calls,
      source,
      scenario,
    };
  }

  private ask(messages: ChatMessage[], signal: AbortSignal | undefined): Promise<ChatResponse> {
    const request: ChatRequest = {
      messages,
      purpose: 'plan',
      response_format: planAnswerFormat(this.template),
    };
    if (signal) request.signal = signal;
    if (this.options.max_tokens !== undefined) request.max_tokens = this.options.max_tokens;
    if (this.options.temperature !== undefined) request.temperature = this.options.temperature;
    return this.model.chat(request);
  }

  private read(response: ChatResponse): ParsedPlan | null {
    try {
      return parsePlanAnswer(contentOf(response));
    } catch (e) {
      // the parser is written not to throw; this guards the promise that text never fails a task
      this.logger.error(`plan parser failed: ${(e as Error).message}`);
      return null;
    }
  }

  private throwIfAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) {
      throw new ModelError('MODEL_ERROR', 'the model request was aborted', {
        provider: this.model.provider,
        model: this.model.model,
        aborted: true,
      });
    }
  }
}

function contentOf(response: ChatResponse | undefined): string | null {
  const content = response?.message?.content;
  return typeof content === 'string' ? content : null;
}
