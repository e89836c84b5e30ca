import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { CallerIdentity } from '../../contracts/caller-identity';
import { TaskEvent, TERMINAL_EVENT_TYPES } from '../../contracts/task.types';
import { TaskEventsService } from '../tasks/task-events.service';
import { TasksService } from '../tasks/tasks.service';

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

/**
 * One SSE stream: replay from the store, then live events; closes after the terminal event.
 * Writes never wait on a slow client: if its socket buffer grows past a bound the stream is
 * closed instead of holding memory or stalling the service.
 */
class TaskEventStream {
  private lastSent: number;
  private closed = false;
  private replaying = true;
  private readonly buffered: TaskEvent[] = [];
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly raw: ServerResponse,
    private readonly taskId: string,
    afterSeq: number,
    events: TaskEventsService,
    private readonly onClose: () => void,
  ) {
    this.lastSent = afterSeq;
    // Subscribe before replaying so nothing falls between the two; `send` drops duplicates.
    this.unsubscribe = events.subscribe(taskId, (e) =>
      this.replaying ? this.buffered.push(e) : this.send(e),
    );
    this.heartbeat = setInterval(
      () => !this.closed && raw.write(`: heartbeat ${Date.now()}\n\n`),
      HEARTBEAT_MS,
    );
    raw.write(`retry: 2000\n\n`);
  }

  /** Sends the stored events after the client's last, then what arrived meanwhile. */
  async replay(history: Promise<TaskEvent[]>, terminal: () => Promise<boolean>): Promise<void> {
    const stored = await history;
    if (this.closed) return;
    for (const e of stored) this.send(e);
    this.replaying = false;
    for (const e of this.buffered) this.send(e);
    // Terminal, and the client had already seen the end: nothing more will come.
    if (!this.closed && (await terminal())) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.unsubscribe();
    this.raw.end();
    this.onClose();
  }

  private send(event: TaskEvent): void {
    if (this.closed || event.seq <= this.lastSent) return;
    this.lastSent = event.seq;
    this.raw.write(formatSse(event));
    if (this.raw.writableLength > MAX_BUFFERED_BYTES) {
      this.raw.destroy();
      this.close();
      return;
    }
    if (TERMINAL_EVENT_TYPES.has(event.type)) this.close();
  }
}

/** Opens the SSE streams of GET /api/v1/tasks/{id}/events and closes them all at shutdown. */
@Injectable()
export class TaskEventStreamWriter {
  private readonly streams = new Set<TaskEventStream>();

  constructor(
    private readonly tasks: TasksService,
    private readonly events: TaskEventsService,
  ) {}

  /**
   * Ends every open stream (the server is stopping: a stream would hold it open). Clients resume
   * elsewhere, or after the restart, with Last-Event-ID. Returns how many were open.
   */
  closeAll(): number {
    const open = [...this.streams];
    for (const stream of open) stream.close();
    return open.length;
  }

  async open(
    taskId: string,
    caller: CallerIdentity,
    afterSeq: number,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    await this.tasks.assertVisible(taskId, caller); // 404 before any stream starts
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const stream: TaskEventStream = new TaskEventStream(
      reply.raw,
      taskId,
      afterSeq,
      this.events,
      () => this.streams.delete(stream),
    );
    this.streams.add(stream);
    request.raw.on('close', () => stream.close());
    // The stored history may hold a terminal event not yet committed: replay after the commit.
    await this.tasks.terminalsDurable();
    try {
      await stream.replay(
        this.events.history(taskId, afterSeq),
        async () => (await this.tasks.assertVisible(taskId, caller)).terminal,
      );
    } catch {
      stream.close(); // the task went away meanwhile (a retention purge)
    }
  }
}
