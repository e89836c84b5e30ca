export interface EventuallyOptions {
  /** How long to keep trying (ms). Default 10 000. */
  timeoutMs?: number;
  /** Pause between attempts (ms). Default 20. */
  intervalMs?: number;
  /** What is awaited, for the failure message (e.g. "the task to end"). */
  what?: string;
}

/**
 * Runs `assertion` (sync or async) until it returns without throwing, and resolves to what it
 * returned. When `timeoutMs` runs out, rejects with the last error the assertion threw, its
 * message prefixed with what was awaited and for how long, so a failure reads as the assertion
 * that did not hold. An attempt still pending when the time is up fails the same way.
 *
 * Use it instead of a fixed sleep before an assertion, and instead of a hand-written polling
 * loop: `await eventually(() => expect(alive(pid)).toBe(false))`.
 */
export async function eventually<T>(
  assertion: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 20, what } = options;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let lastError: unknown;
  for (;;) {
    attempts++;
    try {
      return await withinDeadline(assertion, deadline);
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining(deadline))));
  }
  throw explained(
    lastError,
    `${what ? `${what}: ` : ''}not met within ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'})`,
  );
}

function remaining(deadline: number): number {
  return Math.max(0, deadline - Date.now());
}

/** One attempt, failing if it is still pending at the deadline. */
async function withinDeadline<T>(assertion: () => T | Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('the last attempt was still pending')),
      remaining(deadline),
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(assertion), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The assertion's own error (jest keeps its diff), its message prefixed with `context`. */
function explained(error: unknown, context: string): Error {
  const base = error instanceof Error ? error : new Error(String(error));
  const message = `eventually: ${context}; last failure:\n${base.message}`;
  base.message = message;
  const matcher = (base as { matcherResult?: { message?: string } }).matcherResult;
  if (matcher && typeof matcher.message === 'string') matcher.message = message;
  return base;
}
