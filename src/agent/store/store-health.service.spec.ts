import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StoreUnavailableError } from '../../common/errors';
import type { AppConfigService } from '../../config/app-config.service';
import type { MetricsService } from '../../metrics/metrics.service';
import { DiskSpaceProbe } from './disk-space.probe';
import { MemoryTaskStore } from './memory-task-store';
import { SqliteTaskStore } from './sqlite-task-store';
import { StoreHealthService } from './store-health.service';

const MiB = 1024 * 1024;

describe('StoreHealthService', () => {
  let dir: string;
  let store: SqliteTaskStore;
  let metrics: { storeError: jest.Mock };
  const health = (minFreeMb: number) => {
    metrics = { storeError: jest.fn() };
    const config = { get: () => ({ min_free_space_mb: minFreeMb }) };
    const sut = new StoreHealthService(
      metrics as unknown as MetricsService,
      config as unknown as AppConfigService,
    );
    sut.watch(store);
    return sut;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-health-'));
    store = new SqliteTaskStore(path.join(dir, 'tasks.db'));
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is ready with room to write, and shows the free space against the floor', async () => {
    const sut = health(1);
    expect(await sut.readiness()).toEqual({
      ok: true,
      driver: 'sqlite',
      free_bytes: expect.any(Number),
      min_free_bytes: MiB,
    });
    expect(() => sut.assertRoomForWork()).not.toThrow();
  });

  it('is not ready, and refuses new work with 503 STORE_UNAVAILABLE, below the free-space floor', async () => {
    const sut = health(1_048_576); // 1 TiB: more than this machine has free
    const ready = await sut.readiness();
    expect(ready).toMatchObject({ ok: false, reason: expect.stringMatching(/min_free_space_mb/) });
    let refused: unknown;
    try {
      sut.assertRoomForWork();
    } catch (e) {
      refused = e;
    }
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect(refused).toMatchObject({ statusCode: 503, retryAfterSeconds: 5 });
  });

  it('is not ready while its write probe fails or state changes wait, and counts each failure', async () => {
    const sut = health(0);
    sut.setBacklog(3);
    sut.writeFailed(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
    expect(await sut.readiness()).toMatchObject({
      ok: false,
      pending_state_changes: 3,
      reason: '3 state change(s) wait to be written (database or disk is full)',
    });
    sut.commitFailed(new Error('disk I/O error'));
    expect(metrics.storeError.mock.calls).toEqual([['write'], ['commit']]);
    sut.setBacklog(0);
    await store.close();
    const closed = await sut.readiness();
    expect(closed).toMatchObject({ ok: false, reason: expect.stringMatching(/not writable/) });
    expect(metrics.storeError).toHaveBeenLastCalledWith('probe');
  });

  it('has nothing to measure for a store in memory', async () => {
    const sut = health(64);
    sut.watch(new MemoryTaskStore());
    expect(await sut.readiness()).toEqual({ ok: true, driver: 'memory' });
  });
});

describe('DiskSpaceProbe', () => {
  it('keeps a reading for a second unless asked for a fresh one', async () => {
    let now = 0;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'disk-probe-'));
    try {
      const sut = new DiskSpaceProbe(path.join(dir, 'tasks.db'), 1, 1000, () => now);
      const first = sut.read();
      expect(first.ok).toBe(true);
      expect(sut.read()).toBe(first);
      expect(sut.read(true)).not.toBe(first);
      now += 1000;
      expect(sut.read()).not.toBe(first);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts an unreadable filesystem as no room', async () => {
    const sut = new DiskSpaceProbe('/nonexistent/folder/tasks.db', 1);
    expect(sut.read()).toMatchObject({ ok: false, reason: expect.stringMatching(/cannot read/) });
  });
});
