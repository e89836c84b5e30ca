import type Database from 'better-sqlite3';
import { SqliteTaskStore } from './sqlite-task-store';
import { StateChangeWriter } from './state-change-writer';
import type { StoreHealthService } from './store-health.service';
import { makeStep, makeTaskRecord } from './task-store.fixtures';

const BIG = 'x'.repeat(64 * 1024);

/** Resolves once `condition` holds (checked every 10 ms). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

describe('StateChangeWriter', () => {
  let store: SqliteTaskStore;
  let health: { writeFailed: jest.Mock; writeLanded: jest.Mock; setBacklog: jest.Mock };
  let sut: StateChangeWriter;
  const db = () => (store as unknown as { db: Database.Database }).db;
  /** No new page can be allocated: what a full disk looks like to SQLite. */
  const fillUp = () =>
    db().pragma(`max_page_count = ${db().pragma('page_count', { simple: true })}`);
  const makeRoom = () => db().pragma('max_page_count = 1073741823');

  beforeEach(async () => {
    store = new SqliteTaskStore(':memory:', { onCommitError: () => undefined });
    health = { writeFailed: jest.fn(), writeLanded: jest.fn(), setBacklog: jest.fn() };
    sut = new StateChangeWriter(store, health as unknown as StoreHealthService);
    await store.insertTask(makeTaskRecord({ task_id: 'a', status: 'running' }));
    await store.whenDurable();
  });
  afterEach(async () => {
    sut.close();
    await store.close();
  });

  it('writes a change at once and tells when its commit landed', async () => {
    const written = await sut.write('step:a:1', () => store.saveStep('a', makeStep(1)));
    expect(written.result).toBeUndefined();
    expect(await store.getSteps('a')).toHaveLength(1);
    await written.landed;
    expect(sut.backlog).toBe(0);
    expect(health.writeLanded).toHaveBeenCalled();
  });

  it('returns what the write returned (a conditional update tells whether it applied)', async () => {
    expect((await sut.write('start:a', () => store.markRunning('a', 'now'))).result).toBe(false);
  });

  it('writes a change again until it lands once the store has room', async () => {
    fillUp();
    const written = await sut.write('step:a:1', () =>
      store.saveStep('a', makeStep(1, { output: BIG })),
    );
    expect(written.result).toBeUndefined();
    expect(sut.backlog).toBe(1);
    expect(health.writeFailed).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'SQLITE_FULL' }),
    );
    let landed = false;
    void written.landed.then(() => (landed = true));
    await until(() => health.writeFailed.mock.calls.length >= 3); // retries, all refused
    expect(landed).toBe(false);
    expect(sut.backlog).toBe(1);
    makeRoom();
    await written.landed;
    expect((await store.getSteps('a'))[0].output).toHaveLength(BIG.length);
    expect(sut.backlog).toBe(0);
    expect(health.setBacklog).toHaveBeenLastCalledWith(0);
  });

  it('lets a newer change of the same thing replace a pending one: an old value never lands last', async () => {
    fillUp();
    const started = await sut.write('step:a:1', () =>
      store.saveStep('a', makeStep(1, { status: 'running', output: BIG })),
    );
    makeRoom();
    const completed = await sut.write('step:a:1', () =>
      store.saveStep('a', makeStep(1, { status: 'completed' })),
    );
    await Promise.all([started.landed, completed.landed]);
    // Nothing is pending, so no retry of the old value can come later.
    expect(sut.backlog).toBe(0);
    expect(await store.getSteps('a')).toEqual([makeStep(1, { status: 'completed' })]);
  });

  it('rolls back the whole turn on a full disk: other changes of the turn are retried too', async () => {
    const small = await sut.write('step:a:1', () => store.saveStep('a', makeStep(1)));
    fillUp();
    const big = await sut.write('step:a:2', () =>
      store.saveStep('a', makeStep(2, { output: BIG })),
    );
    // SQLite's advice after SQLITE_FULL: roll the transaction back; both are pending now.
    expect(await store.getSteps('a')).toEqual([]);
    makeRoom();
    await Promise.all([small.landed, big.landed]);
    expect((await store.getSteps('a')).map((s) => s.step_number)).toEqual([1, 2]);
  });

  it('throws a write that fails for another reason than the store (a bug is not retried)', async () => {
    await expect(
      sut.write('x', async () => {
        throw new TypeError('not the store');
      }),
    ).rejects.toThrow('not the store');
    expect(sut.backlog).toBe(0);
  });

  it('on close, writes what is pending one last time and settles every waiter', async () => {
    fillUp();
    const written = await sut.write('step:a:1', () =>
      store.saveStep('a', makeStep(1, { output: BIG })),
    );
    makeRoom();
    await sut.close();
    await written.landed;
    expect(sut.backlog).toBe(0);
    await store.close();
    // After close, changes are no longer taken.
    expect((await sut.write('later', async () => 1)).result).toBeUndefined();
  });
});
