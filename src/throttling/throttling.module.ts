import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfigService } from '../config/app-config.service';
import { ApiThrottlerGuard } from './api-throttler.guard';
import { SlidingWindowThrottlerStorage } from './sliding-window.storage';

/**
 * Two windows approximate a token bucket of `burst_size` refilled at `requests_per_minute`:
 * "burst" allows burst_size requests per burst_size/rpm minutes, "sustained" allows rpm per minute.
 * Limits are read from the live config on every request, so updates apply at once. The counts
 * live in SlidingWindowThrottlerStorage: the same work per request whatever the traffic.
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
          storage: new SlidingWindowThrottlerStorage(),
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
