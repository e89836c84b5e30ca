import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './support/cli-harness';
import { MIGRATIONS } from '../../src/agent/store/migrations';
import { PG_MIGRATIONS } from '../../src/agent/store/postgres/postgres-migrations';
import { TestSchema } from '../../src/agent/store/postgres/postgres-schema.fixtures';

const QUIET: NodeJS.ProcessEnv = { AGENT_RUNNER_LOG_LEVEL: 'silent' };
const latest = (list: readonly { version: number }[]) => list[list.length - 1].version;

/** `agent-runner migrate` (docs/cli.md): 0 done, 2 bad config or cannot connect. */
describe('agent-runner migrate', () => {
  let cwd: string;
  beforeEach(() => (cwd = mkdtempSync(join(tmpdir(), 'agent-runner-migrate-'))));
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const migrate = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runCommand(['migrate', ...args], { cwd, env: { ...QUIET, ...env } });

  describe('postgres', () => {
    let schema: TestSchema;
    beforeEach(async () => (schema = await new TestSchema().create()));
    afterEach(() => schema.drop());

    it('applies the migrations and exits 0; a second run finds nothing to do', async () => {
      const env = { AGENT_RUNNER_STORAGE_DRIVER: 'postgres', AGENT_RUNNER_STORAGE_URL: schema.url };
      const first = await migrate([], env);
      expect(first).toMatchObject({ code: 0, stderr: '' });
      const versions = PG_MIGRATIONS.map((m) => m.version).join(', ');
      expect(first.stdout).toMatch(
        new RegExp(
          `^PostgreSQL at 127\\.0\\.0\\.1:5432/test: applied migrations? ${versions}; schema at version ${latest(PG_MIGRATIONS)}\\n$`,
        ),
      );
      const tables = await schema.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
        [schema.name],
      );
      expect(tables.map((t) => t.table_name)).toEqual([
        'batches',
        'heartbeat',
        'schema_migrations',
        'task_events',
        'task_steps',
        'tasks',
      ]);

      const again = await migrate([], env);
      expect(again).toMatchObject({ code: 0, stderr: '' });
      expect(again.stdout).toContain(`schema up to date (version ${latest(PG_MIGRATIONS)})`);
    });

    it('reads the config file given with -c', async () => {
      writeFileSync(
        join(cwd, 'prod.toml'),
        `[storage]\ndriver = "postgres"\nurl = "${schema.url}"\npool_size = 3\n`,
        { mode: 0o600 },
      );
      const r = await migrate(['-c', 'prod.toml']);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain('applied migration');
    });

    it('exits 2 when PostgreSQL cannot be reached, saying where it tried', async () => {
      const r = await migrate([], {
        AGENT_RUNNER_STORAGE_DRIVER: 'postgres',
        AGENT_RUNNER_STORAGE_URL: 'postgres://postgres:pw-not-shown@127.0.0.1:1/test',
      });
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/PostgreSQL at 127\.0\.0\.1:1\/test.*ECONNREFUSED/);
      expect(r.stderr).not.toContain('pw-not-shown');
    });

    it('exits 2 when the database does not exist', async () => {
      const r = await migrate([], {
        AGENT_RUNNER_STORAGE_DRIVER: 'postgres',
        AGENT_RUNNER_STORAGE_URL: 'postgres://postgres@127.0.0.1:5432/ar_no_such_database',
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/ar_no_such_database.*does not exist/);
    });

    it('exits 1 on a schema newer than this build, saying so', async () => {
      const env = { AGENT_RUNNER_STORAGE_DRIVER: 'postgres', AGENT_RUNNER_STORAGE_URL: schema.url };
      expect((await migrate([], env)).code).toBe(0);
      await schema.query(
        `INSERT INTO ${schema.name}.schema_migrations (version, name) VALUES (999, 'future')`,
      );
      const r = await migrate([], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('schema is at version 999, newer than this build supports');
    });
  });

  it('exits 2 on a bad configuration, saying which key', async () => {
    const noUrl = await migrate([], { AGENT_RUNNER_STORAGE_DRIVER: 'postgres' });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toMatch(/storage\.url: required when storage\.driver is "postgres"/);

    const missing = await migrate(['-c', 'nowhere.toml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('config file not found');
  });

  it('sqlite: creates or upgrades the file and exits 0', async () => {
    const file = join(cwd, 'data', 'tasks.db');
    const r = await migrate([], { AGENT_RUNNER_STORAGE_PATH: 'data/tasks.db' });
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      `SQLite ${file}: applied migration${MIGRATIONS.length > 1 ? 's' : ''} ${MIGRATIONS.map((m) => m.version).join(', ')}; schema at version ${latest(MIGRATIONS)}\n`,
    );
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({
        v: latest(MIGRATIONS),
      });
    } finally {
      db.close();
    }
    const again = await migrate([], { AGENT_RUNNER_STORAGE_PATH: 'data/tasks.db' });
    expect(again.stdout).toBe(
      `SQLite ${file}: schema up to date (version ${latest(MIGRATIONS)})\n`,
    );
  });

  it('memory: nothing to migrate, exits 0 and writes nothing', async () => {
    const r = await migrate([], { AGENT_RUNNER_STORAGE_DRIVER: 'memory' });
    expect(r).toMatchObject({
      code: 0,
      stdout: 'storage.driver is "memory": nothing to migrate\n',
    });
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });
});
