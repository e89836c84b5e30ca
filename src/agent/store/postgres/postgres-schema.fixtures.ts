import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';

/**
 * For specs: the PostgreSQL the tests run against (PostgreSQL 15 on 127.0.0.1:5432, trust auth,
 * database `test`; `.ci/run` starts it), overridable with AGENT_RUNNER_TEST_POSTGRES_URL.
 */
export const TEST_POSTGRES_URL =
  process.env.AGENT_RUNNER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A URL whose connections use `schema` (search_path set at connect time). */
export function urlWithSchema(schema: string, base = TEST_POSTGRES_URL): string {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/**
 * A schema of its own for one spec file run: created on `create()`, dropped (with everything in
 * it) on `drop()`. Its name is unique per process and run.
 */
export class TestSchema {
  readonly name = `ar_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  readonly url = urlWithSchema(this.name);
  private readonly admin = new Pool({ connectionString: TEST_POSTGRES_URL, max: 1 });

  async create(): Promise<this> {
    try {
      await this.admin.query(`CREATE SCHEMA ${this.name}`);
    } catch (err) {
      throw new Error(
        `PostgreSQL is needed for these tests (${TEST_POSTGRES_URL}; .ci/run starts it): ${(err as Error).message}`,
        { cause: err },
      );
    }
    return this;
  }

  /** Empties the store's tables (identity counters too), keeping the migrated schema. */
  async truncate(): Promise<void> {
    await this.admin.query(
      `TRUNCATE ${this.name}.tasks, ${this.name}.task_steps, ${this.name}.task_events,
        ${this.name}.batches, ${this.name}.heartbeat RESTART IDENTITY`,
    );
  }

  async query<R extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<R[]> {
    return (await this.admin.query<R>(sql, values)).rows;
  }

  async drop(): Promise<void> {
    try {
      await this.admin.query(`DROP SCHEMA IF EXISTS ${this.name} CASCADE`);
    } finally {
      await this.admin.end();
    }
  }
}
