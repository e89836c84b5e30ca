import {
  backoffDelayMs,
  DEFAULT_RETRY_TIMING,
  isRetryableStatus,
  parseRetryAfterMs,
} from './retry-policy';

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'Retry-After': '0.25' }, 250],
    [{ 'retry-after-ms': '150', 'retry-after': '9' }, 150],
    [{ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, 5000],
    [{ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }, 0],
  ])('%j → %d ms', (headers, expected) => {
    expect(parseRetryAfterMs(headers, now)).toBe(expected);
  });

  it.each([[{}], [{ 'retry-after': 'soon' }], [{ 'retry-after': '-1' }], [undefined]])(
    '%j → undefined',
    (headers) => {
      expect(parseRetryAfterMs(headers as Record<string, string> | undefined, now)).toBeUndefined();
    },
  );

  it('reads fetch Headers', () => {
    expect(parseRetryAfterMs(new Headers({ 'Retry-After': '2' }))).toBe(2000);
  });
});

describe('backoffDelayMs', () => {
  const timing = { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

  it('doubles per attempt, capped, with jitter between 50% and 100% of the step', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, timing, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, timing, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelayMs(3, timing);
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
  });

  it('has sane defaults', () => {
    expect(backoffDelayMs(1, DEFAULT_RETRY_TIMING, () => 1)).toBe(500);
    expect(backoffDelayMs(20, DEFAULT_RETRY_TIMING, () => 1)).toBe(30_000);
  });
});

describe('isRetryableStatus', () => {
  it.each([408, 409, 429, 500, 502, 503, 529])('%d is retried', (s) =>
    expect(isRetryableStatus(s)).toBe(true),
  );
  it.each([400, 401, 403, 404, 422])('%d is not', (s) => expect(isRetryableStatus(s)).toBe(false));
});
