import type { TaskEvent, TaskEventType } from '../contracts/task.types';
import { AgentRunnerError } from '../common/errors';
import { ConnectionError } from './connection.error';
import { HttpRequester, sleep } from './http-requester';
import { SseParser } from './sse-parser';
import { isTerminal, TERMINAL_EVENT_TYPES } from '../contracts/task.types';

/** Consecutive failed (re)connections, without a single event between them, before giving up. */
const MAX_FAILED_CONNECTIONS = 5;

export interface HttpEventStreamOptions {
  lastEventId: number;
  signal?: AbortSignal;
  /** Reads the task when a stream ends without its terminal event (already over?). */
  taskStatus(): Promise<{ status: string }>;
}

/** `data:` of one SSE message → the TaskEvent it carries (the route flattens `data` into it). */
function toTaskEvent(data: string, id: string | undefined): TaskEvent {
  const { task_id, seq, type, timestamp, ...rest } = JSON.parse(data) as Record<string, unknown>;
  return {
    task_id: String(task_id),
    seq: typeof seq === 'number' ? seq : Number(id),
    type: type as TaskEventType,
    timestamp: String(timestamp),
    data: rest,
  };
}

/**
 * GET /tasks/{id}/events as an async iterable: yields each event once, in order, and reconnects
 * with `Last-Event-ID` when the connection drops or goes silent, until the terminal event.
 */
export async function* httpTaskEvents(
  http: HttpRequester,
  taskId: string,
  options: HttpEventStreamOptions,
): AsyncGenerator<TaskEvent> {
  let last = options.lastEventId;
  let retryMs = 1000;
  let failures = 0;
  const path = `/api/v1/tasks/${encodeURIComponent(taskId)}/events`;
  for (;;) {
    let received = 0;
    const connection = new AbortController();
    const signal = options.signal
      ? AbortSignal.any([options.signal, connection.signal])
      : connection.signal;
    const idle = idleWatchdog(connection, http.options.streamIdleTimeoutMs);
    try {
      idle.reset();
      const body = await openStream(http, path, last, signal, taskId);
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for await (const chunk of body) {
        idle.reset();
        for (const message of parser.push(decoder.decode(chunk, { stream: true }))) {
          if (message.retry !== undefined) retryMs = Math.min(message.retry, 30_000);
          if (!message.data) continue;
          const event = toTaskEvent(message.data, message.id);
          if (event.seq <= last) continue;
          last = event.seq;
          received++;
          failures = 0;
          yield event;
          if (TERMINAL_EVENT_TYPES.has(event.type)) return;
        }
      }
    } catch (e) {
      if (options.signal?.aborted) throw options.signal.reason;
      // The service answered with a real error (404, 401, …): reconnecting cannot help.
      if (e instanceof AgentRunnerError && !(e instanceof ConnectionError)) throw e;
      if (++failures >= MAX_FAILED_CONNECTIONS) throw e;
    } finally {
      idle.stop();
      connection.abort();
    }
    // The stream ended without the terminal event: maybe the task ended before our resume point.
    if (received === 0 && isTerminal((await options.taskStatus()).status)) return;
    await sleep(retryMs, options.signal);
  }
}

/** Opens the stream from just after event `last`; an error answer throws its domain error. */
async function openStream(
  http: HttpRequester,
  path: string,
  last: number,
  signal: AbortSignal,
  taskId: string,
): Promise<AsyncIterable<Uint8Array>> {
  const response = await http.open(
    path,
    { accept: 'text/event-stream', ...(last > 0 ? { 'last-event-id': String(last) } : {}) },
    signal,
  );
  if (!response.ok) throw http.httpError(response, await response.text(), { taskId });
  if (!response.body) throw new ConnectionError('The event stream has no body.', 'bad_response');
  return response.body as unknown as AsyncIterable<Uint8Array>;
}

/** Aborts the connection when nothing arrives for `ms` after the last reset. */
function idleWatchdog(connection: AbortController, ms: number): { reset(): void; stop(): void } {
  let idle: NodeJS.Timeout | undefined;
  return {
    reset() {
      clearTimeout(idle);
      idle = setTimeout(
        () =>
          connection.abort(
            new ConnectionError('The event stream went silent; reconnecting.', 'timeout'),
          ),
        ms,
      );
    },
    stop() {
      clearTimeout(idle);
    },
  };
}
