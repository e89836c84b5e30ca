import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Zombies are dead already: they only wait to be reaped. */
  zombie: boolean;
}

/** Every process of the machine that this user may see (Linux /proc); empty elsewhere. */
export function listProcesses(): ProcessInfo[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcessInfo[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({
        pid: Number(name),
        ppid: Number(fields[1]),
        pgid: Number(fields[2]),
        zombie: fields[0] === 'Z',
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

/** Live processes below `root` (children, grandchildren …) or in process group `root`. */
export function processFamily(root: number, processes = listProcesses()): number[] {
  const children = new Map<number, number[]>();
  for (const p of processes) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const found = new Set<number>();
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop()!;
    for (const child of children.get(pid) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        queue.push(child);
      }
    }
  }
  for (const p of processes) if (p.pgid === root && p.pid !== root) found.add(p.pid);
  const zombies = new Set(processes.filter((p) => p.zombie).map((p) => p.pid));
  return [...found].filter((pid) => !zombies.has(pid));
}

/** Processes whose environment carries `marker` (NAME=value), i.e. started by one command even if they left its group. */
export function processesWithMarker(marker: string, processes = listProcesses()): number[] {
  const needle = Buffer.from(`\0${marker}\0`);
  const found: number[] = [];
  for (const p of processes) {
    if (p.zombie) continue;
    try {
      const env = Buffer.concat([
        Buffer.from([0]),
        readFileSync(`/proc/${p.pid}/environ`),
        Buffer.from([0]),
      ]);
      if (env.includes(needle)) found.push(p.pid);
    } catch {
      // Not ours to read, or gone.
    }
  }
  return found;
}

/** Sends `signal` and ignores processes that are already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone; EPERM: not ours.
  }
}
