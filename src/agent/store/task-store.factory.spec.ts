import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StorageConfig } from '../../config/config.schema';
import { MemoryTaskStore } from './memory-task-store';
import { SqliteTaskStore } from './sqlite-task-store';
import { PostgresTaskStore } from './postgres/postgres-task-store';
import { TestSchema } from './postgres/postgres-schema.fixtures';
import { isStoreUnavailable } from './store-write-error';
import { createTaskStore, openTaskStore } from './task-store.factory';

describe('createTaskStore', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'task-store-factory-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const config = (patch: Partial<StorageConfig>) => Object.assign(new StorageConfig(), patch);

  it('defaults to SQLite, resolving a relative path against the working directory', () => {
    const sut = createTaskStore(config({ path: 'data/tasks.db' }), dir);
    try {
      expect(sut).toBeInstanceOf(SqliteTaskStore);
      expect(sut.driver).toBe('sqlite');
      expect((sut as SqliteTaskStore).filePath).toBe(path.join(dir, 'data', 'tasks.db'));
      expect(fs.existsSync(path.join(dir, 'data', 'tasks.db'))).toBe(true);
    } finally {
      sut.close();
    }
  });

  it('uses an absolute path as given', () => {
    const file = path.join(dir, 'abs.db');
    const sut = createTaskStore(config({ driver: 'sqlite', path: file }), '/nonexistent');
    sut.close();
    expect((sut as SqliteTaskStore).filePath).toBe(file);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('opens the memory driver without touching the disk', () => {
    const sut = createTaskStore(
      config({ driver: 'memory', path: path.join(dir, 'unused.db') }),
      dir,
    );
    expect(sut).toBeInstanceOf(MemoryTaskStore);
    expect(sut.driver).toBe('memory');
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('rejects an unknown driver', () => {
    expect(() => createTaskStore(config({ driver: 'redis' as never }), dir)).toThrow(/redis/);
  });

  it('sends the postgres driver to openTaskStore (it connects before it opens)', () => {
    expect(() => createTaskStore(config({ driver: 'postgres', url: 'postgres://x@y/z' }))).toThrow(
      /openTaskStore/,
    );
  });

  describe('openTaskStore', () => {
    it('opens sqlite and memory as createTaskStore does', async () => {
      const sqlite = await openTaskStore(config({ path: 'data/tasks.db' }), dir);
      expect(sqlite).toBeInstanceOf(SqliteTaskStore);
      expect(sqlite.filePath).toBe(path.join(dir, 'data', 'tasks.db'));
      await sqlite.close();
      expect(await openTaskStore(config({ driver: 'memory' }), dir)).toBeInstanceOf(
        MemoryTaskStore,
      );
    });

    it('opens postgres at storage.url with a migrated schema', async () => {
      const schema = await new TestSchema().create();
      try {
        const store = await openTaskStore(
          config({ driver: 'postgres', url: schema.url, pool_size: 2 }),
        );
        try {
          expect(store).toBeInstanceOf(PostgresTaskStore);
          expect(store.driver).toBe('postgres');
          expect(store.filePath).toBeUndefined();
          expect(await store.ping()).toEqual({ ok: true });
        } finally {
          await store.close();
        }
      } finally {
        await schema.drop();
      }
    });

    it('rejects with a StoreUnavailable error when PostgreSQL cannot be reached', async () => {
      const err = await openTaskStore(
        config({ driver: 'postgres', url: 'postgres://postgres@127.0.0.1:1/test' }),
      ).catch((e: unknown) => e);
      expect(isStoreUnavailable(err)).toBe(true);
      expect((err as Error).message).toContain('PostgreSQL at 127.0.0.1:1/test');
    });
  });
});
