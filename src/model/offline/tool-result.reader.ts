/**
 * Reads a tool result message leniently: the agent may pass the tool's output as JSON (an object
 * with `content`, `entries`, `matches`, `exit_code`, …) or as plain text.
 */
export interface ToolResultView {
  ok: boolean;
  /** The error or denial text when `ok` is false. */
  error?: string;
  /** The parsed JSON, when the result was JSON. */
  data?: Record<string, unknown> | unknown[];
  /** The raw text. */
  text: string;
}

const ERROR_TEXT =
  /^\s*(error|denied|permission denied|access denied|tool error|failed|refused)\b[:\s-]/i;

export function readToolResult(content: string | null): ToolResultView {
  const text = content ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed)) return { ok: true, data: parsed, text };
  if (parsed && typeof parsed === 'object') {
    const obj = parsed as Record<string, unknown>;
    const error = errorOf(obj);
    return error ? { ok: false, error, data: obj, text } : { ok: true, data: obj, text };
  }
  if (ERROR_TEXT.test(text)) return { ok: false, error: text.trim(), text };
  return { ok: true, text };
}

function errorOf(obj: Record<string, unknown>): string | undefined {
  const e = obj.error;
  if (typeof e === 'string' && e) return e;
  if (e && typeof e === 'object') {
    const message = (e as { message?: unknown }).message;
    return typeof message === 'string' ? message : JSON.stringify(e);
  }
  const failed =
    obj.ok === false ||
    obj.success === false ||
    obj.denied === true ||
    /^(error|denied|failed)$/i.test(String(obj.status ?? obj.outcome ?? ''));
  if (!failed) return undefined;
  const message = obj.message ?? obj.reason ?? obj.output;
  return typeof message === 'string' && message ? message : 'the tool call failed';
}

/** First string field among `keys`, else undefined. */
export function stringField(data: ToolResultView['data'], keys: string[]): string | undefined {
  if (!data || Array.isArray(data)) return undefined;
  for (const k of keys) if (typeof data[k] === 'string') return data[k] as string;
  return undefined;
}

/** First number field among `keys`, else undefined. */
export function numberField(data: ToolResultView['data'], keys: string[]): number | undefined {
  if (!data || Array.isArray(data)) return undefined;
  for (const k of keys) if (typeof data[k] === 'number') return data[k] as number;
  return undefined;
}

/** First array field among `keys` (or the data itself when it is an array). */
export function arrayField(data: ToolResultView['data'], keys: string[]): unknown[] | undefined {
  if (Array.isArray(data)) return data;
  if (!data) return undefined;
  for (const k of keys) if (Array.isArray(data[k])) return data[k] as unknown[];
  return undefined;
}

/** File text from a read_file result: JSON `content`/`text`, or the raw text without line numbers. */
export function fileTextOf(view: ToolResultView): string {
  const raw = stringField(view.data, ['content', 'text', 'data', 'output']) ?? view.text;
  const lines = raw.split('\n');
  const numbered = lines.filter((l) => l.trim()).every((l) => /^\s*\d+(?:[:|\t]| {2,}|→)/.test(l));
  const body =
    numbered && lines.length > 1
      ? lines.map((l) => l.replace(/^\s*\d+(?:[:|\t→]| {2,})\s?/, '')).join('\n')
      : raw;
  // drop a trailing truncation marker the tool may add
  return body.replace(/\n?\s*[[(…].{0,20}truncated.{0,80}$/i, '');
}
