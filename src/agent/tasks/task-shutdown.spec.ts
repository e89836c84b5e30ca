import { StoreUnavailableError } from '../../common/errors';
import { MemoryTaskStore } from '../store/memory-task-store';
import { makeStep, makeTaskRecord } from '../store/task-store.fixtures';
import { fakeTimers, TaskCore, taskCore } from '../testing/task-core.fixtures';

describe('shutdown and restart recovery with queued and running tasks', () => {
  let core: TaskCore | undefined;

  beforeEach(fakeTimers);
  afterEach(async () => {
    await core?.close();
    core = undefined;
    jest.useRealTimers();
  });

  it('refuses new work at once, gives running tasks the grace, then interrupts them; queued ones stay queued', async () => {
    core = await taskCore({ service: { max_concurrent_tasks: 1, shutdown_grace_seconds: 10 } });
    const { store, processor } = core;
    const running = await core.submit('long');
    const queued = await core.submit('waiting');
    const closing = core.module.close();
    await core.settle();
    await expect(core.submit('late')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    await jest.advanceTimersByTimeAsync(9_999);
    expect((await store.getTask(running))!.status).toBe('running');
    expect(processor.abortReasons.has(running)).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await closing;
    core = undefined;
    expect(await store.getTask(running)).toEqual(
      expect.objectContaining({
        status: 'failed',
        error: expect.objectContaining({ code: 'TASK_INTERRUPTED' }),
      }),
    );
    expect(processor.abortReasons.get(running)).toBe('shutdown');
    // The slot the interrupted task freed is not given to the queued one: it runs after the restart.
    expect((await store.getTask(queued))!.status).toBe('queued');
    expect(processor.started(queued)).toBe(false);
  });

  it('a task that finishes within the grace ends as it would have', async () => {
    core = await taskCore({ service: { shutdown_grace_seconds: 10 } });
    const { store, processor } = core;
    const id = await core.submit('finishing');
    const closing = core.module.close();
    await jest.advanceTimersByTimeAsync(2_000);
    processor.release(id);
    await closing;
    core = undefined;
    expect((await store.getTask(id))!.status).toBe('completed');
  });

  it('at start, a task left running is interrupted with its open step closed, and queued ones run', async () => {
    const store = new MemoryTaskStore();
    await store.insertTask(
      makeTaskRecord({
        task_id: 'was-running',
        status: 'running',
        started_at: '2025-01-01T00:00:01.000Z',
      }),
    );
    await store.saveStep('was-running', makeStep(1, { status: 'running' }));
    await store.insertTask(
      makeTaskRecord({ task_id: 'was-queued', task: 'queued before the stop' }),
    );
    core = await taskCore({ store });
    expect((await store.getTask('was-running'))!.error!.code).toBe('TASK_INTERRUPTED');
    expect(await store.getSteps('was-running')).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.stringMatching(/^TASK_INTERRUPTED/),
      }),
    ]);
    expect(core.processor.started('was-running')).toBe(false);
    expect(core.processor.started('was-queued')).toBe(true);
  });
});

describe('a store that cannot be reached while a task ends', () => {
  /** The memory store, with reads and the end's write refused while `down`. */
  class FlakyStore extends MemoryTaskStore {
    down = false;
    private check(): void {
      if (this.down) throw new StoreUnavailableError(1, 'the database cannot be reached');
    }
    override async getTask(taskId: string) {
      this.check();
      return super.getTask(taskId);
    }
    override async getSteps(taskId: string) {
      this.check();
      return super.getSteps(taskId);
    }
    override async completeTask(...args: Parameters<MemoryTaskStore['completeTask']>) {
      this.check();
      return super.completeTask(...args);
    }
  }

  let core: TaskCore | undefined;
  beforeEach(fakeTimers);
  afterEach(async () => {
    await core?.close();
    jest.useRealTimers();
  });

  it('its end waits for the store and lands once it is back: never lost, never stuck running', async () => {
    const store = new FlakyStore();
    core = await taskCore({ store });
    const id = await core.submit('ends during an outage');
    store.down = true;
    core.processor.release(id);
    await jest.advanceTimersByTimeAsync(5_000);
    store.down = false;
    expect((await store.getTask(id))!.status).toBe('running');
    await jest.advanceTimersByTimeAsync(5_000);
    expect((await store.getTask(id))!.status).toBe('completed');
    expect((await store.getEvents(id)).map((e) => e.type)).toEqual([
      'task.queued',
      'task.started',
      'task.completed',
    ]);
  });
});
