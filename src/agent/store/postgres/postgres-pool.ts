import { Pool } from 'pg';

/** How the PostgreSQL driver connects (`[storage]` url and pool_size, docs/configuration.md). */
export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:5432/db?sslmode=require&options=-c%20search_path%3Dx` */
  url: string;
  /** Connections at most (storage.pool_size). */
  poolSize: number;
  /** How long a query waits for a connection (a new one, or a free one) before failing. */
  connectTimeoutMs?: number;
  /** Told about an error of an idle connection (the server restarted, the link dropped). */
  onIdleError?: (err: Error) => void;
}

/**
 * A connection pool. A broken idle connection is reported and dropped (node-postgres would
 * otherwise crash the process with an unhandled 'error'); the next query opens a new one.
 */
export function createPostgresPool(options: PostgresConnectionOptions): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'agent-runner',
  });
  pool.on('error', (err) => options.onIdleError?.(err));
  return pool;
}

/** `host:port/database` of a URL, for messages (never the user or password). */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return '(unparsable storage.url)';
  }
}
