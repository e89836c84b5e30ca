/**
 * The one interface planning and the agent loop use to talk to a model (docs/models.md).
 * Implementations: the OpenAI-compatible client (every provider) and the built-in offline planner.
 */
import type { ToolDefinition } from '../contracts/tool-definition';

export type { ToolDefinition };

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  /** Provider-assigned id, echoed in the tool result message. */
  id: string;
  name: string;
  /** Arguments as the model sent them (JSON text); the agent parses and validates them. */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string | null;
  /** On assistant messages that call tools. */
  tool_calls?: ToolCall[];
  /** On tool messages: the call this result answers. */
  tool_call_id?: string;
  /** On tool messages: the tool's name. */
  name?: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  /**
   * Aborts the in-flight HTTP request at once (task cancel or timeout); the call then rejects
   * with a ModelError whose `details.aborted` is true.
   */
  signal?: AbortSignal;
  max_tokens?: number;
  temperature?: number;
  /** Ask for a JSON object answer (where the provider supports it). */
  response_format?: 'text' | 'json';
  /** What the call is for, for logs and the offline planner ('plan' or 'step'). */
  purpose?: 'plan' | 'step';
}

export interface TokenUsage {
  prompt: number;
  completion: number;
  total: number;
}

export interface ChatResponse {
  /** The assistant message: text and/or tool calls. */
  message: ChatMessage & { role: 'assistant' };
  finish_reason: 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'error' | string;
  usage: TokenUsage;
  latency_ms: number;
  /** HTTP attempts this call took (1 without retries). */
  attempts: number;
  provider: string;
  model: string;
}

export interface LanguageModel {
  readonly provider: string;
  readonly model: string;
  /** True for the built-in rule-based planner: outputs are labelled "offline". */
  readonly offline: boolean;
  chat(request: ChatRequest): Promise<ChatResponse>;
}

/** Task-level model failure codes (docs/models.md, Retries, timeouts, cancellation). */
export type ModelErrorCode = 'MODEL_ERROR' | 'MODEL_NOT_CONFIGURED';

/** What is known about a failed model call; never holds the key. */
export interface ModelErrorDetails {
  provider?: string;
  model?: string;
  /** The provider's HTTP status, when it answered. */
  status?: number;
  attempts?: number;
  /** True when the caller's signal aborted the call (task cancel or timeout). */
  aborted?: boolean;
  /** Seconds the provider asked to wait (Retry-After) on the last answer. */
  retry_after_seconds?: number;
}

/** A model call that failed for good; carries the provider's status and message, never the key. */
export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly details: ModelErrorDetails = {},
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
