import { ALICE, BOB, fakeTimers, TaskCore, taskCore } from '../testing/task-core.fixtures';

describe('batches on the task core (scripted processor, fake timers)', () => {
  let core: TaskCore;

  beforeEach(fakeTimers);
  afterEach(async () => {
    await core?.close();
    jest.useRealTimers();
  });

  const ids = (batch: { results: { task_id: string }[] }) => batch.results.map((r) => r.task_id);

  it('sequential: runs one task at a time, in order', async () => {
    core = await taskCore();
    const batch = await core.batches.submit(
      { mode: 'sequential', tasks: [{ task: 'a' }, { task: 'b' }] },
      ALICE,
    );
    const [a, b] = ids(batch);
    expect(core.processor.started(a)).toBe(true);
    expect(core.processor.started(b)).toBe(false);
    core.processor.release(a);
    await core.settle();
    expect(core.processor.started(b)).toBe(true);
  });

  it('sequential: a member cancelled aborts the rest with BATCH_ABORTED, recorded, never run', async () => {
    core = await taskCore();
    const batch = await core.batches.submit(
      { mode: 'sequential', tasks: [{ task: 'a' }, { task: 'b' }, { task: 'c' }] },
      ALICE,
    );
    const [a, b, c] = ids(batch);
    await core.tasks.cancel(a, ALICE);
    await core.settle();
    for (const id of [b, c]) {
      expect(await core.store.getTask(id)).toEqual(
        expect.objectContaining({
          status: 'cancelled',
          error: expect.objectContaining({ code: 'BATCH_ABORTED', details: { failed_task_id: a } }),
        }),
      );
      expect(core.processor.started(id)).toBe(false);
    }
    const done = await core.batches.waitFor(batch.batch_id, 1_000);
    expect(done.status).toBe('completed');
    expect(done.statistics).toEqual(
      expect.objectContaining({ total_tasks: 3, cancelled_tasks: 3, successful_tasks: 0 }),
    );
    expect((await core.store.getBatch(batch.batch_id))!.completed_at).not.toBeNull();
  });

  it('sequential with continue_on_error: the next task runs after a cancelled one', async () => {
    core = await taskCore();
    const batch = await core.batches.submit(
      { mode: 'sequential', continue_on_error: true, tasks: [{ task: 'a' }, { task: 'b' }] },
      ALICE,
    );
    const [a, b] = ids(batch);
    await core.tasks.cancel(a, ALICE);
    await core.settle();
    expect(core.processor.started(b)).toBe(true);
  });

  it('parallel: every task starts under the concurrency limit; the batch completes with the last', async () => {
    core = await taskCore({ service: { max_concurrent_tasks: 2 } });
    const batch = await core.batches.submit(
      { tasks: [{ task: 'a' }, { task: 'b' }, { task: 'c' }] },
      ALICE,
    );
    const [a, b, c] = ids(batch);
    expect([a, b, c].map((id) => core.processor.started(id))).toEqual([true, true, false]);
    const waiting = core.batches.waitFor(batch.batch_id, 10_000);
    core.processor.release(a);
    await core.settle();
    core.processor.release(b);
    await core.settle();
    core.processor.release(c);
    const done = await waiting;
    expect(done.status).toBe('completed');
    expect(done.statistics.successful_tasks).toBe(3);
  });

  it("another owner's batch is not found", async () => {
    core = await taskCore();
    const batch = await core.batches.submit({ tasks: [{ task: 'a' }] }, ALICE);
    await expect(core.batches.get(batch.batch_id, BOB)).rejects.toMatchObject({
      code: 'BATCH_NOT_FOUND',
    });
  });

  it('shutdown answers whoever waits for a batch at once', async () => {
    core = await taskCore({ service: { shutdown_grace_seconds: 1 } });
    const batch = await core.batches.submit({ tasks: [{ task: 'a' }] }, ALICE);
    let answered = false;
    const waiting = core.batches.waitFor(batch.batch_id, 60_000).then((b) => {
      answered = true;
      return b;
    });
    const closing = core.module.close();
    await core.settle();
    expect(answered).toBe(true);
    expect((await waiting).status).toBe('running');
    await jest.advanceTimersByTimeAsync(5_000);
    await closing;
  });
});
