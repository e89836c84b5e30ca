import { Pool } from 'pg';
import { StoreUnavailableError } from '../../src/common/errors';
import type { TaskEvent } from '../../src/contracts/task.types';
import { isStoreUnavailable } from '../../src/agent/store/store-write-error';
import { makeEvent, makeTaskRecord } from '../../src/agent/store/task-store.fixtures';
import {
  PG_LATEST_SCHEMA_VERSION,
  PG_MIGRATIONS,
  applyPostgresMigrations,
} from '../../src/agent/store/postgres/postgres-migrations';
import { createPostgresPool } from '../../src/agent/store/postgres/postgres-pool';
import { PostgresTaskStore } from '../../src/agent/store/postgres/postgres-task-store';
import { TestSchema, urlWithSchema } from '../../src/agent/store/postgres/postgres-schema.fixtures';

const T1 = '2025-01-01T00:00:05.000Z';

/** Polls until `check` holds (no time limit of its own: jest's test timeout bounds it). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('PostgresTaskStore (PostgreSQL only)', () => {
  let schema: TestSchema;
  const stores: PostgresTaskStore[] = [];
  const open = async (url = schema.url, poolSize = 4) => {
    const store = await PostgresTaskStore.open({ url, poolSize });
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    schema = await new TestSchema().create();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await schema.drop();
  });

  describe('migrations', () => {
    it('five processes starting at once on a fresh schema migrate it once', async () => {
      const pools = Array.from({ length: 5 }, () =>
        createPostgresPool({ url: schema.url, poolSize: 1 }),
      );
      try {
        const applied = await Promise.all(pools.map((p) => applyPostgresMigrations(p)));
        const all = PG_MIGRATIONS.map((m) => m.version);
        expect(applied.filter((a) => a.length > 0)).toEqual([all]);
        expect(applied.filter((a) => a.length === 0)).toHaveLength(4);
      } finally {
        await Promise.all(pools.map((p) => p.end()));
      }
      const recorded = await schema.query<{ version: number; name: string }>(
        `SELECT version, name FROM ${schema.name}.schema_migrations ORDER BY version`,
      );
      expect(recorded).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    });

    it('five stores opening at once on a fresh schema all work', async () => {
      const five = await Promise.all(Array.from({ length: 5 }, () => open(schema.url, 1)));
      await Promise.all(five.map((s, i) => s.insertTask(makeTaskRecord({ task_id: `t${i}` }))));
      expect((await five[0].listTasks({ limit: 10 })).items).toHaveLength(5);
    });

    it('opening again applies nothing and keeps the data', async () => {
      const first = await open();
      await first.insertTask(makeTaskRecord({ task_id: 'kept' }));
      await first.close();
      const pool = createPostgresPool({ url: schema.url, poolSize: 1 });
      try {
        expect(await applyPostgresMigrations(pool)).toEqual([]);
      } finally {
        await pool.end();
      }
      expect(await (await open()).getTask('kept')).toBeDefined();
    });

    it('refuses to open a schema written by a newer build, saying so', async () => {
      await (await open()).close();
      const newer = PG_LATEST_SCHEMA_VERSION + 1;
      await schema.query(
        `INSERT INTO ${schema.name}.schema_migrations (version, name) VALUES ($1, 'from the future')`,
        [newer],
      );
      await expect(open()).rejects.toThrow(
        `schema is at version ${newer}, newer than this build supports (${PG_LATEST_SCHEMA_VERSION})`,
      );
    });

    it('a failing migration leaves the schema as it was', async () => {
      const broken = [
        ...PG_MIGRATIONS,
        { version: 99, name: 'broken', sql: 'CREATE TABLE x (); SELEC 1' },
      ];
      const pool = createPostgresPool({ url: schema.url, poolSize: 1 });
      try {
        await expect(applyPostgresMigrations(pool, broken)).rejects.toThrow(/syntax error/);
      } finally {
        await pool.end();
      }
      const tables = await schema.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`,
        [schema.name],
      );
      expect(tables).toEqual([{ n: 1 }]); // schema_migrations, empty
    });
  });

  describe('rules held by the database across processes', () => {
    const queued = (id: string): TaskEvent => makeEvent(id, 1, { type: 'task.queued', data: {} });

    it('an idempotent insert raced from two pools creates one task with one first event', async () => {
      const [a, b] = await Promise.all([open(), open()]);
      const ids = Array.from({ length: 25 }, (_, i) => `race-${i}`);
      const wins = await Promise.all(
        ids.flatMap((id) =>
          [a, b].map((s) => s.insertTask(makeTaskRecord({ task_id: id }), queued(id))),
        ),
      );
      expect(wins.filter(Boolean)).toHaveLength(ids.length);
      for (const id of ids) expect(await b.getEvents(id)).toEqual([queued(id)]);
      const rows = await schema.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema.name}.tasks`,
      );
      expect(rows).toEqual([{ n: ids.length }]);
    });

    it('a completion raced from two pools applies once, with one terminal event', async () => {
      const [a, b] = await Promise.all([open(), open()]);
      const ids = Array.from({ length: 25 }, (_, i) => `end-${i}`);
      for (const id of ids) {
        await a.insertTask(makeTaskRecord({ task_id: id }), queued(id));
        await a.markRunning(id, T1);
      }
      const end = (s: PostgresTaskStore, id: string, status: 'completed' | 'cancelled') =>
        s.completeTask(
          id,
          { status, completed_at: T1 },
          makeEvent(id, 2, { type: `task.${status}`, data: { status } }),
        );
      const results = await Promise.all(
        ids.map((id) => Promise.all([end(a, id, 'completed'), end(b, id, 'cancelled')])),
      );
      for (const [i, id] of ids.entries()) {
        const [byA, byB] = results[i];
        expect(byA !== byB).toBe(true);
        const task = await a.getTask(id);
        expect(task!.status).toBe(byA ? 'completed' : 'cancelled');
        expect((await b.getEvents(id)).map((e) => [e.seq, e.type])).toEqual([
          [1, 'task.queued'],
          [2, `task.${task!.status}`],
        ]);
      }
    });
  });

  describe('a database that cannot be used', () => {
    it('a connection dropped under a query is a StoreUnavailable error; the next call reconnects', async () => {
      const app = `ar-drop-${process.pid}`;
      const url = new URL(schema.url);
      url.searchParams.set('application_name', app);
      const store = await open(url.toString(), 1);
      await store.insertTask(makeTaskRecord({ task_id: 'held' }));
      const locker = new Pool({ connectionString: schema.url, max: 1 });
      const client = await locker.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT 1 FROM ${schema.name}.tasks WHERE task_id = 'held' FOR UPDATE`);
        const blocked = store.markRunning('held', T1).then(
          () => undefined,
          (err: unknown) => err,
        );
        const waiting = () =>
          schema.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
            [app],
          );
        await until(async () => (await waiting()).length === 1);
        const [{ pid }] = await waiting();
        await schema.query('SELECT pg_terminate_backend($1)', [pid]);
        const err = await blocked;
        expect(err).toBeInstanceOf(StoreUnavailableError);
        expect(isStoreUnavailable(err)).toBe(true);
        expect((err as Error).message).toMatch(/PostgreSQL.*retry later/);
      } finally {
        await client.query('ROLLBACK');
        client.release();
        await locker.end();
      }
      expect(await store.markRunning('held', T1)).toBe(true);
    });

    it('a server that does not answer: opening fails as StoreUnavailable, naming where it tried', async () => {
      const closed = urlWithSchema(schema.name, 'postgres://postgres:secret-pw@127.0.0.1:1/test');
      const err = await PostgresTaskStore.open({ url: closed, poolSize: 1 }).catch(
        (e: unknown) => e,
      );
      expect(isStoreUnavailable(err)).toBe(true);
      expect((err as Error).message).toMatch(/PostgreSQL at 127\.0\.0\.1:1\/test.*ECONNREFUSED/);
      expect((err as Error).message).not.toContain('secret-pw');
    });

    it('a ping that cannot write in time says why and never throws', async () => {
      const store = await PostgresTaskStore.open({
        url: schema.url,
        poolSize: 2,
        pingTimeoutMs: 200,
      });
      stores.push(store);
      expect(await store.ping()).toEqual({ ok: true });
      const locker = new Pool({ connectionString: schema.url, max: 1 });
      const client = await locker.connect();
      try {
        await client.query('BEGIN');
        await client.query(`UPDATE ${schema.name}.heartbeat SET beats = beats + 1`);
        const ping = await store.ping();
        expect(ping.ok).toBe(false);
        expect(ping.reason).toMatch(
          /^task store \(PostgreSQL\) is not writable: (a statement took too long|no answer within 200 ms)$/,
        );
      } finally {
        await client.query('ROLLBACK');
        client.release();
        await locker.end();
      }
      expect(await store.ping()).toEqual({ ok: true });
    });
  });

  describe('text the database must keep exactly', () => {
    it('keeps NUL characters, lone surrogates and key order', async () => {
      const store = await open();
      const odd = 'a\u0000b \ud800 c 🙂';
      const task = makeTaskRecord({ task_id: 'odd', task: odd, metadata: { z: 1, a: odd } });
      await store.insertTask(task);
      const got = await store.getTask('odd');
      expect(got).toEqual(task);
      expect(JSON.stringify(got!.metadata)).toBe(JSON.stringify(task.metadata));
    });
  });
});
