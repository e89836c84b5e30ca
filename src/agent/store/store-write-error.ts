import { StoreUnavailableError } from '../../common/errors';

/**
 * A write the store could not make durable: its turn's commit failed or an error rolled the
 * turn back (a full disk, an I/O error, a lock held too long). The writes are not in the store.
 */
export class StoreWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreWriteError';
  }
}

/** SQLite result codes that mean "cannot write now", not "this write is wrong". */
const SQLITE_UNAVAILABLE =
  /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|PROTOCOL|NOMEM|NOLFS)(_|$)/;

/**
 * PostgreSQL SQLSTATEs of the same kind: class 08 (connection exceptions), 53 (insufficient
 * resources: disk full, out of memory, too many connections), 57P01..57P03 (admin or crash
 * shutdown, cannot connect now), 57014 (statement timeout or cancel), 25006 (a read-only
 * server, e.g. a standby after a failover), 40001 and 40P01 (serialization failure, deadlock:
 * the same write later succeeds).
 */
const PG_UNAVAILABLE = /^(08[0-9A-Z]{3}|53[0-9A-Z]{3}|57P0[123]|57014|25006|40001|40P01)$/;

/** Socket errors of a networked store (the server is down, unreachable, or dropped the link). */
const NET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Whether an error thrown by a store call says the store cannot be used now (worth trying again
 * later) rather than that the call itself is wrong (a constraint, a missing task).
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof StoreWriteError || err instanceof StoreUnavailableError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return SQLITE_UNAVAILABLE.test(code) || PG_UNAVAILABLE.test(code) || NET_UNAVAILABLE.has(code);
}
