import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerIdentity } from '../auth/caller-identity';
import { TaskEventsService } from './task-events.service';
import { isTerminal, TaskRunnerService } from './task-runner.service';
import { TaskEvent } from './task.types';

/** Heartbeat comment interval: keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/** A client that lets this many bytes pile up is dropped; it can resume with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export function formatSse(event: TaskEvent): string {
  const data = JSON.stringify({
    task_id: event.task_id,
    seq: event.seq,
    timestamp: event.timestamp,
    type: event.type,
    ...event.data,
  });
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${data}\n\n`;
}

const TERMINAL_EVENTS = new Set([
  'task.completed',
  'task.failed',
  'task.cancelled',
  'task.timeout',
]);

/**
 * One SSE stream per request: replay from the store, then live events; closes after the terminal
 * event. Writes never wait on a slow client: if its socket buffer grows past a bound the stream
 * is closed instead of holding memory or stalling the service.
 */
@Injectable()
export class TaskEventStreamService {
  /** How to close each open stream (the HTTP server closes them all when it stops). */
  private readonly streams = new Set<() => void>();

  constructor(
    private readonly runner: TaskRunnerService,
    private readonly events: TaskEventsService,
  ) {}

  /**
   * Ends every open stream (the server is stopping: a stream would hold it open). Clients resume
   * elsewhere, or after the restart, with Last-Event-ID. Returns how many were open.
   */
  closeAll(): number {
    const open = [...this.streams];
    for (const close of open) close();
    return open.length;
  }

  open(
    taskId: string,
    caller: CallerIdentity,
    afterSeq: number,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    this.runner.visible(taskId, caller); // 404 before any stream starts
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    let lastSent = afterSeq;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      this.streams.delete(close);
      clearInterval(heartbeat);
      unsubscribe();
      raw.end();
    };
    const send = (event: TaskEvent) => {
      if (closed || event.seq <= lastSent) return;
      lastSent = event.seq;
      raw.write(formatSse(event));
      if (raw.writableLength > MAX_BUFFERED_BYTES) {
        raw.destroy();
        close();
        return;
      }
      if (TERMINAL_EVENTS.has(event.type)) close();
    };
    // Subscribe before replaying so nothing falls between the two; `send` drops duplicates.
    const buffered: TaskEvent[] = [];
    let replaying = true;
    const unsubscribe = this.events.subscribe(taskId, (e) =>
      replaying ? buffered.push(e) : send(e),
    );
    const heartbeat = setInterval(
      () => !closed && raw.write(`: heartbeat ${Date.now()}\n\n`),
      HEARTBEAT_MS,
    );
    request.raw.on('close', close);
    this.streams.add(close);
    raw.write(`retry: 2000\n\n`);
    const replay = () => {
      if (closed) return;
      for (const e of this.events.history(taskId, afterSeq)) send(e);
      replaying = false;
      for (const e of buffered) send(e);
      if (!closed && isTerminal(this.runner.visible(taskId, caller).status)) {
        // Terminal, and the client had already seen the end: nothing more will come.
        close();
      }
    };
    // The stored history may hold a terminal event not yet committed: replay after the commit.
    const durable = this.runner.terminalsDurable();
    if (durable)
      void durable.then(() => {
        try {
          replay();
        } catch {
          close(); // the task went away meanwhile (a retention purge)
        }
      });
    else replay();
  }
}
