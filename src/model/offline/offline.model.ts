import {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  LanguageModel,
  ModelError,
  ToolCall,
} from '../language-model';
import { ModelMetricsSink } from '../model-metrics';
import { extractTaskText } from '../task-text';
import {
  composeAnswer,
  IntentOutcome,
  needsModelAnswer,
  OFFLINE_LABEL,
  toolDisabledAnswer,
  toolDisabledNote,
} from './offline-answer.composer';
import { OfflineIntent, OfflineLanguage, OfflineUnderstanding } from './offline-intent';
import { parseOfflineRequest } from './offline-request.parser';
import { readToolResult } from './tool-result.reader';

/** Provider and model name the offline planner reports. */
export const OFFLINE_PROVIDER = 'offline';

const CALL_PREFIX = 'call_offline_';

/**
 * The built-in `offline` provider (docs/models.md, The offline provider): no AI, a deterministic
 * planner that turns plain English or Chinese requests into the plan and tool calls a model would
 * make, then composes the answer from the tool results. Requests it does not understand end with an
 * answer saying a language model is needed and how to configure one. Every output says "offline".
 */
export class OfflineLanguageModel implements LanguageModel {
  readonly provider = OFFLINE_PROVIDER;
  readonly model = OFFLINE_PROVIDER;
  readonly offline = true;

  constructor(private readonly metrics?: ModelMetricsSink) {}

  async chat(request: ChatRequest): Promise<ChatResponse> {
    const started = performance.now();
    if (request.signal?.aborted) {
      this.metrics?.modelRequest(this.provider, this.model, 'aborted', 0);
      throw new ModelError('MODEL_ERROR', 'the model request was aborted', {
        provider: this.provider,
        model: this.model,
        aborted: true,
      });
    }
    const understanding = parseOfflineRequest(extractTaskText(request.messages));
    const message =
      request.purpose === 'plan' ? planMessage(understanding) : stepMessage(understanding, request);
    const seconds = (performance.now() - started) / 1000;
    this.metrics?.modelRequest(this.provider, this.model, 'success', seconds, {
      prompt: 0,
      completion: 0,
    });
    return {
      message,
      finish_reason: message.tool_calls?.length ? 'tool_calls' : 'stop',
      usage: { prompt: 0, completion: 0, total: 0 },
      latency_ms: Math.round(seconds * 1000),
      attempts: 0,
      provider: this.provider,
      model: this.model,
    };
  }
}

type AssistantMessage = ChatMessage & { role: 'assistant' };

/** The plan as the JSON text the planning module asks a model for. */
function planMessage(u: OfflineUnderstanding): AssistantMessage {
  const zh = u.language === 'zh';
  const plan = u.intents.length
    ? {
        understanding: `${OFFLINE_LABEL} ${u.intents.map((i) => describeIntent(u.language, i)).join(zh ? '；然后' : '; then ')}`,
        approach: zh
          ? '离线规划器（不含 AI）按顺序调用相应的工具，并根据工具结果给出回答。'
          : 'The offline planner (no AI) calls the matching tools in order and answers from their results.',
        complexity:
          u.intents.length === 1 ? 'simple' : u.intents.length <= 3 ? 'moderate' : 'complex',
        estimated_steps: u.intents.length,
        requirements: [...new Set(u.intents.map(toolFor))],
      }
    : {
        understanding: `${OFFLINE_LABEL} ${zh ? '离线规划器无法理解这个请求；它需要语言模型。' : 'The offline planner cannot understand this request; it needs a language model.'}`,
        approach: zh
          ? '配置一个模型提供商（model.provider 与 model.api_key）后重试。'
          : 'Configure a model provider (model.provider and model.api_key) and try again.',
        complexity: 'simple',
        estimated_steps: 1,
        requirements: ['language model'],
      };
  return { role: 'assistant', content: JSON.stringify(plan) };
}

/** The next tool call, or the final answer once every call has its result. */
function stepMessage(u: OfflineUnderstanding, request: ChatRequest): AssistantMessage {
  if (!u.intents.length) return text(needsModelAnswer(u.language, u.unclear ?? ''));
  const issued = new Set<string>();
  const results = new Map<string, string | null>();
  for (const m of request.messages) {
    if (m.role === 'assistant') m.tool_calls?.forEach((c) => issued.add(c.id));
    if (m.role === 'tool' && m.tool_call_id) results.set(m.tool_call_id, m.content);
  }
  const offered = new Set((request.tools ?? []).map((t) => t.name));
  const outcomes: IntentOutcome[] = [];
  for (const [i, intent] of u.intents.entries()) {
    const id = `${CALL_PREFIX}${i + 1}`;
    if (issued.has(id)) {
      const result = results.get(id);
      outcomes.push({ intent, result });
      if (result === undefined) break;
      continue;
    }
    // an earlier step failed: answer now rather than go on
    if (outcomes.some((o) => o.result !== undefined && isFailure(o.result))) break;
    const tool = toolFor(intent);
    if (!offered.has(tool)) {
      return text(
        outcomes.length
          ? composeAnswer(u.language, outcomes, toolDisabledNote(u.language, tool))
          : toolDisabledAnswer(u.language, tool),
      );
    }
    const call: ToolCall = { id, name: tool, arguments: JSON.stringify(argumentsFor(intent)) };
    return { role: 'assistant', content: null, tool_calls: [call] };
  }
  return text(composeAnswer(u.language, outcomes));
}

function isFailure(result: string | null): boolean {
  return !readToolResult(result).ok;
}

function text(content: string): AssistantMessage {
  return { role: 'assistant', content };
}

/** The tool for each intent (the table of docs/models.md, The offline provider). */
function toolFor(intent: OfflineIntent): string {
  switch (intent.kind) {
    case 'list':
      return 'list_files';
    case 'read':
    case 'summarize':
      return 'read_file';
    case 'search':
      return 'search_files';
    case 'run':
      return 'run_command';
    case 'write':
      return 'write_file';
  }
}

/** The tool's arguments for each intent (the same table). */
function argumentsFor(intent: OfflineIntent): Record<string, unknown> {
  switch (intent.kind) {
    case 'list':
      return intent.recursive ? { path: intent.path, recursive: true } : { path: intent.path };
    case 'read':
    case 'summarize':
      return { path: intent.path };
    case 'search':
      // the user gave literal text; search_files takes a regex
      return { pattern: escapeRegex(intent.text), ...(intent.path ? { path: intent.path } : {}) };
    case 'run':
      return { command: intent.command };
    case 'write':
      return { path: intent.path, content: intent.content };
  }
}

function describeIntent(language: OfflineLanguage, intent: OfflineIntent): string {
  const zh = language === 'zh';
  switch (intent.kind) {
    case 'list':
      return zh
        ? `列出文件夹 ${intent.path}${intent.recursive ? '（含子目录）' : ''}`
        : `list the folder ${intent.path}${intent.recursive ? ' recursively' : ''}`;
    case 'read':
      return zh ? `读取文件 ${intent.path}` : `read the file ${intent.path}`;
    case 'summarize':
      return zh ? `读取并总结文件 ${intent.path}` : `read and summarize the file ${intent.path}`;
    case 'search':
      return zh
        ? `在 ${intent.path ?? '.'} 中搜索“${intent.text}”`
        : `search for "${intent.text}" in ${intent.path ?? '.'}`;
    case 'run':
      return zh ? `运行命令 \`${intent.command}\`` : `run the command \`${intent.command}\``;
    case 'write':
      return zh ? `把给定的文字写入 ${intent.path}` : `write the given text to ${intent.path}`;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
