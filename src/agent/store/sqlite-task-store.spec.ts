import { TaskNotFoundError } from '../../common/errors';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, applyMigrations } from './migrations';
import { createHash } from 'node:crypto';
import { StoreIntegrityError } from './sqlite-integrity-check';
import { SqliteTaskStore } from './sqlite-task-store';
import { StoreWriteError, isStoreUnavailable } from './store-write-error';
import { makeBatch, makeEvent, makeStep, makeTaskRecord } from './task-store.fixtures';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-01T00:00:05.000Z';
const isRoot = process.getuid?.() === 0;

/**
 * Runs `body` in a separate Node process that can load this folder's TypeScript (via @swc/core),
 * for conditions a test process cannot put itself in: another user, another mount namespace.
 */
function childScript(dir: string, body: string): string {
  const file = path.join(dir, 'child.js');
  fs.writeFileSync(
    file,
    `const fs = require('fs');
const { transformSync } = require(${JSON.stringify(require.resolve('@swc/core'))});
require.extensions['.ts'] = (m, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' },
  });
  m._compile(code, filename);
};
const { SqliteTaskStore } = require(${JSON.stringify(path.join(__dirname, 'sqlite-task-store.ts'))});
const out = {};
(async () => {
${body}
process.stdout.write(JSON.stringify(out));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
`,
    { mode: 0o644 },
  );
  return file;
}

function runChild(tmpDir: string, command: string, args: string[], uid?: number) {
  const res = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: 20_000,
    // @swc/core caches its native binding under TMPDIR; keep that inside the test's folder.
    env: { ...process.env, TMPDIR: tmpDir },
    ...(uid === undefined ? {} : { uid, gid: uid }),
  });
  if (res.status !== 0) throw new Error(`child failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout) as Record<string, { ok: boolean; reason?: string } | string>;
}

describe('SqliteTaskStore (SQLite only)', () => {
  let dir: string;
  let file: string;
  const opened: SqliteTaskStore[] = [];
  const open = (options?: ConstructorParameters<typeof SqliteTaskStore>[1]) => {
    const store = new SqliteTaskStore(file, options);
    opened.push(store);
    return store;
  };
  /** A second, independent connection, as another process would have. */
  const inspect = <T>(fn: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-task-store-'));
    file = path.join(dir, 'nested', 'data', 'tasks.db');
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('files and settings', () => {
    it('creates missing parent folders and a private file, in WAL mode with the intended pragmas', async () => {
      const sut = open();
      expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(sut.journalMode).toBe('wal');
      await sut.insertTask(makeTaskRecord());
      expect(fs.existsSync(`${file}-wal`)).toBe(true);
      expect(inspect((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');

      const db = (sut as unknown as { db: Database.Database }).db;
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    });

    it('works in memory for tests (":memory:")', async () => {
      const sut = new SqliteTaskStore(':memory:');
      opened.push(sut);
      expect(await sut.insertTask(makeTaskRecord())).toBe(true);
      expect((await sut.getTask('task-1'))?.status).toBe('queued');
      expect(sut.journalMode).toBe('memory');
    });

    it('names the file when it cannot be opened', async () => {
      fs.writeFileSync(
        path.join(dir, 'not-a-db'),
        'this is not a database file, just text '.repeat(50),
      );
      expect(() => new SqliteTaskStore(path.join(dir, 'not-a-db'))).toThrow(
        /Cannot open the task store at .*not-a-db/,
      );
    });
  });

  describe('group commit', () => {
    const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
    const countIn = (table: string) =>
      inspect((db) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);

    it('commits the writes of one turn together at its end; whenDurable resolves after that commit', async () => {
      const sut = open();
      await sut.insertTask(makeTaskRecord({ task_id: 'a' }));
      await sut.appendEvent(makeEvent('a', 1));
      await sut.saveStep('a', makeStep(1));
      await sut.markRunning('a', '2026-01-01T00:00:00.000Z');
      // This connection sees every write at once; another sees them after the commit.
      expect((await sut.getTask('a'))?.status).toBe('running');
      expect(await sut.getEvents('a')).toHaveLength(1);
      expect(countIn('tasks')).toBe(0);
      const durable = sut.whenDurable();
      let resolvedEarly = false;
      void durable.then(() => (resolvedEarly = countIn('tasks') === 0));
      await durable;
      expect(resolvedEarly).toBe(false);
      expect(countIn('tasks')).toBe(1);
      expect(countIn('task_events')).toBe(1);
      expect(countIn('task_steps')).toBe(1);
      // Nothing pending: resolves at once.
      await expect(sut.whenDurable()).resolves.toBeUndefined();
    });

    it('rejects whenDurable when the turn could not be committed', async () => {
      const sut = open({ onCommitError: () => undefined });
      await sut.insertTask(makeTaskRecord({ task_id: 'a' }));
      const durable = sut.whenDurable();
      (sut as unknown as { db: Database.Database }).db.exec('ROLLBACK');
      await expect(durable).rejects.toThrow(/rolled back/);
    });

    it('commits a terminal state with the turn (the runner tells nobody before whenDurable)', async () => {
      const sut = open();
      await sut.insertTask(makeTaskRecord({ task_id: 'a', status: 'running' }));
      await sut.whenDurable();
      await sut.saveStep('a', makeStep(1));
      await sut.completeTask('a', {
        status: 'completed',
        completed_at: '2026-01-01T00:00:01.000Z',
      });
      const status = () =>
        inspect((db) => db.prepare("SELECT status FROM tasks WHERE task_id = 'a'").get());
      expect(status()).toEqual({ status: 'running' });
      await sut.whenDurable();
      expect(status()).toEqual({ status: 'completed' });
      expect(countIn('task_steps')).toBe(1);
    });

    it('keeps the turn’s other writes when one write of the turn fails', async () => {
      const sut = open();
      await sut.insertTask(makeTaskRecord({ task_id: 'a' }));
      await sut.appendEvent(makeEvent('a', 1));
      await expect(sut.appendEvent(makeEvent('a', 1))).rejects.toThrow(/already recorded/);
      await expect(sut.saveStep('missing', makeStep(1))).rejects.toThrow(TaskNotFoundError);
      await sut.insertTask(makeTaskRecord({ task_id: 'b' }));

      await endOfTurn();
      expect(countIn('tasks')).toBe(2);
      expect(countIn('task_events')).toBe(1);
    });

    it('commits pending writes on close and before a readiness ping', async () => {
      const sut = open();
      await sut.insertTask(makeTaskRecord({ task_id: 'pinged' }));
      expect(await sut.ping()).toEqual({ ok: true });
      expect(countIn('tasks')).toBe(1);
      await sut.insertTask(makeTaskRecord({ task_id: 'closed' }));
      await sut.close();
      expect(countIn('tasks')).toBe(2);
    });

    it('commits the pending turn when the process exits in the middle of it', async () => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const fixtures = JSON.stringify(path.join(__dirname, 'task-store.fixtures.ts'));
      const body = `const { makeTaskRecord } = require(${fixtures});
const store = new SqliteTaskStore(process.argv[2]);
await store.insertTask(makeTaskRecord({ task_id: 'exited' }));
process.stdout.write(JSON.stringify({ inserted: true }));
process.exit(0);`;
      expect(runChild(dir, process.execPath, [childScript(dir, body), file])).toEqual({
        inserted: true,
      });
      expect(inspect((db) => db.prepare('SELECT task_id FROM tasks').all())).toEqual([
        { task_id: 'exited' },
      ]);
    });

    it('reports a turn whose transaction an error rolled back, and carries on', async () => {
      const errors: Error[] = [];
      const sut = open({ onCommitError: (e) => errors.push(e) });
      await sut.insertTask(makeTaskRecord({ task_id: 'a' }));
      await sut.whenDurable();
      await sut.appendEvent(makeEvent('a', 1));
      // what SQLite does by itself on a full disk or an I/O error in the middle of a turn
      (sut as unknown as { db: Database.Database }).db.exec('ROLLBACK');
      await sut.appendEvent(makeEvent('a', 2));
      await endOfTurn();
      expect(errors.map((e) => e.message)).toEqual([
        "an error rolled back this turn's earlier writes",
      ]);
      expect(inspect((db) => db.prepare('SELECT seq FROM task_events').all())).toEqual([
        { seq: 2 },
      ]);
    });

    it('commits every write alone with groupCommit: false', async () => {
      const sut = open({ groupCommit: false });
      await sut.insertTask(makeTaskRecord({ task_id: 'a' }));
      expect(countIn('tasks')).toBe(1);
    });

    it('fails the write itself, as before, while another process holds the write lock', async () => {
      const sut = open({ busyTimeoutMs: 20 });
      const other = new Database(file);
      try {
        other.exec('BEGIN EXCLUSIVE');
        await expect(sut.insertTask(makeTaskRecord({ task_id: 'blocked' }))).rejects.toMatchObject({
          message: expect.stringMatching(/locked/),
        });
        other.exec('ROLLBACK');
      } finally {
        other.close();
      }
      await sut.insertTask(makeTaskRecord({ task_id: 'later' }));
      await endOfTurn();
      expect(inspect((db) => db.prepare('SELECT task_id FROM tasks').all())).toEqual([
        { task_id: 'later' },
      ]);
    });
  });

  describe('a store that cannot write (a full disk)', () => {
    const db = (store: SqliteTaskStore) => (store as unknown as { db: Database.Database }).db;
    /** No new page can be allocated: what a full disk looks like to SQLite. */
    const fillUp = (store: SqliteTaskStore) =>
      db(store).pragma(`max_page_count = ${db(store).pragma('page_count', { simple: true })}`);

    it('rolls the whole turn back when a write fails for lack of space; its commit fails for all', async () => {
      const errors: Error[] = [];
      const sut = open({ onCommitError: (e) => errors.push(e) });
      await sut.insertTask(makeTaskRecord({ task_id: 'a' }));
      await sut.whenDurable();
      await sut.saveStep('a', makeStep(1));
      const durable = sut.whenDurable();
      fillUp(sut);
      await expect(
        sut.saveStep('a', makeStep(2, { output: 'x'.repeat(100_000) })),
      ).rejects.toMatchObject({ code: 'SQLITE_FULL' });
      await expect(durable).rejects.toBeInstanceOf(StoreWriteError);
      expect(errors).toHaveLength(1);
      expect(await sut.getSteps('a')).toEqual([]);
      expect(isStoreUnavailable(await durable.catch((e: unknown) => e))).toBe(true);
      // The next turn writes normally.
      await sut.saveStep('a', makeStep(3));
      await sut.whenDurable();
      expect((await sut.getSteps('a')).map((s) => s.step_number)).toEqual([3]);
    });

    it('rejects a failed commit with StoreWriteError; tells store failures from bad writes', async () => {
      const sut = open({ onCommitError: () => undefined });
      await sut.insertTask(makeTaskRecord({ task_id: 'a' }));
      const durable = sut.whenDurable();
      (sut as unknown as { db: Database.Database }).db.exec('ROLLBACK');
      const err = await durable.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreWriteError);
      expect(isStoreUnavailable(err)).toBe(true);
      expect(isStoreUnavailable(new Error('constraint'))).toBe(false);
      expect(
        isStoreUnavailable(Object.assign(new Error('x'), { code: 'SQLITE_IOERR_WRITE' })),
      ).toBe(true);
      expect(
        isStoreUnavailable(Object.assign(new Error('x'), { code: 'SQLITE_CONSTRAINT_FOREIGNKEY' })),
      ).toBe(false);
    });
  });

  describe('integrity check at start', () => {
    const sha256 = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');

    it('checks a healthy file and says how long it took', async () => {
      const first = open();
      for (let i = 0; i < 50; i++) await first.insertTask(makeTaskRecord({ task_id: `t${i}` }));
      await first.close();
      const sut = open();
      expect(sut.integrityCheckMs).toEqual(expect.any(Number));
      expect(sut.integrityCheckMs).toBeGreaterThanOrEqual(0);
      expect(new SqliteTaskStore(':memory:').integrityCheckMs).toBeUndefined();
    });

    it('refuses a file with a damaged page, names it, and leaves it as it was', async () => {
      const first = open();
      for (let i = 0; i < 200; i++) {
        await first.insertTask(makeTaskRecord({ task_id: `t${i}`, task: `task ${i} `.repeat(40) }));
      }
      await first.close();
      const pageSize = 4096;
      const pages = fs.statSync(file).size / pageSize;
      expect(pages).toBeGreaterThan(10);
      // Scribble over the middle of a b-tree page (not the file header).
      const fd = fs.openSync(file, 'r+');
      fs.writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, Math.floor(pages / 2) * pageSize);
      fs.closeSync(fd);
      const before = sha256(file);

      expect(() => new SqliteTaskStore(file)).toThrow(StoreIntegrityError);
      expect(() => new SqliteTaskStore(file)).toThrow(
        /Cannot open the task store at .*tasks\.db: it failed its integrity check \(PRAGMA quick_check\): .+left untouched/,
      );
      expect(sha256(file)).toBe(before);
    });
  });

  describe('restart', () => {
    it('keeps tasks, steps, events and batches across close and reopen', async () => {
      const first = open();
      await first.insertTask(makeTaskRecord({ task_id: 'a' }));
      await first.insertTask(makeTaskRecord({ task_id: 'b', owner: null }));
      await first.markRunning('a', T0);
      await first.saveStep('a', makeStep(1));
      await first.appendEvent(makeEvent('a', 1));
      await first.insertBatch(makeBatch({ task_ids: ['a', 'b'] }));
      await first.completeTask('b', { status: 'cancelled', completed_at: T1 });
      const page = await first.listTasks({ limit: 1 });
      await first.close();

      const sut = open();
      expect(await sut.getTask('a')).toEqual(
        makeTaskRecord({ task_id: 'a', status: 'running', started_at: T0 }),
      );
      expect(await sut.getTask('b')).toMatchObject({
        status: 'cancelled',
        completed_at: T1,
        owner: null,
      });
      expect(await sut.getSteps('a')).toEqual([makeStep(1)]);
      expect(await sut.getEvents('a')).toEqual([makeEvent('a', 1)]);
      expect((await sut.getBatch('batch-1'))?.task_ids).toEqual(['a', 'b']);

      // The insertion sequence continues, so old cursors stay valid and new tasks list first.
      await sut.insertTask(makeTaskRecord({ task_id: 'c' }));
      expect((await sut.listTasks({ limit: 10 })).items.map((t) => t.task_id)).toEqual([
        'c',
        'b',
        'a',
      ]);
      expect(
        (await sut.listTasks({ limit: 10, cursor: page.next_cursor! })).items.map((t) => t.task_id),
      ).toEqual(['a']);
    });

    it('recovers after a restart: running tasks end as interrupted, queued ones wait to run', async () => {
      const first = open();
      await first.insertTask(makeTaskRecord({ task_id: 'was-running' }));
      await first.insertTask(makeTaskRecord({ task_id: 'was-queued' }));
      await first.markRunning('was-running', T0);
      await first.appendEvent(makeEvent('was-running', 1, { type: 'task.started' }));
      await first.close();

      const sut = open();
      expect(await sut.interruptRunning(T1)).toEqual(['was-running']);
      expect(await sut.getTask('was-running')).toMatchObject({
        status: 'failed',
        error: { code: 'TASK_INTERRUPTED' },
      });
      expect((await sut.getEvents('was-running')).map((e) => e.type)).toEqual([
        'task.started',
        'task.failed',
      ]);
      expect((await sut.queuedTasks()).map((t) => t.task_id)).toEqual(['was-queued']);
    });
  });

  describe('migrations', () => {
    const versions = () =>
      inspect((db) =>
        db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all(),
      );

    it('records every version once and applies nothing on reopen', async () => {
      open().close();
      const recorded = versions();
      expect(recorded).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
      expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
      open().close();
      expect(versions()).toEqual(recorded);
      expect(inspect((db) => applyMigrations(db))).toEqual([]);
    });

    it('numbers migrations 1, 2, 3 … with no gaps', async () => {
      expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_m, i) => i + 1));
    });

    it('applies only the new migration to an existing file and keeps its data', async () => {
      const first = open();
      await first.insertTask(makeTaskRecord({ task_id: 'kept' }));
      await first.close();
      const next = [
        ...MIGRATIONS,
        {
          version: LATEST_SCHEMA_VERSION + 1,
          name: 'labels',
          sql: 'ALTER TABLE tasks ADD COLUMN labels TEXT',
        },
      ];
      expect(inspect((db) => applyMigrations(db, next))).toEqual([LATEST_SCHEMA_VERSION + 1]);
      expect(inspect((db) => applyMigrations(db, next))).toEqual([]);
      expect(inspect((db) => db.prepare('SELECT task_id, labels FROM tasks').all())).toEqual([
        { task_id: 'kept', labels: null },
      ]);
    });

    it('rolls back every pending migration when one fails', async () => {
      open().close();
      const broken = [
        ...MIGRATIONS,
        { version: LATEST_SCHEMA_VERSION + 1, name: 'ok', sql: 'CREATE TABLE extra (x INTEGER)' },
        {
          version: LATEST_SCHEMA_VERSION + 2,
          name: 'bad',
          sql: 'ALTER TABLE nowhere ADD COLUMN y',
        },
      ];
      expect(() => inspect((db) => applyMigrations(db, broken))).toThrow(/nowhere/);
      expect(versions()).toHaveLength(MIGRATIONS.length);
      expect(
        inspect((db) => db.prepare(`SELECT name FROM sqlite_master WHERE name = 'extra'`).all()),
      ).toEqual([]);
    });

    it('refuses a file written by a newer build', async () => {
      open().close();
      inspect((db) =>
        db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(LATEST_SCHEMA_VERSION + 1, 'from the future', T0),
      );
      expect(() => new SqliteTaskStore(file)).toThrow(/newer than this build supports/);
    });
  });

  describe('ping (readiness)', () => {
    it('reports not ok while another process holds the write lock, and ok again after', async () => {
      const sut = open({ pingBusyTimeoutMs: 20 });
      const other = new Database(file);
      try {
        other.exec('BEGIN EXCLUSIVE');
        const ping = await sut.ping();
        expect(ping).toEqual({ ok: false, reason: expect.stringMatching(/locked/) });
        other.exec('ROLLBACK');
      } finally {
        other.close();
      }
      expect(await sut.ping()).toEqual({ ok: true });
      const db = (sut as unknown as { db: Database.Database }).db;
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    });

    it('reports not ok on a read-only database file', async () => {
      const seed = open();
      seed.insertTask(makeTaskRecord({ task_id: 'readable' }));
      seed.close();
      fs.chmodSync(file, 0o444);
      const body = `const store = new SqliteTaskStore(process.argv[2]);
out.ping = await store.ping();
out.read = (await store.getTask('readable')).task_id;
await store.close();`;
      let result: Record<string, unknown>;
      if (isRoot) {
        // chmod does not bind root, so the store is opened by an unprivileged user (nobody).
        fs.chownSync(dir, 65534, 65534);
        fs.chownSync(path.dirname(path.dirname(file)), 65534, 65534);
        fs.chownSync(path.dirname(file), 65534, 65534);
        result = runChild(dir, process.execPath, [childScript(dir, body), file], 65534);
      } else {
        const sut = open();
        result = { ping: await sut.ping(), read: (await sut.getTask('readable'))?.task_id };
      }
      expect(result).toEqual({
        ping: { ok: false, reason: expect.stringMatching(/readonly/) },
        read: 'readable',
      });
    });

    it('reports not ok when the disk is full, and ok again once space is freed', async () => {
      if (!isRoot || !fs.existsSync('/usr/bin/unshare')) {
        console.warn(
          'disk-full ping check not run: it needs root and unshare(1) for a private tmpfs',
        );
        return;
      }
      // A 256 KiB tmpfs in a private mount namespace: only the child process sees it.
      // Every ping in the same millisecond: a heartbeat that rewrote identical bytes would
      // write nothing and pass on a full disk.
      const body = `Date.prototype.toISOString = () => '2025-01-01T00:00:00.000Z';
const dir = process.argv[2];
const store = new SqliteTaskStore(dir + '/tasks.db');
out.before = await store.ping();
const fd = fs.openSync(dir + '/filler', 'w');
try { for (;;) fs.writeSync(fd, Buffer.alloc(4096, 1)); } catch (e) { out.fill = e.code; }
fs.closeSync(fd);
out.full = await store.ping();
fs.rmSync(dir + '/filler');
out.after = await store.ping();
await store.close();`;
      const mountPoint = fs.mkdtempSync(path.join(dir, 'mnt-'));
      const script = childScript(dir, body);
      const result = runChild(dir, '/usr/bin/unshare', [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount -t tmpfs -o size=256k tmpfs "$1" && exec "$2" "$3" "$1"',
        'sh',
        mountPoint,
        process.execPath,
        script,
      ]);
      expect(result).toEqual({
        before: { ok: true },
        fill: 'ENOSPC',
        full: { ok: false, reason: expect.stringMatching(/full/) },
        after: { ok: true },
      });
    });
  });
});
