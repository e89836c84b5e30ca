import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InvalidRequestError, TaskNotFoundError } from '../../common/errors';
import { MemoryTaskStore } from './memory-task-store';
import { SqliteTaskStore } from './sqlite-task-store';
import type { TaskRecord, TaskStore } from './task-store';
import { encodeTaskCursor } from './task-list.paging';
import {
  emptyMetrics,
  makeBatch,
  makeEvent,
  makeStep,
  makeTaskRecord,
} from './task-store.fixtures';

interface Driver {
  name: string;
  open(): { store: TaskStore; cleanup(): void };
}

const drivers: Driver[] = [
  { name: 'memory', open: () => ({ store: new MemoryTaskStore(), cleanup: () => undefined }) },
  {
    name: 'sqlite (file, WAL)',
    open: () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'task-store-contract-'));
      const store = new SqliteTaskStore(path.join(dir, 'tasks.db'));
      return {
        store,
        cleanup: () => {
          store.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-01T00:00:05.000Z';
const T2 = '2025-01-01T00:00:09.000Z';

describe.each(drivers)('TaskStore contract: $name', (driver) => {
  let sut: TaskStore;
  let cleanup: () => void;

  beforeEach(() => {
    ({ store: sut, cleanup } = driver.open());
  });
  afterEach(() => cleanup());

  const insert = (overrides: Partial<TaskRecord> = {}) => {
    const task = makeTaskRecord(overrides);
    expect(sut.insertTask(task)).toBe(true);
    return task;
  };
  const ids = (tasks: TaskRecord[]) => tasks.map((t) => t.task_id);

  describe('tasks', () => {
    it('returns an inserted task exactly as given, and undefined for an unknown id', () => {
      const task = insert({ batch_id: 'b-1', owner: null, priority: 'high' });
      expect(sut.getTask(task.task_id)).toEqual(task);
      expect(sut.getTask('nope')).toBeUndefined();
    });

    it('refuses a duplicate id without changing the stored task', () => {
      const original = insert({ task_id: 'dup', task: 'first' });
      expect(sut.insertTask(makeTaskRecord({ task_id: 'dup', task: 'second' }))).toBe(false);
      expect(sut.getTask('dup')).toEqual(original);
    });

    it('moves queued → running only once, and never from another state', () => {
      insert({ task_id: 'a' });
      expect(sut.markRunning('a', T1)).toBe(true);
      expect(sut.getTask('a')).toMatchObject({ status: 'running', started_at: T1 });
      expect(sut.markRunning('a', T2)).toBe(false);
      expect(sut.getTask('a')?.started_at).toBe(T1);

      insert({ task_id: 'b' });
      sut.completeTask('b', { status: 'cancelled', completed_at: T1 });
      expect(sut.markRunning('b', T2)).toBe(false);
      expect(sut.getTask('b')?.status).toBe('cancelled');
      expect(sut.markRunning('missing', T1)).toBe(false);
    });

    it('records exactly one terminal state: the second completion is refused and changes nothing', () => {
      insert({ task_id: 'a' });
      sut.markRunning('a', T0);
      const metrics = { ...emptyMetrics(), total_time_ms: 5000, model_calls: 2 };
      const result = {
        success: true,
        summary: 'done',
        details: 'all good',
        artifacts: [{ type: 'file_written' as const, path: 'out.md', bytes: 12 }],
        execution_time: 5,
      };
      expect(
        sut.completeTask('a', { status: 'completed', completed_at: T1, result, metrics }),
      ).toBe(true);
      expect(
        sut.completeTask('a', {
          status: 'failed',
          completed_at: T2,
          error: { code: 'MODEL_ERROR', message: 'late', details: null },
          metrics: emptyMetrics(),
        }),
      ).toBe(false);
      expect(sut.getTask('a')).toMatchObject({
        status: 'completed',
        completed_at: T1,
        result,
        error: null,
        metrics,
      });
    });

    it('never lets a late result overwrite a cancellation (also from queued)', () => {
      insert({ task_id: 'run' });
      sut.markRunning('run', T0);
      const cancelled = { code: 'TASK_CANCELLED', message: 'Cancelled.', details: null };
      expect(
        sut.completeTask('run', { status: 'cancelled', completed_at: T1, error: cancelled }),
      ).toBe(true);
      const late = {
        status: 'completed' as const,
        completed_at: T2,
        result: { success: true, summary: 's', details: 'd', artifacts: [], execution_time: 1 },
        error: null,
      };
      expect(sut.completeTask('run', late)).toBe(false);
      expect(sut.getTask('run')).toMatchObject({
        status: 'cancelled',
        completed_at: T1,
        result: null,
        error: cancelled,
      });

      insert({ task_id: 'waiting' });
      expect(sut.completeTask('waiting', { status: 'timeout', completed_at: T1 })).toBe(true);
      expect(sut.completeTask('waiting', late)).toBe(false);
      expect(sut.getTask('waiting')?.status).toBe('timeout');
      expect(sut.completeTask('missing', late)).toBe(false);
    });

    it('keeps fields a completion leaves out, and clears the ones it sets to null', () => {
      const plan = {
        understanding: 'u',
        approach: 'a',
        complexity: 'simple' as const,
        estimated_steps: 1,
        requirements: ['r'],
        scenario: 'documentation',
      };
      insert({ task_id: 'a' });
      sut.markRunning('a', T0);
      sut.updateProgress('a', { plan });
      sut.completeTask('a', { status: 'failed', completed_at: T1, error: null });
      expect(sut.getTask('a')).toMatchObject({ plan, error: null, metrics: emptyMetrics() });

      insert({ task_id: 'b' });
      sut.updateProgress('b', { plan });
      sut.completeTask('b', { status: 'completed', completed_at: T1, plan: null });
      expect(sut.getTask('b')?.plan).toBeNull();
    });

    it('updates plan and metrics of an open task, and ignores progress after the end', () => {
      insert({ task_id: 'a' });
      sut.markRunning('a', T0);
      const plan = {
        understanding: 'u',
        approach: 'a',
        complexity: 'moderate' as const,
        estimated_steps: 3,
        requirements: [],
        scenario: null,
      };
      sut.updateProgress('a', { plan });
      sut.updateProgress('a', { metrics: { ...emptyMetrics(), tool_calls: 3 } });
      expect(sut.getTask('a')).toMatchObject({
        status: 'running',
        plan,
        metrics: { tool_calls: 3 },
      });

      sut.completeTask('a', { status: 'cancelled', completed_at: T1 });
      sut.updateProgress('a', { plan: null, metrics: { ...emptyMetrics(), tool_calls: 9 } });
      expect(sut.getTask('a')).toMatchObject({ plan, metrics: { tool_calls: 3 } });
      expect(() => sut.updateProgress('missing', { plan: null })).not.toThrow();
    });

    it('lists queued tasks oldest first, and nothing else', () => {
      insert({ task_id: 'q1' });
      insert({ task_id: 'r' });
      insert({ task_id: 'q2', priority: 'critical' });
      insert({ task_id: 'done' });
      sut.markRunning('r', T0);
      sut.completeTask('done', { status: 'completed', completed_at: T1 });
      expect(ids(sut.queuedTasks())).toEqual(['q1', 'q2']);
    });
  });

  describe('listTasks', () => {
    it('lists newest first by arrival, even when created_at is identical', () => {
      for (const id of ['b', 'c', 'a']) insert({ task_id: id, created_at: T0 });
      const page = sut.listTasks({ limit: 10 });
      expect(ids(page.items)).toEqual(['a', 'c', 'b']);
      expect(page.next_cursor).toBeNull();
    });

    it('filters by status, priority and owner (null means tasks without an owner)', () => {
      insert({ task_id: 'a1', owner: 'alice', priority: 'high' });
      insert({ task_id: 'b1', owner: 'bob', priority: 'high' });
      insert({ task_id: 'n1', owner: null, priority: 'low' });
      insert({ task_id: 'a2', owner: 'alice', priority: 'low' });
      sut.markRunning('a2', T0);

      expect(ids(sut.listTasks({ limit: 10 }).items)).toEqual(['a2', 'n1', 'b1', 'a1']);
      expect(ids(sut.listTasks({ limit: 10, owner: undefined }).items)).toHaveLength(4);
      expect(ids(sut.listTasks({ limit: 10, owner: 'alice' }).items)).toEqual(['a2', 'a1']);
      expect(ids(sut.listTasks({ limit: 10, owner: 'bob' }).items)).toEqual(['b1']);
      expect(ids(sut.listTasks({ limit: 10, owner: null }).items)).toEqual(['n1']);
      expect(ids(sut.listTasks({ limit: 10, owner: 'mallory' }).items)).toEqual([]);
      expect(ids(sut.listTasks({ limit: 10, status: 'running' }).items)).toEqual(['a2']);
      expect(ids(sut.listTasks({ limit: 10, priority: 'high' }).items)).toEqual(['b1', 'a1']);
      expect(
        ids(sut.listTasks({ limit: 10, owner: 'alice', status: 'queued', priority: 'high' }).items),
      ).toEqual(['a1']);
    });

    it('pages through 250 tasks with no duplicates or gaps', () => {
      const all: string[] = [];
      for (let i = 0; i < 250; i++) {
        const id = `t-${String(i).padStart(3, '0')}`;
        insert({ task_id: id, owner: i % 3 === 0 ? 'bob' : 'alice', created_at: T0 });
        all.push(id);
      }
      const walk = (limit: number, owner?: string) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = sut.listTasks({ limit, cursor, ...(owner ? { owner } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          expect(page.items.length).toBeGreaterThan(0);
          seen.push(...ids(page.items));
          cursor = page.next_cursor ?? undefined;
          pages++;
        } while (cursor);
        return { seen, pages };
      };

      const newestFirst = [...all].reverse();
      expect(walk(100)).toEqual({ seen: newestFirst, pages: 3 });
      expect(walk(7).seen).toEqual(newestFirst);
      const bobs = newestFirst.filter((id) => Number(id.slice(2)) % 3 === 0);
      expect(walk(10, 'bob')).toEqual({ seen: bobs, pages: 9 });
    });

    it('gives no cursor when the last page is exactly full', () => {
      for (let i = 0; i < 5; i++) insert({ task_id: `t${i}` });
      expect(sut.listTasks({ limit: 5 }).next_cursor).toBeNull();
      const first = sut.listTasks({ limit: 4 });
      expect(first.next_cursor).not.toBeNull();
      const second = sut.listTasks({ limit: 4, cursor: first.next_cursor! });
      expect(ids(second.items)).toEqual(['t0']);
      expect(second.next_cursor).toBeNull();
    });

    it('keeps a cursor stable when newer tasks arrive between pages', () => {
      for (let i = 0; i < 6; i++) insert({ task_id: `t${i}` });
      const first = sut.listTasks({ limit: 3 });
      insert({ task_id: 'newer' });
      expect(ids(sut.listTasks({ limit: 3, cursor: first.next_cursor! }).items)).toEqual([
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
    ])('rejects a %s cursor with InvalidRequestError', (_label, cursor) => {
      insert();
      expect(() => sut.listTasks({ limit: 10, cursor })).toThrow(InvalidRequestError);
    });

    it.each([0, 101, 1.5, -1, Number.NaN])('rejects limit %p with InvalidRequestError', (limit) => {
      expect(() => sut.listTasks({ limit })).toThrow(InvalidRequestError);
    });
  });

  describe('steps', () => {
    it('saves, replaces by step_number, and returns them in step order', () => {
      insert({ task_id: 'a' });
      sut.saveStep('a', makeStep(2, { step_type: 'model', tool: null }));
      sut.saveStep('a', makeStep(1));
      const done = makeStep(1, {
        status: 'completed',
        output: 'file text',
        completed_at: T1,
        duration_ms: 3.5,
        input: { path: 'README.md', nested: { deep: [1, 2] } },
      });
      sut.saveStep('a', done);
      expect(sut.getSteps('a')).toEqual([done, makeStep(2, { step_type: 'model', tool: null })]);
      expect(sut.getSteps('other')).toEqual([]);
    });

    it('refuses a step of an unknown task', () => {
      expect(() => sut.saveStep('ghost', makeStep(1))).toThrow(TaskNotFoundError);
    });
  });

  describe('events', () => {
    it('returns events after a seq, ascending', () => {
      insert({ task_id: 'a' });
      insert({ task_id: 'b' });
      for (const seq of [1, 2, 3, 4]) sut.appendEvent(makeEvent('a', seq));
      sut.appendEvent(makeEvent('b', 1, { type: 'task.queued', data: { status: 'queued' } }));
      expect(sut.getEvents('a').map((e) => e.seq)).toEqual([1, 2, 3, 4]);
      expect(sut.getEvents('a', 2)).toEqual([makeEvent('a', 3), makeEvent('a', 4)]);
      expect(sut.getEvents('a', 4)).toEqual([]);
      expect(sut.getEvents('b')).toEqual([
        makeEvent('b', 1, { type: 'task.queued', data: { status: 'queued' } }),
      ]);
    });

    it('refuses a repeated seq and an unknown task', () => {
      insert({ task_id: 'a' });
      sut.appendEvent(makeEvent('a', 1));
      expect(() => sut.appendEvent(makeEvent('a', 1, { type: 'task.failed' }))).toThrow(
        /already recorded/,
      );
      expect(sut.getEvents('a')).toEqual([makeEvent('a', 1)]);
      expect(() => sut.appendEvent(makeEvent('ghost', 1))).toThrow(TaskNotFoundError);
    });
  });

  describe('batches', () => {
    it('stores a batch and completes it once', () => {
      const batch = makeBatch({
        task_ids: ['x', 'y'],
        continue_on_error: true,
        mode: 'sequential',
      });
      sut.insertBatch(batch);
      expect(sut.getBatch('batch-1')).toEqual(batch);
      sut.completeBatch('batch-1', T1);
      sut.completeBatch('batch-1', T2);
      expect(sut.getBatch('batch-1')).toEqual({ ...batch, completed_at: T1 });
      expect(sut.getBatch('nope')).toBeUndefined();
      expect(() => sut.insertBatch(makeBatch())).toThrow();
    });
  });

  describe('interruptRunning (restart recovery)', () => {
    it('fails running tasks with TASK_INTERRUPTED and a terminal event; leaves the rest alone', () => {
      insert({ task_id: 'queued' });
      insert({ task_id: 'run1' });
      insert({ task_id: 'run2' });
      insert({ task_id: 'done' });
      sut.markRunning('run1', T0);
      sut.markRunning('run2', T0);
      sut.markRunning('done', T0);
      sut.completeTask('done', { status: 'completed', completed_at: T1 });
      sut.appendEvent(makeEvent('run1', 1, { type: 'task.queued' }));
      sut.appendEvent(makeEvent('run1', 2, { type: 'task.started' }));
      sut.saveStep('run1', makeStep(1));

      expect(sut.interruptRunning(T2).sort()).toEqual(['run1', 'run2']);

      const error = {
        code: 'TASK_INTERRUPTED',
        message: expect.stringContaining('not re-run'),
        details: null,
      };
      expect(sut.getTask('run1')).toMatchObject({ status: 'failed', completed_at: T2, error });
      expect(sut.getEvents('run1', 2)).toEqual([
        {
          task_id: 'run1',
          seq: 3,
          type: 'task.failed',
          timestamp: T2,
          data: { status: 'failed', error },
        },
      ]);
      expect(sut.getSteps('run1')).toEqual([makeStep(1)]);
      expect(sut.getEvents('run2').map((e) => [e.seq, e.type])).toEqual([[1, 'task.failed']]);
      expect(sut.getTask('queued')).toMatchObject({ status: 'queued', error: null });
      expect(sut.getTask('done')).toMatchObject({ status: 'completed', completed_at: T1 });
      expect(sut.interruptRunning(T2)).toEqual([]);
    });
  });

  describe('purgeCompletedBefore', () => {
    it('deletes old finished tasks with their steps, events and emptied batches', () => {
      const cutoff = '2025-02-01T00:00:00.000Z';
      const old = '2025-01-15T00:00:00.000Z';
      const recent = '2025-02-15T00:00:00.000Z';
      for (const id of ['old-done', 'old-failed', 'new-done', 'queued', 'running', 'mixed-old']) {
        insert({ task_id: id });
        sut.saveStep(id, makeStep(1));
        sut.appendEvent(makeEvent(id, 1));
      }
      sut.completeTask('old-done', { status: 'completed', completed_at: old });
      sut.completeTask('old-failed', { status: 'failed', completed_at: old });
      sut.completeTask('mixed-old', { status: 'cancelled', completed_at: old });
      sut.completeTask('new-done', { status: 'completed', completed_at: recent });
      sut.markRunning('running', old);
      sut.insertBatch(makeBatch({ batch_id: 'gone', task_ids: ['old-done', 'old-failed'] }));
      sut.insertBatch(makeBatch({ batch_id: 'partial', task_ids: ['mixed-old', 'new-done'] }));
      sut.insertBatch(makeBatch({ batch_id: 'fresh', created_at: recent, task_ids: [] }));

      expect(sut.purgeCompletedBefore(cutoff)).toBe(3);

      for (const id of ['old-done', 'old-failed', 'mixed-old']) {
        expect(sut.getTask(id)).toBeUndefined();
        expect(sut.getSteps(id)).toEqual([]);
        expect(sut.getEvents(id)).toEqual([]);
      }
      for (const id of ['new-done', 'queued', 'running']) {
        expect(sut.getTask(id)).toBeDefined();
        expect(sut.getSteps(id)).toHaveLength(1);
        expect(sut.getEvents(id)).toHaveLength(1);
      }
      expect(sut.getBatch('gone')).toBeUndefined();
      expect(sut.getBatch('partial')).toBeDefined();
      expect(sut.getBatch('fresh')).toBeDefined();
      expect(ids(sut.listTasks({ limit: 100 }).items)).toEqual(['running', 'queued', 'new-done']);
      expect(sut.purgeCompletedBefore(cutoff)).toBe(0);
    });
  });

  describe('isolation', () => {
    it('hands out copies: mutating a returned or inserted value changes nothing stored', () => {
      const task = makeTaskRecord({ task_id: 'a' });
      sut.insertTask(task);
      task.metadata.ticket = 'mutated';
      task.request.task = 'mutated';

      const got = sut.getTask('a')!;
      got.status = 'completed';
      got.metadata.tags = [];
      got.metrics.tokens_used.total = 999;
      sut.listTasks({ limit: 1 }).items[0].request.context!.tools!.push('run_command');
      sut.queuedTasks()[0].owner = 'mallory';

      const step = makeStep(1);
      sut.saveStep('a', step);
      step.input.path = '/etc/passwd';
      sut.getSteps('a')[0].input.path = '/etc/shadow';

      const event = makeEvent('a', 1);
      sut.appendEvent(event);
      event.data.step_number = 99;
      sut.getEvents('a')[0].data.step_number = 98;

      const batch = makeBatch({ task_ids: ['a'] });
      sut.insertBatch(batch);
      batch.task_ids.push('b');
      sut.getBatch('batch-1')!.task_ids.push('c');

      expect(sut.getTask('a')).toEqual(makeTaskRecord({ task_id: 'a' }));
      expect(sut.getSteps('a')).toEqual([makeStep(1)]);
      expect(sut.getEvents('a')).toEqual([makeEvent('a', 1)]);
      expect(sut.getBatch('batch-1')?.task_ids).toEqual(['a']);
    });
  });

  describe('lifecycle', () => {
    it('pings ok while open, not ok once closed; close is idempotent', () => {
      expect(sut.ping()).toEqual({ ok: true });
      sut.close();
      sut.close();
      const ping = sut.ping();
      expect(ping.ok).toBe(false);
      expect(ping.reason).toEqual(expect.any(String));
    });
  });
});
