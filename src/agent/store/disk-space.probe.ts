import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

const MiB = 1024 * 1024;

export interface DiskSpaceReading {
  ok: boolean;
  free_bytes: number;
  min_free_bytes: number;
  reason?: string;
}

/**
 * Free space on the filesystem that holds the store file, against a floor. A heartbeat write can
 * succeed on a full disk (SQLite reuses space its WAL already has), so free space is what tells
 * a full disk early. Readings are kept for `maxAgeMs`: submissions ask on every request.
 */
export class DiskSpaceProbe {
  private last?: { at: number; reading: DiskSpaceReading };

  constructor(
    private readonly filePath: string,
    private readonly minFreeBytes: number,
    private readonly maxAgeMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The last reading if recent enough, else a new one; `fresh` always measures. */
  read(fresh = false): DiskSpaceReading {
    const now = this.now();
    if (!fresh && this.last && now - this.last.at < this.maxAgeMs) return this.last.reading;
    const reading = this.measure();
    this.last = { at: now, reading };
    return reading;
  }

  private measure(): DiskSpaceReading {
    const floor = { min_free_bytes: this.minFreeBytes };
    let free: number;
    try {
      // bavail: what an unprivileged process may still use (root's reserve excluded)
      const stats = statfsSync(dirname(this.filePath));
      free = stats.bavail * stats.bsize;
    } catch (err) {
      return {
        ok: false,
        free_bytes: 0,
        ...floor,
        reason: `cannot read free space: ${(err as Error).message}`,
      };
    }
    if (free >= this.minFreeBytes) return { ok: true, free_bytes: free, ...floor };
    return {
      ok: false,
      free_bytes: free,
      ...floor,
      reason: `${(free / MiB).toFixed(1)} MiB free on the store's filesystem, below storage.min_free_space_mb (${this.minFreeBytes / MiB})`,
    };
  }
}
