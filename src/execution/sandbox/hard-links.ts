import { lstat, readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Entries looked at to find a hard-linked file's other names before giving up (and refusing). */
const MAX_LINK_SCAN = 200_000;

/** A file with its link count, as fstat/lstat give it. */
export interface LinkedFile {
  dev: number;
  ino: number;
  nlink: number;
}

/** Identifies a file across its names: `dev:ino`. */
export function linkKey(st: { dev: number; ino: number }): string {
  return `${st.dev}:${st.ino}`;
}

export function hardLinkRefusal(display: string, nlink: number): string {
  return (
    `${JSON.stringify(display)} has ${nlink} hard links and not all of them are inside the folders ` +
    'this task may use; a hard link could expose a file from outside, so it is not read'
  );
}

/** `dev:ino` → names found under the roots, for files with more than one name; undefined past the bound. */
export async function countLinkNames(
  roots: readonly string[],
  hidden: (p: string) => boolean,
): Promise<Map<string, number> | undefined> {
  const names = new Map<string, number>();
  const seen = new Set<string>();
  const queue = roots.filter((r, i) => !roots.some((o, j) => j !== i && r.startsWith(o + sep)));
  let visited = 0;
  while (queue.length) {
    const dir = queue.pop()!;
    if (seen.has(dir) || hidden(dir)) continue;
    seen.add(dir);
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const name of entries) {
      if (++visited > MAX_LINK_SCAN) return undefined;
      const p = join(dir, name);
      if (hidden(p)) continue;
      const st = await lstat(p).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) queue.push(p);
      else if (st.isFile() && st.nlink > 1) {
        const key = linkKey(st);
        names.set(key, (names.get(key) ?? 0) + 1);
      }
    }
  }
  return names;
}
