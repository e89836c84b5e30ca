import { randomUUID } from 'node:crypto';
import { ChatMessage, ToolCall, ToolDefinition } from './language-model';
import { findJsonObjects } from './lenient-json';

/**
 * The `json` tool protocol (docs/models.md, Tool calling: `tool_protocol`) for models without
 * native function calling: the tools are described in the system message, the model answers one
 * JSON action in plain text, and tool results go back as a user message. Callers never see it:
 * requests and answers keep the native shape (`tools` in, `tool_calls` out).
 */

/** What a json-protocol answer means. */
export type JsonAction =
  | { kind: 'tool_calls'; calls: ToolCall[]; text: string | null; problem?: string }
  | { kind: 'final'; text: string }
  | { kind: 'invalid'; problem: string };

const RESULTS_HEADER = 'TOOL RESULTS';

/** The protocol text appended to the system message. */
export function describeTools(tools: ToolDefinition[]): string {
  const list = tools
    .map(
      (t) =>
        `- ${t.name}: ${t.description}\n  arguments (JSON Schema): ${JSON.stringify(t.parameters)}`,
    )
    .join('\n');
  return [
    '## Tools',
    'You can use these tools:',
    list,
    '',
    '## How to answer',
    'Answer with exactly one JSON object and nothing else.',
    'To call tools: {"tool_calls": [{"name": "<tool name>", "arguments": {<arguments>}}]}',
    'When the task is done, or cannot be done: {"final_answer": "<your answer for the user>"}',
    `Tool results come back in a user message that starts with "${RESULTS_HEADER}".`,
  ].join('\n');
}

/** Rewrites a native conversation for a model that only reads and writes text. */
export function toJsonProtocolMessages(
  messages: ChatMessage[],
  tools: ToolDefinition[],
): ChatMessage[] {
  const protocol = describeTools(tools);
  const toolNames = new Map<string, string>();
  const out: ChatMessage[] = [];
  let pendingResults: string[] = [];
  const flushResults = (): void => {
    if (!pendingResults.length) return;
    out.push({
      role: 'user',
      content: `${RESULTS_HEADER}\n\n${pendingResults.join('\n\n')}\n\nAnswer with one JSON object.`,
    });
    pendingResults = [];
  };
  let systemDone = false;
  for (const m of messages) {
    if (m.role === 'tool') {
      const name = m.name ?? toolNames.get(m.tool_call_id ?? '') ?? 'tool';
      const label = m.tool_call_id ? `${name} ${m.tool_call_id}` : name;
      pendingResults.push(`[${label}]\n${m.content ?? ''}`);
      continue;
    }
    flushResults();
    if (m.role === 'system' && !systemDone) {
      out.push({ role: 'system', content: `${m.content ?? ''}\n\n${protocol}`.trim() });
      systemDone = true;
    } else if (m.role === 'assistant' && m.tool_calls?.length) {
      for (const c of m.tool_calls) toolNames.set(c.id, c.name);
      const action = JSON.stringify({
        tool_calls: m.tool_calls.map((c) => ({
          name: c.name,
          arguments: parseArguments(c.arguments),
        })),
      });
      out.push({ role: 'assistant', content: m.content ? `${m.content}\n${action}` : action });
    } else {
      out.push({ role: m.role, content: m.content ?? '' });
    }
  }
  flushResults();
  if (!systemDone) out.unshift({ role: 'system', content: protocol });
  return out;
}

/** The user message asking the model, once, to answer again in the protocol. */
export function correctiveMessage(problem: string): ChatMessage {
  return {
    role: 'user',
    content:
      `Your last answer could not be used: ${problem}. Answer again with exactly one JSON object: ` +
      '{"tool_calls": [{"name": "<tool name>", "arguments": {…}}]} or {"final_answer": "…"}.',
  };
}

/** Reads a json-protocol answer leniently (fenced JSON, JSON inside prose, several key spellings). */
export function parseJsonAction(text: string | null, tools: ToolDefinition[]): JsonAction {
  const content = (text ?? '').trim();
  if (!content) return { kind: 'invalid', problem: 'the answer was empty' };
  const known = new Set(tools.map((t) => t.name));
  for (const obj of findJsonObjects(content)) {
    const calls = readCalls(obj);
    if (calls.length) {
      const unknown = calls.filter((c) => !known.has(c.name)).map((c) => c.name);
      const problem = unknown.length
        ? `unknown tool ${unknown.map((n) => `"${n}"`).join(', ')}; the tools are ${[...known].join(', ')}`
        : undefined;
      const before = content.slice(0, content.indexOf('{')).trim();
      return { kind: 'tool_calls', calls, text: before || null, ...(problem ? { problem } : {}) };
    }
    const final = firstString(obj, ['final_answer', 'final', 'answer', 'response', 'result']);
    if (final !== undefined) return { kind: 'final', text: final };
  }
  // prose with no braces is a plain final answer; braces that did not parse are a failed action
  if (!content.includes('{')) return { kind: 'final', text: content };
  return {
    kind: 'invalid',
    problem: 'it was not a JSON object with "tool_calls" or "final_answer"',
  };
}

function readCalls(obj: Record<string, unknown>): ToolCall[] {
  const list = Array.isArray(obj.tool_calls)
    ? obj.tool_calls
    : Array.isArray(obj.actions)
      ? obj.actions
      : firstString(obj, ['tool', 'tool_name', 'name', 'function']) !== undefined
        ? [obj]
        : [];
  const calls: ToolCall[] = [];
  for (const item of list as unknown[]) {
    if (!item || typeof item !== 'object') continue;
    const rec = item as Record<string, unknown>;
    const fn =
      rec.function && typeof rec.function === 'object'
        ? (rec.function as Record<string, unknown>)
        : undefined;
    const name =
      firstString(rec, ['name', 'tool', 'tool_name']) ??
      (fn ? firstString(fn, ['name']) : firstString(rec, ['function']));
    if (!name) continue;
    const args = rec.arguments ?? rec.args ?? rec.parameters ?? rec.input ?? fn?.arguments ?? {};
    calls.push({
      id: `call_${randomUUID().replace(/-/g, '').slice(0, 12)}`,
      name,
      arguments: typeof args === 'string' ? args : JSON.stringify(args),
    });
  }
  return calls;
}

function firstString(obj: Record<string, unknown>, keys: string[]): string | undefined {
  for (const k of keys) if (typeof obj[k] === 'string' && obj[k]) return obj[k] as string;
  return undefined;
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
