import { StoreUnavailableError } from '../../../common/errors';
import { STORE_RETRY_AFTER_SECONDS } from '../store-health.service';
import { isStoreUnavailable } from '../store-write-error';
import { describePostgresUrl } from './postgres-pool';

/**
 * Errors node-postgres raises without a code when the link to the server fails: the socket
 * closed under a query, the pool found no connection in time, a client was ended.
 */
const LINK_LOST =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed|Connection closed)/;

/** What the client is told about a failure it cannot see into (no host names, no SQL). */
function reason(err: Error & { code?: string }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case '57P01':
    case '57P02':
    case '57P03':
      return 'the server is shutting down or starting';
    case '57014':
      return 'a statement took too long';
    case '25006':
      return 'the server is read-only';
    case '53100':
      return 'the server is out of disk space';
    case '53300':
      return 'the server has too many connections';
    default:
      return err.code ? `error ${err.code}` : 'the connection was lost';
  }
}

/** A short account of a failure, for readiness and messages (no host names, no SQL). */
export function failureReason(err: unknown): string {
  if (isPostgresUnavailable(err)) return reason(err as Error & { code?: string });
  return (err as Error)?.message ?? String(err);
}

/** Whether a failure of the PostgreSQL driver means "the database cannot be used now". */
export function isPostgresUnavailable(err: unknown): boolean {
  return isStoreUnavailable(err) || (err instanceof Error && LINK_LOST.test(err.message));
}

/**
 * The project's StoreUnavailableError (503 STORE_UNAVAILABLE, with retry-after) for a database
 * that cannot be used now; any other error unchanged. The original is kept as `cause`.
 */
export function asStoreError(err: unknown): unknown {
  if (err instanceof StoreUnavailableError || !isPostgresUnavailable(err)) return err;
  const e = err as Error & { code?: string };
  const out = new StoreUnavailableError(
    STORE_RETRY_AFTER_SECONDS,
    `The task store (PostgreSQL) cannot be used right now (${reason(e)}); retry later.`,
  );
  Object.defineProperty(out, 'cause', { value: err, enumerable: false });
  return out;
}

/**
 * Why the store could not open, for the operator (start-up, `agent-runner migrate`): where it
 * tried (host, port, database; never the password) and what the server or the socket said. A
 * database that cannot be reached stays a StoreUnavailableError (isStoreUnavailable says so).
 */
export function openError(err: unknown, url: string): Error {
  const e = err as Error;
  // a refused connection to a name with two addresses is an AggregateError without a message
  const said = e.message || (e as { code?: string }).code || String(err);
  const message = `Cannot open the task store (PostgreSQL at ${describePostgresUrl(url)}): ${said}`;
  const out = isPostgresUnavailable(err)
    ? new StoreUnavailableError(STORE_RETRY_AFTER_SECONDS, message)
    : new Error(message);
  Object.defineProperty(out, 'cause', { value: err, enumerable: false });
  return out;
}

/**
 * Whether opening failed because no session could be had: the server is unreachable or down,
 * refused the credentials (class 28) or has no such database (3D000). `agent-runner migrate`
 * exits 2 for these ("cannot connect"), 1 for failures inside a session.
 */
export function isConnectFailure(err: unknown): boolean {
  const inner = (err as { cause?: unknown } | null)?.cause ?? err;
  const code = (inner as { code?: unknown } | null)?.code;
  return (
    isPostgresUnavailable(err) ||
    isPostgresUnavailable(inner) ||
    (typeof code === 'string' && /^(28[0-9A-Z]{3}|3D000)$/.test(code))
  );
}
