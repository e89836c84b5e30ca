import { InvalidRequestError, TaskNotFoundError } from '../../common/errors';
import type { TaskRecord, TaskStore } from './task-store';
import { encodeTaskCursor } from './task-list.paging';
import {
  emptyMetrics,
  makeBatch,
  makeEvent,
  makeStep,
  makeTaskRecord,
} from './task-store.fixtures';

/** A store driver the contract runs against. */
export interface Driver {
  name: string;
  /** Once per file run (e.g. a database schema of its own). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** A fresh, empty store per test. */
  open(): Promise<{ store: TaskStore; cleanup(): unknown }>;
}

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-01T00:00:05.000Z';
const T2 = '2025-01-01T00:00:09.000Z';

/**
 * The contract every TaskStore driver keeps (docs/architecture.md, Durability): one suite, run
 * against each driver by its own spec (memory and SQLite in the unit project, PostgreSQL in e2e).
 */
export function describeStoreContract(driver: Driver): void {
  describe(`TaskStore contract: ${driver.name}`, () => {
    let sut: TaskStore;
    let cleanup: () => unknown;

    beforeAll(async () => {
      await driver.setup?.();
    });
    afterAll(async () => {
      await driver.teardown?.();
    });
    beforeEach(async () => {
      ({ store: sut, cleanup } = await driver.open());
    });
    afterEach(async () => {
      await cleanup();
    });

    const insert = async (overrides: Partial<TaskRecord> = {}) => {
      const task = makeTaskRecord(overrides);
      expect(await sut.insertTask(task)).toBe(true);
      return task;
    };
    const ids = (tasks: TaskRecord[]) => tasks.map((t) => t.task_id);

    describe('tasks', () => {
      it('returns an inserted task exactly as given, and undefined for an unknown id', async () => {
        const task = await insert({ batch_id: 'b-1', owner: null, priority: 'high' });
        expect(await sut.getTask(task.task_id)).toEqual(task);
        expect(await sut.getTask('nope')).toBeUndefined();
      });

      it('refuses a duplicate id without changing the stored task', async () => {
        const original = await insert({ task_id: 'dup', task: 'first' });
        expect(await sut.insertTask(makeTaskRecord({ task_id: 'dup', task: 'second' }))).toBe(
          false,
        );
        expect(await sut.getTask('dup')).toEqual(original);
      });

      it('moves queued → running only once, and never from another state', async () => {
        await insert({ task_id: 'a' });
        expect(await sut.markRunning('a', T1)).toBe(true);
        expect(await sut.getTask('a')).toMatchObject({ status: 'running', started_at: T1 });
        expect(await sut.markRunning('a', T2)).toBe(false);
        expect((await sut.getTask('a'))?.started_at).toBe(T1);

        await insert({ task_id: 'b' });
        await sut.completeTask('b', { status: 'cancelled', completed_at: T1 });
        expect(await sut.markRunning('b', T2)).toBe(false);
        expect((await sut.getTask('b'))?.status).toBe('cancelled');
        expect(await sut.markRunning('missing', T1)).toBe(false);
      });

      it('records exactly one terminal state: the second completion is refused and changes nothing', async () => {
        await insert({ task_id: 'a' });
        await sut.markRunning('a', T0);
        const metrics = { ...emptyMetrics(), total_time_ms: 5000, model_calls: 2 };
        const result = {
          success: true,
          summary: 'done',
          details: 'all good',
          artifacts: [{ type: 'file_written' as const, path: 'out.md', bytes: 12 }],
          execution_time: 5,
        };
        expect(
          await sut.completeTask('a', { status: 'completed', completed_at: T1, result, metrics }),
        ).toBe(true);
        expect(
          await sut.completeTask('a', {
            status: 'failed',
            completed_at: T2,
            error: { code: 'MODEL_ERROR', message: 'late', details: null },
            metrics: emptyMetrics(),
          }),
        ).toBe(false);
        expect(await sut.getTask('a')).toMatchObject({
          status: 'completed',
          completed_at: T1,
          result,
          error: null,
          metrics,
        });
      });

      it('never lets a late result overwrite a cancellation (also from queued)', async () => {
        await insert({ task_id: 'run' });
        await sut.markRunning('run', T0);
        const cancelled = { code: 'TASK_CANCELLED', message: 'Cancelled.', details: null };
        expect(
          await sut.completeTask('run', {
            status: 'cancelled',
            completed_at: T1,
            error: cancelled,
          }),
        ).toBe(true);
        const late = {
          status: 'completed' as const,
          completed_at: T2,
          result: { success: true, summary: 's', details: 'd', artifacts: [], execution_time: 1 },
          error: null,
        };
        expect(await sut.completeTask('run', late)).toBe(false);
        expect(await sut.getTask('run')).toMatchObject({
          status: 'cancelled',
          completed_at: T1,
          result: null,
          error: cancelled,
        });

        await insert({ task_id: 'waiting' });
        expect(await sut.completeTask('waiting', { status: 'timeout', completed_at: T1 })).toBe(
          true,
        );
        expect(await sut.completeTask('waiting', late)).toBe(false);
        expect((await sut.getTask('waiting'))?.status).toBe('timeout');
        expect(await sut.completeTask('missing', late)).toBe(false);
      });

      it('keeps fields a completion leaves out, and clears the ones it sets to null', async () => {
        const plan = {
          understanding: 'u',
          approach: 'a',
          complexity: 'simple' as const,
          estimated_steps: 1,
          requirements: ['r'],
          scenario: 'documentation',
        };
        await insert({ task_id: 'a' });
        await sut.markRunning('a', T0);
        await sut.updateProgress('a', { plan });
        await sut.completeTask('a', { status: 'failed', completed_at: T1, error: null });
        expect(await sut.getTask('a')).toMatchObject({
          plan,
          error: null,
          metrics: emptyMetrics(),
        });

        await insert({ task_id: 'b' });
        await sut.updateProgress('b', { plan });
        await sut.completeTask('b', { status: 'completed', completed_at: T1, plan: null });
        expect((await sut.getTask('b'))?.plan).toBeNull();
      });

      it('updates plan and metrics of an open task, and ignores progress after the end', async () => {
        await insert({ task_id: 'a' });
        await sut.markRunning('a', T0);
        const plan = {
          understanding: 'u',
          approach: 'a',
          complexity: 'moderate' as const,
          estimated_steps: 3,
          requirements: [],
          scenario: null,
        };
        await sut.updateProgress('a', { plan });
        await sut.updateProgress('a', { metrics: { ...emptyMetrics(), tool_calls: 3 } });
        expect(await sut.getTask('a')).toMatchObject({
          status: 'running',
          plan,
          metrics: { tool_calls: 3 },
        });

        await sut.completeTask('a', { status: 'cancelled', completed_at: T1 });
        await sut.updateProgress('a', {
          plan: null,
          metrics: { ...emptyMetrics(), tool_calls: 9 },
        });
        expect(await sut.getTask('a')).toMatchObject({ plan, metrics: { tool_calls: 3 } });
        await expect(sut.updateProgress('missing', { plan: null })).resolves.toBeUndefined();
      });

      it('lists queued tasks oldest first, and nothing else', async () => {
        await insert({ task_id: 'q1' });
        await insert({ task_id: 'r' });
        await insert({ task_id: 'q2', priority: 'critical' });
        await insert({ task_id: 'done' });
        await sut.markRunning('r', T0);
        await sut.completeTask('done', { status: 'completed', completed_at: T1 });
        expect(ids(await sut.queuedTasks())).toEqual(['q1', 'q2']);
      });
    });

    describe('listTasks', () => {
      it('lists newest first by arrival, even when created_at is identical', async () => {
        for (const id of ['b', 'c', 'a']) await insert({ task_id: id, created_at: T0 });
        const page = await sut.listTasks({ limit: 10 });
        expect(ids(page.items)).toEqual(['a', 'c', 'b']);
        expect(page.next_cursor).toBeNull();
      });

      it('filters by status, priority and owner (null means tasks without an owner)', async () => {
        await insert({ task_id: 'a1', owner: 'alice', priority: 'high' });
        await insert({ task_id: 'b1', owner: 'bob', priority: 'high' });
        await insert({ task_id: 'n1', owner: null, priority: 'low' });
        await insert({ task_id: 'a2', owner: 'alice', priority: 'low' });
        await sut.markRunning('a2', T0);

        expect(ids((await sut.listTasks({ limit: 10 })).items)).toEqual(['a2', 'n1', 'b1', 'a1']);
        expect(ids((await sut.listTasks({ limit: 10, owner: undefined })).items)).toHaveLength(4);
        expect(ids((await sut.listTasks({ limit: 10, owner: 'alice' })).items)).toEqual([
          'a2',
          'a1',
        ]);
        expect(ids((await sut.listTasks({ limit: 10, owner: 'bob' })).items)).toEqual(['b1']);
        expect(ids((await sut.listTasks({ limit: 10, owner: null })).items)).toEqual(['n1']);
        expect(ids((await sut.listTasks({ limit: 10, owner: 'mallory' })).items)).toEqual([]);
        expect(ids((await sut.listTasks({ limit: 10, status: 'running' })).items)).toEqual(['a2']);
        expect(ids((await sut.listTasks({ limit: 10, priority: 'high' })).items)).toEqual([
          'b1',
          'a1',
        ]);
        expect(
          ids(
            (await sut.listTasks({ limit: 10, owner: 'alice', status: 'queued', priority: 'high' }))
              .items,
          ),
        ).toEqual(['a1']);
      });

      it('pages through 250 tasks with no duplicates or gaps', async () => {
        const all: string[] = [];
        for (let i = 0; i < 250; i++) {
          const id = `t-${String(i).padStart(3, '0')}`;
          await insert({ task_id: id, owner: i % 3 === 0 ? 'bob' : 'alice', created_at: T0 });
          all.push(id);
        }
        const walk = async (limit: number, owner?: string) => {
          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await sut.listTasks({ limit, cursor, ...(owner ? { owner } : {}) });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            expect(page.items.length).toBeGreaterThan(0);
            seen.push(...ids(page.items));
            cursor = page.next_cursor ?? undefined;
            pages++;
          } while (cursor);
          return { seen, pages };
        };

        const newestFirst = [...all].reverse();
        expect(await walk(100)).toEqual({ seen: newestFirst, pages: 3 });
        expect((await walk(7)).seen).toEqual(newestFirst);
        const bobs = newestFirst.filter((id) => Number(id.slice(2)) % 3 === 0);
        expect(await walk(10, 'bob')).toEqual({ seen: bobs, pages: 9 });
      });

      it('gives no cursor when the last page is exactly full', async () => {
        for (let i = 0; i < 5; i++) await insert({ task_id: `t${i}` });
        expect((await sut.listTasks({ limit: 5 })).next_cursor).toBeNull();
        const first = await sut.listTasks({ limit: 4 });
        expect(first.next_cursor).not.toBeNull();
        const second = await sut.listTasks({ limit: 4, cursor: first.next_cursor! });
        expect(ids(second.items)).toEqual(['t0']);
        expect(second.next_cursor).toBeNull();
      });

      it('keeps a cursor stable when newer tasks arrive between pages', async () => {
        for (let i = 0; i < 6; i++) await insert({ task_id: `t${i}` });
        const first = await sut.listTasks({ limit: 3 });
        await insert({ task_id: 'newer' });
        expect(ids((await sut.listTasks({ limit: 3, cursor: first.next_cursor! })).items)).toEqual([
          't2',
          't1',
          't0',
        ]);
      });

      it.each([
        ['garbage', 'not a cursor!'],
        ['empty', ''],
        ['plain number', '12'],
        ['base64 of a non-cursor', Buffer.from('hello').toString('base64url')],
        ['zero sequence', Buffer.from('s0').toString('base64url')],
        ['negative sequence', Buffer.from('s-5').toString('base64url')],
        ['unsafe integer', Buffer.from('s9999999999999999').toString('base64url')],
        ['padded base64', `${encodeTaskCursor(5)}=`],
        ['SQL', "1' OR '1'='1"],
        ['very long', 'A'.repeat(5000)],
      ])('rejects a %s cursor with InvalidRequestError', async (_label, cursor) => {
        await insert();
        await expect(sut.listTasks({ limit: 10, cursor })).rejects.toThrow(InvalidRequestError);
      });

      it.each([0, 101, 1.5, -1, Number.NaN])(
        'rejects limit %p with InvalidRequestError',
        async (limit) => {
          await expect(sut.listTasks({ limit })).rejects.toThrow(InvalidRequestError);
        },
      );
    });

    describe('steps', () => {
      it('saves, replaces by step_number, and returns them in step order', async () => {
        await insert({ task_id: 'a' });
        await sut.saveStep('a', makeStep(2, { step_type: 'model', tool: null }));
        await sut.saveStep('a', makeStep(1));
        const done = makeStep(1, {
          status: 'completed',
          output: 'file text',
          completed_at: T1,
          duration_ms: 3.5,
          input: { path: 'README.md', nested: { deep: [1, 2] } },
        });
        await sut.saveStep('a', done);
        expect(await sut.getSteps('a')).toEqual([
          done,
          makeStep(2, { step_type: 'model', tool: null }),
        ]);
        expect(await sut.getSteps('other')).toEqual([]);
      });

      it('refuses a step of an unknown task', async () => {
        await expect(sut.saveStep('ghost', makeStep(1))).rejects.toThrow(TaskNotFoundError);
      });
    });

    describe('transitions with their events (both or neither)', () => {
      const queued = (id: string) => makeEvent(id, 1, { type: 'task.queued', data: {} });
      const ended = (id: string, seq: number) =>
        makeEvent(id, seq, { type: 'task.cancelled', data: { status: 'cancelled' } });

      it('inserts a task with its first event; a second insert of the id adds neither', async () => {
        expect(await sut.insertTask(makeTaskRecord({ task_id: 'a' }), queued('a'))).toBe(true);
        expect(
          await sut.insertTask(makeTaskRecord({ task_id: 'a', task: 'other' }), queued('a')),
        ).toBe(false);
        expect(await sut.getEvents('a')).toEqual([queued('a')]);
        expect((await sut.getTask('a'))!.task).toBe(makeTaskRecord({ task_id: 'a' }).task);
        expect(await sut.lastEventSeq('a')).toBe(1);
        expect(await sut.lastEventSeq('nobody')).toBe(0);
      });

      it('ends a task with its terminal event once; a later end adds no event', async () => {
        await sut.insertTask(makeTaskRecord({ task_id: 'a' }), queued('a'));
        const end = { status: 'cancelled' as const, completed_at: T1 };
        expect(await sut.completeTask('a', end, ended('a', 2))).toBe(true);
        expect(await sut.completeTask('a', { ...end, status: 'failed' }, ended('a', 3))).toBe(
          false,
        );
        expect((await sut.getEvents('a')).map((e) => e.seq)).toEqual([1, 2]);
        expect((await sut.getTask('a'))!.status).toBe('cancelled');
      });

      it('a terminal event whose seq is taken refuses the whole end', async () => {
        await sut.insertTask(makeTaskRecord({ task_id: 'a' }), queued('a'));
        await expect(
          sut.completeTask('a', { status: 'completed', completed_at: T1 }, ended('a', 1)),
        ).rejects.toThrow(/already recorded/);
        expect((await sut.getTask('a'))!.status).toBe('queued');
        expect(await sut.getEvents('a')).toEqual([queued('a')]);
      });
    });

    describe('events', () => {
      it('returns events after a seq, ascending', async () => {
        await insert({ task_id: 'a' });
        await insert({ task_id: 'b' });
        for (const seq of [1, 2, 3, 4]) await sut.appendEvent(makeEvent('a', seq));
        await sut.appendEvent(
          makeEvent('b', 1, { type: 'task.queued', data: { status: 'queued' } }),
        );
        expect((await sut.getEvents('a')).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
        expect(await sut.getEvents('a', 2)).toEqual([makeEvent('a', 3), makeEvent('a', 4)]);
        expect(await sut.getEvents('a', 4)).toEqual([]);
        expect(await sut.getEvents('b')).toEqual([
          makeEvent('b', 1, { type: 'task.queued', data: { status: 'queued' } }),
        ]);
      });

      it('refuses a repeated seq and an unknown task', async () => {
        await insert({ task_id: 'a' });
        await sut.appendEvent(makeEvent('a', 1));
        await expect(sut.appendEvent(makeEvent('a', 1, { type: 'task.failed' }))).rejects.toThrow(
          /already recorded/,
        );
        expect(await sut.getEvents('a')).toEqual([makeEvent('a', 1)]);
        await expect(sut.appendEvent(makeEvent('ghost', 1))).rejects.toThrow(TaskNotFoundError);
      });
    });

    describe('batches', () => {
      it('stores a batch and completes it once', async () => {
        const batch = makeBatch({
          task_ids: ['x', 'y'],
          continue_on_error: true,
          mode: 'sequential',
        });
        await sut.insertBatch(batch);
        expect(await sut.getBatch('batch-1')).toEqual(batch);
        await sut.completeBatch('batch-1', T1);
        await sut.completeBatch('batch-1', T2);
        expect(await sut.getBatch('batch-1')).toEqual({ ...batch, completed_at: T1 });
        expect(await sut.getBatch('nope')).toBeUndefined();
        await expect(sut.insertBatch(makeBatch())).rejects.toMatchObject({
          message: expect.stringMatching(/already exists|UNIQUE constraint failed/),
        });
      });
    });

    describe('interruptRunning (restart recovery)', () => {
      it('fails running tasks with TASK_INTERRUPTED and a terminal event; leaves the rest alone', async () => {
        await insert({ task_id: 'queued' });
        await insert({ task_id: 'run1' });
        await insert({ task_id: 'run2' });
        await insert({ task_id: 'done' });
        await sut.markRunning('run1', T0);
        await sut.markRunning('run2', T0);
        await sut.markRunning('done', T0);
        await sut.completeTask('done', { status: 'completed', completed_at: T1 });
        await sut.appendEvent(makeEvent('run1', 1, { type: 'task.queued' }));
        await sut.appendEvent(makeEvent('run1', 2, { type: 'task.started' }));
        await sut.saveStep('run1', makeStep(1));

        expect((await sut.interruptRunning(T2)).sort()).toEqual(['run1', 'run2']);

        const error = {
          code: 'TASK_INTERRUPTED',
          message: expect.stringContaining('not re-run'),
          details: null,
        };
        expect(await sut.getTask('run1')).toMatchObject({
          status: 'failed',
          completed_at: T2,
          error,
        });
        expect(await sut.getEvents('run1', 2)).toEqual([
          {
            task_id: 'run1',
            seq: 3,
            type: 'task.failed',
            timestamp: T2,
            data: { status: 'failed', error },
          },
        ]);
        expect(await sut.getSteps('run1')).toEqual([makeStep(1)]);
        expect((await sut.getEvents('run2')).map((e) => [e.seq, e.type])).toEqual([
          [1, 'task.failed'],
        ]);
        expect(await sut.getTask('queued')).toMatchObject({ status: 'queued', error: null });
        expect(await sut.getTask('done')).toMatchObject({ status: 'completed', completed_at: T1 });
        expect(await sut.interruptRunning(T2)).toEqual([]);
      });
    });

    describe('purgeCompletedBefore', () => {
      it('deletes old finished tasks with their steps, events and emptied batches', async () => {
        const cutoff = '2025-02-01T00:00:00.000Z';
        const old = '2025-01-15T00:00:00.000Z';
        const recent = '2025-02-15T00:00:00.000Z';
        for (const id of ['old-done', 'old-failed', 'new-done', 'queued', 'running', 'mixed-old']) {
          await insert({ task_id: id });
          await sut.saveStep(id, makeStep(1));
          await sut.appendEvent(makeEvent(id, 1));
        }
        await sut.completeTask('old-done', { status: 'completed', completed_at: old });
        await sut.completeTask('old-failed', { status: 'failed', completed_at: old });
        await sut.completeTask('mixed-old', { status: 'cancelled', completed_at: old });
        await sut.completeTask('new-done', { status: 'completed', completed_at: recent });
        await sut.markRunning('running', old);
        await sut.insertBatch(
          makeBatch({ batch_id: 'gone', task_ids: ['old-done', 'old-failed'] }),
        );
        await sut.insertBatch(
          makeBatch({ batch_id: 'partial', task_ids: ['mixed-old', 'new-done'] }),
        );
        await sut.insertBatch(makeBatch({ batch_id: 'fresh', created_at: recent, task_ids: [] }));

        expect(await sut.purgeCompletedBefore(cutoff)).toBe(3);

        for (const id of ['old-done', 'old-failed', 'mixed-old']) {
          expect(await sut.getTask(id)).toBeUndefined();
          expect(await sut.getSteps(id)).toEqual([]);
          expect(await sut.getEvents(id)).toEqual([]);
        }
        for (const id of ['new-done', 'queued', 'running']) {
          expect(await sut.getTask(id)).toBeDefined();
          expect(await sut.getSteps(id)).toHaveLength(1);
          expect(await sut.getEvents(id)).toHaveLength(1);
        }
        expect(await sut.getBatch('gone')).toBeUndefined();
        expect(await sut.getBatch('partial')).toBeDefined();
        expect(await sut.getBatch('fresh')).toBeDefined();
        expect(ids((await sut.listTasks({ limit: 100 })).items)).toEqual([
          'running',
          'queued',
          'new-done',
        ]);
        expect(await sut.purgeCompletedBefore(cutoff)).toBe(0);
      });
    });

    describe('isolation', () => {
      it('hands out copies: mutating a returned or inserted value changes nothing stored', async () => {
        const task = makeTaskRecord({ task_id: 'a' });
        await sut.insertTask(task);
        task.metadata.ticket = 'mutated';
        task.request.task = 'mutated';

        const got = (await sut.getTask('a'))!;
        got.status = 'completed';
        got.metadata.tags = [];
        got.metrics.tokens_used.total = 999;
        (await sut.listTasks({ limit: 1 })).items[0].request.context!.tools!.push('run_command');
        (await sut.queuedTasks())[0].owner = 'mallory';

        const step = makeStep(1);
        await sut.saveStep('a', step);
        step.input.path = '/etc/passwd';
        (await sut.getSteps('a'))[0].input.path = '/etc/shadow';

        const event = makeEvent('a', 1);
        await sut.appendEvent(event);
        event.data.step_number = 99;
        (await sut.getEvents('a'))[0].data.step_number = 98;

        const batch = makeBatch({ task_ids: ['a'] });
        await sut.insertBatch(batch);
        batch.task_ids.push('b');
        (await sut.getBatch('batch-1'))!.task_ids.push('c');

        expect(await sut.getTask('a')).toEqual(makeTaskRecord({ task_id: 'a' }));
        expect(await sut.getSteps('a')).toEqual([makeStep(1)]);
        expect(await sut.getEvents('a')).toEqual([makeEvent('a', 1)]);
        expect((await sut.getBatch('batch-1'))?.task_ids).toEqual(['a']);
      });
    });

    describe('text', () => {
      it('keeps NUL characters, non-BMP characters and the order of object keys', async () => {
        const odd = 'a\u0000b 🙂 \u2028 "q" \\';
        const task = makeTaskRecord({
          task_id: 'odd',
          task: odd,
          metadata: { z: 1, a: odd, m: [odd] },
        });
        await sut.insertTask(task);
        const step = makeStep(1, { tool: odd, description: odd, output: odd, error: odd });
        await sut.saveStep('odd', step);
        await sut.appendEvent(makeEvent('odd', 1, { data: { z: odd, a: 1 } }));
        const got = (await sut.getTask('odd'))!;
        expect(got).toEqual(task);
        expect(JSON.stringify(got.metadata)).toBe(JSON.stringify(task.metadata));
        expect(await sut.getSteps('odd')).toEqual([step]);
        const [event] = await sut.getEvents('odd');
        expect(JSON.stringify(event.data)).toBe(JSON.stringify({ z: odd, a: 1 }));
      });
    });

    describe('lifecycle', () => {
      it('pings ok while open, not ok once closed; close is idempotent', async () => {
        expect(await sut.ping()).toEqual({ ok: true });
        await sut.close();
        await sut.close();
        const ping = await sut.ping();
        expect(ping.ok).toBe(false);
        expect(ping.reason).toEqual(expect.any(String));
      });
    });
  });
}
