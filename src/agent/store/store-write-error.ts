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
const UNAVAILABLE_CODES =
  /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|PROTOCOL|NOMEM|NOLFS)(_|$)/;

/**
 * Whether an error thrown by a store write says the store cannot write now (worth trying again
 * later) rather than that the write itself is wrong (a constraint, a missing task).
 */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof StoreWriteError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNAVAILABLE_CODES.test(code);
}
