import { Module } from '@nestjs/common';
import { ThrottlerModule, type ThrottlerStorage } from '@nestjs/throttler';
import { AppConfigService } from '../config/app-config.service';
import { ApiThrottlerGuard } from './api-throttler.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';
import { SlidingWindowThrottlerStorage } from './sliding-window.storage';

/** The storage named by service.rate_limiting.storage, chosen once at start (restart key). */
function createStorage(config: AppConfigService): ThrottlerStorage {
  if (config.get('service').rate_limiting.storage !== 'redis') {
    return new SlidingWindowThrottlerStorage();
  }
  const queue = config.get('queue');
  // Validation refuses storage "redis" without queue.url (docs/configuration.md, `[queue]`).
  return new RedisThrottlerStorage({ url: queue.url ?? '', prefix: queue.prefix });
}

/**
 * Two windows approximate a token bucket of `burst_size` refilled at `requests_per_minute`:
 * "burst" allows burst_size requests per burst_size/rpm minutes, "sustained" allows rpm per minute.
 * Limits are read from the live config on every request, so updates apply at once. The counts
 * live in SlidingWindowThrottlerStorage (this process) or RedisThrottlerStorage (shared by the
 * replicas): the same work per request whatever the traffic.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => {
        const rl = () => config.get('service').rate_limiting;
        return {
          throttlers: [
            {
              name: 'burst',
              limit: () => rl().burst_size,
              ttl: () =>
                Math.max(1000, Math.ceil((rl().burst_size * 60_000) / rl().requests_per_minute)),
            },
            { name: 'sustained', limit: () => rl().requests_per_minute, ttl: () => 60_000 },
          ],
          skipIf: () => !rl().enabled,
          storage: createStorage(config),
          // Retry-After is set once, by the exception filter, from the RateLimitError.
          setHeaders: false,
        };
      },
    }),
  ],
  providers: [ApiThrottlerGuard],
  exports: [ApiThrottlerGuard],
})
export class ThrottlingModule {}
