import { isStoreUnavailable } from './store-write-error';

/** Pauses between reads while the store cannot be reached: 100 ms doubling up to 2 s. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 2000;

/**
 * Reads again while the store is unavailable (a database that cannot be reached), until
 * `giveUp()` says to stop (shutdown: restart recovery takes over); any other error is thrown.
 * For reads a state change depends on, so an outage delays the change instead of losing it.
 */
export async function readWhileUnavailable<T>(
  read: () => Promise<T>,
  giveUp: () => boolean,
): Promise<T> {
  for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
    try {
      return await read();
    } catch (err) {
      if (!isStoreUnavailable(err) || giveUp()) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
