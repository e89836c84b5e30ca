import { EventEmitter } from 'node:events';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TaskNotFoundError } from '../../common/errors';
import { ALICE, BOB, fakeTimers, TaskCore, taskCore } from '../testing/task-core.fixtures';
import { TaskEventStreamWriter } from './task-event-stream.writer';

/** A client's connection: what was written, whether it ended, and a way to hang up. */
class FakeConnection {
  readonly request = { raw: new EventEmitter() } as unknown as FastifyRequest;
  written = '';
  ended = false;
  destroyed = false;
  status = 0;
  writableLength = 0;
  readonly raw = ((owner: FakeConnection) => ({
    writeHead: (status: number) => (owner.status = status),
    write: (chunk: string) => {
      owner.written += chunk;
      return true;
    },
    end: () => (owner.ended = true),
    destroy: () => (owner.destroyed = true),
    get writableLength() {
      return owner.writableLength;
    },
  }))(this);

  readonly reply = {
    hijack: () => undefined,
    getHeaders: () => ({}),
    raw: this.raw,
  } as unknown as FastifyReply;

  /** The `event:` names sent so far, in order. */
  events(): string[] {
    return [...this.written.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
  }
}
describe('TaskEventStreamWriter (SSE)', () => {
  let core: TaskCore;
  let writer: TaskEventStreamWriter;
  let connection: FakeConnection;

  beforeEach(async () => {
    fakeTimers();
    core = await taskCore();
    writer = new TaskEventStreamWriter(core.tasks, core.events);
    connection = new FakeConnection();
  });
  afterEach(async () => {
    await core.close();
    jest.useRealTimers();
  });

  const open = (taskId: string, after = 0, caller = ALICE) =>
    writer.open(taskId, caller, after, connection.request, connection.reply);

  it('replays the stored events, then live ones, and closes after the terminal event', async () => {
    const id = await core.submit('work');
    await open(id);
    expect(connection.status).toBe(200);
    expect(connection.events()).toEqual(['task.queued', 'task.started']);
    core.processor.release(id);
    await core.settle();
    expect(connection.events()).toEqual(['task.queued', 'task.started', 'task.completed']);
    expect(connection.ended).toBe(true);
    expect(writer.closeAll()).toBe(0);
  });

  it('resumes after Last-Event-ID without repeating what the client has', async () => {
    const id = await core.submit('work');
    await open(id, 1);
    expect(connection.events()).toEqual(['task.started']);
    expect(connection.written).toContain('id: 2\n');
    expect(connection.written).not.toContain('id: 1\n');
  });

  it('a finished task whose end the client has seen closes at once', async () => {
    const id = await core.submit('work');
    core.processor.release(id);
    await core.settle();
    await open(id, 3);
    expect(connection.events()).toEqual([]);
    expect(connection.ended).toBe(true);
  });

  it("another owner's task is a 404 before any byte is sent", async () => {
    const id = await core.submit('work');
    await expect(open(id, 0, BOB)).rejects.toThrow(TaskNotFoundError);
    expect(connection.status).toBe(0);
    expect(connection.written).toBe('');
  });

  it('sends a heartbeat every 15 s while nothing happens', async () => {
    const id = await core.submit('work');
    await open(id);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(connection.written.match(/^: heartbeat \d+$/gm)).toHaveLength(2);
  });

  it('drops a client that lets more than 1 MiB pile up, and stops writing to it', async () => {
    const id = await core.submit('work');
    await open(id);
    connection.writableLength = 2 * 1024 * 1024;
    core.processor.release(id);
    await core.settle();
    expect(connection.destroyed).toBe(true);
    expect(writer.closeAll()).toBe(0);
  });

  it('a client that hangs up is forgotten; closeAll ends the streams still open', async () => {
    const a = await core.submit('a');
    await open(a);
    (connection.request.raw as EventEmitter).emit('close');
    expect(writer.closeAll()).toBe(0);
    connection = new FakeConnection();
    await open(a);
    expect(writer.closeAll()).toBe(1);
    expect(connection.ended).toBe(true);
  });
});
