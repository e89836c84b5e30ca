import { ExecutionContext, Injectable } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitError } from '../common/errors';
import { CALLER_REQUEST_KEY } from '../auth/auth.decorators';
import { CallerIdentity } from '../contracts/caller-identity';

/**
 * Rate limits per API key (per client IP without one), across all routes: the bucket follows the
 * caller, not the route. Runs after the API-key guard, which records the caller on the request.
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const caller = req[CALLER_REQUEST_KEY] as CallerIdentity | undefined;
    if (caller?.authenticated && caller.name) return `key:${caller.name}`;
    return `ip:${String(req.ip ?? 'unknown')}`;
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${name}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new RateLimitError(Math.max(1, Math.ceil(detail.timeToBlockExpire)));
  }
}

/** Exempts a route or controller from every throttler (health probes, Prometheus scrapes). */
export const NoThrottle = () => SkipThrottle({ burst: true, sustained: true });
