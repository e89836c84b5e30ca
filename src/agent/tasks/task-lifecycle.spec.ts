import { TaskNotCancellableError, TaskNotFoundError } from '../../common/errors';
import {
  ALICE,
  BOB,
  completed,
  fakeTimers,
  TaskCore,
  taskCore,
} from '../testing/task-core.fixtures';

describe('task lifecycle (submission, dispatcher, completion) on a scripted processor', () => {
  let core: TaskCore;

  beforeEach(fakeTimers);
  afterEach(async () => {
    await core?.close();
    jest.useRealTimers();
  });

  it('runs a task to one completed end, with its event stream in order', async () => {
    core = await taskCore();
    const id = await core.submit('work');
    expect(core.processor.started(id)).toBe(true);
    core.processor.release(id);
    await core.settle();
    expect((await core.store.getTask(id))!.status).toBe('completed');
    expect((await core.events.history(id)).map((e) => e.type)).toEqual([
      'task.queued',
      'task.started',
      'task.completed',
    ]);
    expect(core.metrics.finished).toEqual([{ status: 'completed', code: null }]);
    expect(core.metrics.gauges).toEqual({ active: 0, queued: 0 });
  });

  it('cancel during start: one cancelled end, the run aborted with "cancel", the slot freed for the next', async () => {
    core = await taskCore({ service: { max_concurrent_tasks: 1 } });
    const first = await core.submit('first');
    const second = await core.submit('second');
    expect(core.processor.started(second)).toBe(false);
    const answer = await core.tasks.cancel(first, ALICE);
    expect(answer.status).toBe('cancelled');
    await core.settle();
    expect(core.processor.abortReasons.get(first)).toBe('cancel');
    expect((await core.store.getTask(first))!.error!.code).toBe('TASK_CANCELLED');
    // The late outcome of the aborted run is dropped: still one end.
    expect(
      (await core.events.history(first)).filter((e) => e.type.startsWith('task.') && e.seq > 2),
    ).toEqual([expect.objectContaining({ type: 'task.cancelled' })]);
    expect(core.processor.started(second)).toBe(true);
    await expect(core.tasks.cancel(first, ALICE)).rejects.toThrow(TaskNotCancellableError);
  });

  it('a queued task cancelled never starts', async () => {
    core = await taskCore({ service: { max_concurrent_tasks: 1 } });
    const running = await core.submit('first');
    const queued = await core.submit('second');
    await core.tasks.cancel(queued, ALICE);
    core.processor.release(running);
    await core.settle();
    expect(core.processor.started(queued)).toBe(false);
    expect((await core.store.getTask(queued))!.status).toBe('cancelled');
  });

  it('another owner cannot see or cancel a task', async () => {
    core = await taskCore();
    const id = await core.submit('mine');
    await expect(core.tasks.get(id, BOB)).rejects.toThrow(TaskNotFoundError);
    await expect(core.tasks.cancel(id, BOB)).rejects.toThrow(TaskNotFoundError);
    expect((await core.store.getTask(id))!.status).toBe('running');
  });

  it('timeout during a tool call: the open step closes failed, the end is timeout, the run aborted with "timeout"', async () => {
    core = await taskCore({ service: { default_task_timeout: 5 } });
    core.processor.script('slow tool', async (run, h) => {
      h.step('a command that never ends');
      await h.aborted();
      return completed({ status: 'failed', result: undefined, metrics: run.metrics });
    });
    const id = await core.submit('slow tool');
    await jest.advanceTimersByTimeAsync(4_999);
    expect((await core.store.getTask(id))!.status).toBe('running');
    await jest.advanceTimersByTimeAsync(1);
    await core.settle();
    const task = (await core.store.getTask(id))!;
    expect(task.status).toBe('timeout');
    expect(task.error).toEqual(
      expect.objectContaining({ code: 'TASK_TIMEOUT', details: { timeout_seconds: 5 } }),
    );
    expect(core.processor.abortReasons.get(id)).toBe('timeout');
    expect(await core.store.getSteps(id)).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.stringMatching(/^TASK_TIMEOUT: /),
      }),
    ]);
    expect(task.metrics.steps_executed).toBe(1);
    expect(task.result).toEqual(expect.objectContaining({ success: false }));
  });

  it('a crash of the agent ends the task failed with INTERNAL_ERROR and frees its slot', async () => {
    core = await taskCore({ service: { max_concurrent_tasks: 1 } });
    core.processor.script('crash', () => Promise.reject(new Error('boom')));
    const id = await core.submit('crash');
    const next = await core.submit('next');
    await core.settle();
    expect((await core.store.getTask(id))!.error!.code).toBe('INTERNAL_ERROR');
    expect(core.processor.started(next)).toBe(true);
  });

  it('an idempotent resubmission returns the same task and runs nothing again', async () => {
    core = await taskCore();
    const first = await core.tasks.submitAndWait({ task: 'once', task_id: 'k-1' }, ALICE, {
      wait: false,
    });
    const again = await core.tasks.submitAndWait({ task: 'once', task_id: 'k-1' }, ALICE, {
      wait: false,
    });
    expect(again.replayed).toBe(true);
    expect(again.task.task_id).toBe(first.task.task_id);
    expect(core.processor.runs).toHaveLength(1);
  });

  it('QUEUE_FULL once max_queued_tasks wait, counting the ones whose commit is pending', async () => {
    core = await taskCore({ service: { max_concurrent_tasks: 1, max_queued_tasks: 1 } });
    await core.submit('running');
    await core.submit('queued');
    await expect(core.submit('one too many')).rejects.toMatchObject({ code: 'QUEUE_FULL' });
  });

  it('waitFor answers when the end lands, or after its wait with the task as it is', async () => {
    core = await taskCore();
    const id = await core.submit('work');
    const waiting = core.tasks.waitFor(id, 10_000);
    await jest.advanceTimersByTimeAsync(1_000);
    core.processor.release(id);
    const { done, task } = await waiting;
    expect(done).toBe(true);
    expect(task.status).toBe('completed');
    const other = await core.submit('other');
    const timedOut = core.tasks.waitFor(other, 2_000);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(await timedOut).toEqual(expect.objectContaining({ done: false }));
  });
});
