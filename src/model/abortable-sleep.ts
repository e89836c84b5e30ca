/** Thrown (as a rejection) when an abort signal ends a wait. */
export class WaitAbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'WaitAbortedError';
  }
}

/** Resolves after `ms`, or rejects with {@link WaitAbortedError} as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new WaitAbortedError());
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new WaitAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
