import { Logger } from '@nestjs/common';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { abortableSleep } from './abortable-sleep';
import {
  correctiveMessage,
  JsonAction,
  parseJsonAction,
  toJsonProtocolMessages,
} from './json-tool-protocol';
import {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  LanguageModel,
  ModelError,
  TokenUsage,
  ToolDefinition,
} from './language-model';
import { AttemptFailure, classifyFailure, scrubSecrets } from './model-failure';
import { ModelMetricsSink } from './model-metrics';
import { ModelSettings } from './model-providers';
import {
  addUsage,
  fromOpenAICompletion,
  toOpenAIMessages,
  toOpenAITools,
} from './openai-wire.mapper';
import { ProviderLimiter } from './provider-limiter';
import { backoffDelayMs, DEFAULT_RETRY_TIMING, RetryTiming } from './retry-policy';

/** Collaborators of {@link OpenAICompatibleModel}. */
export interface OpenAICompatibleModelDeps {
  limiter: ProviderLimiter;
  metrics: ModelMetricsSink;
  retryTiming?: RetryTiming;
  /** Custom fetch (tests, proxies); the global fetch otherwise. */
  fetch?: typeof fetch;
}

type Sent = Pick<ChatResponse, 'message' | 'finish_reason' | 'usage'> & { attempts: number };

/**
 * One model over any OpenAI-compatible chat completions API (docs/models.md, Providers), bound to
 * the settings it was built with. Retries, Retry-After and the shared provider limiter are ours
 * (the SDK's own retries are off), so every attempt passes the limiter and a 429 pauses every
 * caller of the key.
 */
export class OpenAICompatibleModel implements LanguageModel {
  readonly offline = false;
  private readonly logger = new Logger(OpenAICompatibleModel.name);
  private readonly client: OpenAI;
  private readonly timing: RetryTiming;

  constructor(
    private readonly settings: ModelSettings,
    private readonly deps: OpenAICompatibleModelDeps,
  ) {
    this.timing = deps.retryTiming ?? DEFAULT_RETRY_TIMING;
    this.client = new OpenAI({
      // a placeholder key, with its header removed below, keeps the SDK from reading OPENAI_API_KEY
      apiKey: settings.apiKey ?? 'no-key',
      baseURL: settings.endpoint || 'http://127.0.0.1:9/unset',
      timeout: settings.timeoutMs,
      maxRetries: 0,
      // explicit nulls: never pick up OPENAI_ORG_ID / OPENAI_ADMIN_KEY etc. from the environment
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      logLevel: 'off',
      defaultHeaders: settings.apiKey ? undefined : { Authorization: null },
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  }

  get provider(): string {
    return this.settings.provider;
  }

  get model(): string {
    return this.settings.model;
  }

  /** The endpoint calls go to (no credentials). */
  get endpoint(): string {
    return this.settings.endpoint;
  }

  get toolProtocol(): 'native' | 'json' {
    return this.settings.toolProtocol;
  }

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const started = performance.now();
    const { provider, model } = this.settings;
    try {
      if (this.settings.notConfigured) {
        throw new ModelError('MODEL_NOT_CONFIGURED', this.settings.notConfigured, {
          provider,
          model,
        });
      }
      const tools = request.tools?.length ? request.tools : undefined;
      const answer =
        tools && this.settings.toolProtocol === 'json'
          ? await this.chatJsonProtocol(request, tools)
          : await this.send(request, request.messages, tools);
      const latency = performance.now() - started;
      this.deps.metrics.modelRequest(provider, model, 'success', latency / 1000, answer.usage);
      return { ...answer, latency_ms: Math.round(latency), provider, model };
    } catch (e) {
      const error = this.toModelError(e);
      const outcome = error.details.aborted ? 'aborted' : 'error';
      this.deps.metrics.modelRequest(
        provider,
        model,
        outcome,
        (performance.now() - started) / 1000,
      );
      throw error;
    }
  }

  /** Tools described in text, the JSON action parsed back into tool calls, one re-ask on garbage. */
  private async chatJsonProtocol(request: ChatRequest, tools: ToolDefinition[]): Promise<Sent> {
    const messages = toJsonProtocolMessages(request.messages, tools);
    const first = await this.send(request, messages);
    let action: JsonAction = parseJsonAction(first.message.content, tools);
    let usage: TokenUsage = first.usage;
    let attempts = first.attempts;
    let finish = first.finish_reason;
    const problem =
      action.kind === 'invalid' || action.kind === 'tool_calls' ? action.problem : undefined;
    if (problem) {
      this.logger.warn(
        { provider: this.provider, model: this.model, problem },
        'json tool protocol: re-asking once',
      );
      const retry = await this.send(request, [
        ...messages,
        { role: 'assistant', content: first.message.content ?? '' },
        correctiveMessage(problem),
      ]);
      usage = addUsage(usage, retry.usage);
      attempts += retry.attempts;
      finish = retry.finish_reason;
      const second = parseJsonAction(retry.message.content, tools);
      // after one correction, unknown tool names go to the agent, which reports them as tool errors
      if (second.kind === 'invalid') {
        throw new ModelError(
          'MODEL_ERROR',
          `the model did not answer a JSON action (tool_protocol "json"): ${second.problem}`,
          { provider: this.provider, model: this.model, attempts },
        );
      }
      action = second;
    }
    if (action.kind === 'tool_calls') {
      return {
        message: { role: 'assistant', content: action.text, tool_calls: action.calls },
        finish_reason: 'tool_calls',
        usage,
        attempts,
      };
    }
    const text = action.kind === 'final' ? action.text : '';
    return {
      message: { role: 'assistant', content: text },
      finish_reason: finish === 'length' ? 'length' : 'stop',
      usage,
      attempts,
    };
  }

  private body(
    request: ChatRequest,
    messages: ChatMessage[],
    tools: ToolDefinition[] | undefined,
  ): ChatCompletionCreateParamsNonStreaming {
    const wantsJson =
      request.response_format === 'json' &&
      this.settings.jsonMode &&
      // OpenAI refuses json_object mode unless the prompt itself mentions JSON
      messages.some((m) => /json/i.test(m.content ?? ''));
    return {
      model: this.settings.model,
      messages: toOpenAIMessages(messages),
      max_tokens: request.max_tokens ?? this.settings.maxTokens,
      temperature: request.temperature ?? this.settings.temperature,
      ...(tools ? { tools: toOpenAITools(tools) } : {}),
      ...(wantsJson ? { response_format: { type: 'json_object' as const } } : {}),
    };
  }

  /** One logical request: attempts through the limiter until success, a final error or abort. */
  private async send(
    request: ChatRequest,
    messages: ChatMessage[],
    tools?: ToolDefinition[],
  ): Promise<Sent> {
    const body = this.body(request, messages, tools);
    const signal = request.signal;
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(body, signal, attempt);
      if (!('kind' in result)) return { ...result, attempts: attempt };
      const failure = result;
      const details = {
        provider: this.provider,
        model: this.model,
        status: failure.status,
        attempts: attempt,
        ...(failure.retryAfterMs !== undefined
          ? { retry_after_seconds: Math.ceil(failure.retryAfterMs / 1000) }
          : {}),
      };
      if (failure.kind === 'aborted') {
        throw new ModelError('MODEL_ERROR', failure.message, { ...details, aborted: true });
      }
      if (!failure.retryable || attempt > this.settings.maxRetries) {
        const suffix = attempt > 1 ? ` (after ${attempt} attempts)` : '';
        throw new ModelError('MODEL_ERROR', this.scrub(failure.message) + suffix, details);
      }
      if (failure.delayMs > this.timing.maxRetryAfterMs) {
        throw new ModelError(
          'MODEL_ERROR',
          `${this.scrub(failure.message)} (the provider asks to wait ${Math.ceil(failure.delayMs / 1000)} s)`,
          details,
        );
      }
      this.logger.warn(
        {
          provider: this.provider,
          model: this.model,
          attempt,
          status: failure.status,
          delay_ms: failure.delayMs,
          reason: this.scrub(failure.message),
        },
        'model call failed; retrying',
      );
      // after a 429 the limiter is paused, so the next acquire waits; other failures back off alone
      if (failure.status === 429) continue;
      try {
        await abortableSleep(failure.delayMs, signal);
      } catch {
        throw new ModelError('MODEL_ERROR', 'the model request was aborted', {
          ...details,
          aborted: true,
        });
      }
    }
  }

  /**
   * One HTTP attempt with its own timeout, holding a limiter slot only while on the wire. A 429
   * pauses the limiter before the slot is returned, so no queued call slips out in between.
   */
  private async attempt(
    body: ChatCompletionCreateParamsNonStreaming,
    signal: AbortSignal | undefined,
    attemptNo: number,
  ): Promise<Omit<Sent, 'attempts'> | (AttemptFailure & { delayMs: number })> {
    const { provider, model, timeoutMs } = this.settings;
    try {
      const grant = await this.deps.limiter.acquire(signal);
      if (grant.reason && grant.waitedMs > 0) {
        this.deps.metrics.modelLimiterWait(provider, grant.reason, grant.waitedMs / 1000);
      }
    } catch (e) {
      const failure = classifyFailure(e, { provider, aborted: true, timedOut: false, timeoutMs });
      return { ...failure, delayMs: 0 };
    }
    const controller = new AbortController();
    let timedOut = false;
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      if (signal?.aborted) controller.abort();
      this.deps.metrics.modelAttempt(provider, model);
      const completion = await this.client.chat.completions.create(body, {
        signal: controller.signal,
        timeout: timeoutMs,
        maxRetries: 0,
      });
      return fromOpenAICompletion(completion);
    } catch (e) {
      const aborted = Boolean(signal?.aborted);
      const failure = classifyFailure(e, { provider, aborted, timedOut, timeoutMs });
      const delayMs = failure.retryAfterMs ?? backoffDelayMs(attemptNo, this.timing);
      if (failure.status === 429) this.deps.limiter.pauseFor(delayMs);
      return { ...failure, delayMs };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.deps.limiter.release();
    }
  }

  private toModelError(e: unknown): ModelError {
    if (e instanceof ModelError) return e;
    const failure = classifyFailure(e, {
      provider: this.provider,
      aborted: false,
      timedOut: false,
      timeoutMs: this.settings.timeoutMs,
    });
    return new ModelError('MODEL_ERROR', this.scrub(failure.message), {
      provider: this.provider,
      model: this.model,
    });
  }

  private scrub(text: string): string {
    return scrubSecrets(text, [this.settings.apiKey]);
  }
}
