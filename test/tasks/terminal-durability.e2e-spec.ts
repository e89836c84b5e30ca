import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TaskEventsService } from '../../src/agent/tasks/task-events.service';
import { TasksService } from '../../src/agent/tasks/tasks.service';
import { eventually } from '../support/eventually';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { createTaskApp, TaskTestApp } from '../support/task-app';

/**
 * A task's end commits with the turn's other writes (group commit). These tests read the file
 * through a second connection, which sees only committed data, at the moment something tells
 * the outside about the end: it must already be there.
 */
describe("a task's end is told to nobody before it is committed", () => {
  let fake: FakeOpenAIServer;
  let t: TaskTestApp;
  let dataDir: string;
  let file: string;

  const committedStatus = (id: string): string | undefined => {
    const db = new Database(file, { readonly: true });
    try {
      return (
        db.prepare('SELECT status FROM tasks WHERE task_id = ?').get(id) as
          { status: string } | undefined
      )?.status;
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    fake = await FakeOpenAIServer.start();
    dataDir = mkdtempSync(join(tmpdir(), 'agent-runner-durable-'));
    file = join(dataDir, 'tasks.db');
    t = await createTaskApp({
      fake,
      overrides: {
        storage: { driver: 'sqlite', path: file },
        service: { max_concurrent_tasks: 1 },
      },
    });
  });
  afterEach(async () => {
    await t.close();
    await fake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes the terminal event and answers waiting callers only after the commit', async () => {
    fake.setDefault(fakeReply.text('done'));
    const events = t.app.get(TaskEventsService);
    const tasks = t.app.get(TasksService);
    const id = (await t.post('/api/v1/tasks?wait=false', { task: 'say done' })).json().task_id;
    const atEvent: (string | undefined)[] = [];
    events.subscribe(id, (e) => {
      if (e.type === 'task.completed') atEvent.push(committedStatus(id));
    });
    const { task } = await tasks.waitFor(id, 10_000);
    expect(task.status).toBe('completed');
    expect(committedStatus(id)).toBe('completed');
    await eventually(() => expect(atEvent).toHaveLength(1));
    expect(atEvent).toEqual(['completed']);
  });

  it('holds an HTTP answer that shows an end until that end is committed', async () => {
    fake.setDefault(fakeReply.hang());
    await t.post('/api/v1/tasks?wait=false', { task: 'hold the only slot' });
    const queued = (await t.post('/api/v1/tasks?wait=false', { task: 'wait in line' })).json();
    expect(queued.status).toBe('queued');
    expect(committedStatus(queued.task_id)).toBe('queued');

    const res = await t.inject({ method: 'DELETE', url: `/api/v1/tasks/${queued.task_id}` });
    expect(res.json().status).toBe('cancelled');
    // The answer left after the commit, not in the same turn as the write.
    expect(committedStatus(queued.task_id)).toBe('cancelled');
  });
});
