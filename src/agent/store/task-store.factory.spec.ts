import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StorageConfig } from '../../config/config.schema';
import { MemoryTaskStore } from './memory-task-store';
import { SqliteTaskStore } from './sqlite-task-store';
import { createTaskStore } from './task-store.factory';

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
    expect(() => createTaskStore(config({ driver: 'postgres' as never }), dir)).toThrow(/postgres/);
  });
});
