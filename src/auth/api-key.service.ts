import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfigService } from '../config/app-config.service';
import { ApiKeyConfig } from '../config/config.schema';
import { CallerIdentity } from '../contracts/caller-identity';

interface KeyEntry {
  name: string;
  role: CallerIdentity['role'];
  digest: Buffer;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * Resolves presented API keys to identities. Keys are compared as SHA-256 digests with
 * `timingSafeEqual`, and every configured key is checked, so timing reveals neither which key
 * matched nor how much of one did.
 */
@Injectable()
export class ApiKeyService {
  private entries: KeyEntry[] = [];
  private source: ApiKeyConfig[] | undefined;

  constructor(private readonly config: AppConfigService) {}

  /** True when at least one key is configured (auth on). */
  get enabled(): boolean {
    return this.keys().length > 0;
  }

  /** The identity for a presented key, or null when it matches none. */
  identify(presented: string): CallerIdentity | null {
    const digest = sha256(presented);
    let match: KeyEntry | null = null;
    for (const entry of this.keys()) {
      if (timingSafeEqual(entry.digest, digest) && !match) match = entry;
    }
    return match ? { name: match.name, role: match.role, authenticated: true } : null;
  }

  /** Keys digested once per config version (live updates of service.auth are picked up). */
  private keys(): KeyEntry[] {
    const current = this.config.get('service').auth.api_keys;
    if (current !== this.source) {
      this.source = current;
      this.entries = current.map((k) => ({
        name: k.name,
        role: k.role,
        digest: k.key ? sha256(k.key) : Buffer.from(k.key_sha256 as string, 'hex'),
      }));
    }
    return this.entries;
  }
}

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`, if any. */
export function presentedKey(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.trim()) return x.trim();
  return undefined;
}
