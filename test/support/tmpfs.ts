import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface Tmpfs {
  path: string;
  /** Writes a file until the filesystem is full; returns its path. */
  fill(): string;
  unmount(): void;
}

/**
 * Mounts a small tmpfs at a fresh folder under /tmp (CI runs as root). Returns the reason
 * instead when this machine cannot mount one, for the test to print and skip.
 */
export function mountTmpfs(sizeMiB: number): Tmpfs | { reason: string } {
  const path = mkdtempSync('/tmp/agent-runner-tmpfs-');
  const mount = spawnSync(
    'mount',
    ['-t', 'tmpfs', '-o', `size=${sizeMiB}m,mode=0700`, 'tmpfs', path],
    {
      encoding: 'utf8',
    },
  );
  if (mount.status !== 0) {
    rmdirSync(path);
    return {
      reason: `cannot mount a tmpfs (${(mount.stderr || mount.error?.message || '').trim()})`,
    };
  }
  return {
    path,
    fill() {
      const file = join(path, 'filler');
      const fd = openSync(file, 'w');
      const chunk = Buffer.alloc(64 * 1024);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
      return file;
    },
    unmount() {
      spawnSync('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}
