import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ProviderLimiter } from './provider-limiter';

/**
 * One {@link ProviderLimiter} per provider + endpoint + key, shared by every model instance
 * (a live swap back to the same key finds the same limiter and its pause).
 */
@Injectable()
export class ProviderLimiterRegistry implements OnModuleDestroy {
  private readonly limiters = new Map<string, ProviderLimiter>();

  /** The limiter for these coordinates, created on first use; `maxConcurrent` is applied live. */
  forProvider(
    provider: string,
    endpoint: string,
    apiKey: string | undefined,
    maxConcurrent: number,
  ): ProviderLimiter {
    // the key is hashed so this map never holds it in clear
    const fingerprint = apiKey
      ? createHash('sha256').update(apiKey).digest('hex').slice(0, 16)
      : '-';
    const id = `${provider}|${endpoint}|${fingerprint}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new ProviderLimiter(provider, maxConcurrent);
      this.limiters.set(id, limiter);
    } else {
      limiter.setMaxConcurrent(maxConcurrent);
    }
    return limiter;
  }

  onModuleDestroy(): void {
    for (const limiter of this.limiters.values()) limiter.dispose();
  }
}
