/** One message of a task event stream, as the tests read it. */
export interface SseEvent {
  /** The `id:` field (the event's `seq`), when sent. */
  id?: number;
  /** The `event:` field (the event type), when sent. */
  event?: string;
  /** The `data:` lines, joined and parsed as JSON (the route sends one JSON object per event). */
  data: Record<string, unknown>;
}

const FIELDS = new Set(['id', 'event', 'data', 'retry']);

/**
 * Parses a whole `text/event-stream` body (or a quoted sample of one) into its messages, as
 * docs/api.md, "Task events (SSE)" describes the stream: messages separated by a blank line
 * (LF or CRLF), `: …` comments (heartbeats) and `retry:`-only blocks skipped, the last message
 * possibly without its blank line. Strict on purpose: an unknown field, or `data` that is not a
 * JSON object, throws, so a malformed stream fails the test that reads it.
 */
export function parseSse(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of body.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const event = parseBlock(block);
    if (event) events.push(event);
  }
  return events;
}

function parseBlock(block: string): SseEvent | undefined {
  const fields: Record<string, string[]> = {};
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? line : line.slice(0, colon);
    if (!FIELDS.has(name)) throw new Error(`unexpected SSE line ${JSON.stringify(line)}`);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    (fields[name] ??= []).push(value);
  }
  if (!fields.data) return undefined;
  const data = JSON.parse(fields.data.join('\n')) as unknown;
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new Error(`SSE data is not a JSON object: ${fields.data.join('\n')}`);
  return {
    ...(fields.id ? { id: Number(fields.id.at(-1)) } : {}),
    ...(fields.event ? { event: fields.event.at(-1) } : {}),
    data: data as Record<string, unknown>,
  };
}
