import type { ThrottlerStorage } from '@nestjs/throttler';

export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The answer of a sliding-window storage for one hit, from the key's window start and block end
 * (ms, 0 = not blocked): shared by the memory and the Redis storage so both answer alike.
 */
export function windowAnswer(
  windowStart: number,
  blockedUntil: number,
  now: number,
  ttl: number,
  totalHits: number,
  isBlocked: boolean,
): ThrottlerStorageRecord {
  const windowEnds = Math.max(0, Math.ceil((windowStart + ttl - now) / 1000));
  return {
    totalHits,
    timeToExpire: windowEnds,
    isBlocked,
    timeToBlockExpire: isBlocked
      ? Math.max(1, Math.ceil(((blockedUntil || windowStart + ttl) - now) / 1000))
      : 0,
  };
}
