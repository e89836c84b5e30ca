/**
 * How long to wait between model call attempts (docs/models.md, Retries, timeouts, cancellation:
 * backoff that honours Retry-After).
 */
export interface RetryTiming {
  /** First backoff step, before jitter. */
  baseDelayMs: number;
  /** Largest backoff step, before jitter. */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out: the call fails at once. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_TIMING: RetryTiming = {
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 10 * 60_000,
};

/** Minimal view of response headers (fetch Headers or a plain record). */
type HeaderSource = { get(name: string): string | null } | Record<string, string | undefined>;

function header(headers: HeaderSource | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(n: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  return key ? record[key] : undefined;
}

/**
 * The wait a provider asks for, in ms: `retry-after-ms` (OpenAI), else `Retry-After` as seconds
 * or an HTTP date. Undefined when absent or unreadable.
 */
export function parseRetryAfterMs(
  headers: HeaderSource | undefined,
  now = Date.now(),
): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms));
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // an HTTP date has a weekday and month in letters; "-1" would parse as year -1
  const date = /[A-Za-z]/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with jitter for retry `attempt` (1 = first retry): 50–100% of the step. */
export function backoffDelayMs(attempt: number, timing: RetryTiming, random = Math.random): number {
  const step = Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step * (0.5 + random() * 0.5));
}

/** HTTP statuses worth another attempt: timeouts, conflicts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
