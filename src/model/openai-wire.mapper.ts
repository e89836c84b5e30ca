import { randomUUID } from 'node:crypto';
import type {
  ChatCompletion,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { ChatMessage, ChatResponse, TokenUsage, ToolCall, ToolDefinition } from './language-model';

/** A 200 answer that is not a chat completion (HTML error page, truncated JSON, empty choices). */
export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

/** Our messages as OpenAI chat messages (native tool calling). */
export function toOpenAIMessages(messages: ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((m): ChatCompletionMessageParam => {
    switch (m.role) {
      case 'system':
        return { role: 'system', content: m.content ?? '' };
      case 'user':
        return { role: 'user', content: m.content ?? '' };
      case 'tool':
        // `name` is not part of the tool message on the wire; strict providers reject it
        return { role: 'tool', tool_call_id: m.tool_call_id ?? '', content: m.content ?? '' };
      case 'assistant':
        return m.tool_calls?.length
          ? {
              role: 'assistant',
              content: m.content ?? '',
              tool_calls: m.tool_calls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : { role: 'assistant', content: m.content ?? '' };
    }
  });
}

/** Our tool definitions as OpenAI function tools. */
export function toOpenAITools(tools: ToolDefinition[]): ChatCompletionTool[] {
  return tools.map((t) => ({
    type: 'function' as const,
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

/** Reads one completion; throws {@link MalformedResponseError} when it is not one. */
export function fromOpenAICompletion(
  completion: unknown,
): Pick<ChatResponse, 'message' | 'finish_reason' | 'usage'> {
  if (!completion || typeof completion !== 'object') {
    const shown = typeof completion === 'string' ? `: ${completion.slice(0, 200)}` : '';
    throw new MalformedResponseError(`the provider's answer is not a chat completion${shown}`);
  }
  const body = completion as Partial<ChatCompletion>;
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!choice || !choice.message || typeof choice.message !== 'object') {
    throw new MalformedResponseError("the provider's answer has no choices[0].message");
  }
  const raw = choice.message as { content?: unknown; tool_calls?: unknown };
  const toolCalls = readToolCalls(raw.tool_calls);
  const content = typeof raw.content === 'string' ? raw.content : null;
  const finish = toolCalls.length ? 'tool_calls' : (choice.finish_reason ?? 'stop');
  return {
    message: {
      role: 'assistant',
      content,
      ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
    },
    finish_reason: finish,
    usage: readUsage(body.usage),
  };
}

function readToolCalls(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  const calls: ToolCall[] = [];
  for (const item of value as Array<Record<string, unknown>>) {
    const fn = item?.function as { name?: unknown; arguments?: unknown } | undefined;
    if (!fn || typeof fn.name !== 'string' || !fn.name) continue;
    // some servers (older Ollama) send arguments as an object rather than JSON text
    const args =
      typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    const id =
      typeof item.id === 'string' && item.id ? item.id : `call_${randomUUID().slice(0, 8)}`;
    calls.push({ id, name: fn.name, arguments: args });
  }
  return calls;
}

/** Token usage as reported; zeros when the provider sends none. */
export function readUsage(usage: unknown): TokenUsage {
  const u = (usage ?? {}) as {
    prompt_tokens?: unknown;
    completion_tokens?: unknown;
    total_tokens?: unknown;
  };
  const prompt = toCount(u.prompt_tokens);
  const completion = toCount(u.completion_tokens);
  const total = toCount(u.total_tokens) || prompt + completion;
  return { prompt, completion, total };
}

function toCount(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.round(v) : 0;
}

/** Sums usages of several attempts that each cost tokens (json protocol re-asks). */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    prompt: a.prompt + b.prompt,
    completion: a.completion + b.completion,
    total: a.total + b.total,
  };
}
