import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signalProcess } from './process-tree';

/** A kernel-enforced process limit for one command (a cgroup with the pids controller). */
export interface PidsCgroup {
  /** Writing a pid here moves that process (and its future children) into the group. */
  readonly procsFile: string;
  /** A fork failed because the limit was reached. */
  exceeded(): boolean;
  /** SIGKILLs every member; returns how many there were. */
  killAll(): number;
  /** Kills what is left and removes the group. */
  remove(): void;
}

/**
 * Process limits the kernel enforces even for root (RLIMIT_NPROC does not bind root, and a
 * watchdog in the service loses the race against a fork bomb on a busy machine). Uses the pids
 * controller of cgroup v1 or a delegated cgroup v2 when the service may create groups;
 * otherwise `create` returns undefined and the runner falls back to rlimits and its watchdog.
 */
@Injectable()
export class PidsCgroups implements OnModuleDestroy {
  private readonly logger = new Logger(PidsCgroups.name);
  private root: string | null | undefined;

  /** A fresh group limited to `maxProcesses`, or undefined where cgroups cannot be used. */
  create(maxProcesses: number): PidsCgroup | undefined {
    const root = this.ownRoot();
    if (!root) return undefined;
    const dir = join(root, `cmd-${randomUUID()}`);
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pids.max'), String(maxProcesses));
    } catch {
      return undefined;
    }
    const read = (f: string) => {
      try {
        return readFileSync(join(dir, f), 'utf8');
      } catch {
        return '';
      }
    };
    const killAll = () => {
      const pids = read('cgroup.procs').split('\n').filter(Boolean).map(Number);
      for (const pid of pids) signalProcess(pid, 'SIGKILL');
      return pids.length;
    };
    return {
      procsFile: join(dir, 'cgroup.procs'),
      exceeded: () => /^max [1-9]/m.test(read('pids.events')),
      killAll,
      remove: () => {
        for (let i = 0; i < 20 && killAll() > 0; i++)
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        try {
          rmdirSync(dir);
        } catch {
          // Still busy: the kernel frees it when its last zombie is reaped.
        }
      },
    };
  }

  /** Whether commands get a kernel-enforced process limit here. */
  available(): boolean {
    return !!this.ownRoot();
  }

  onModuleDestroy(): void {
    if (this.root) {
      try {
        rmdirSync(this.root);
      } catch {
        // Busy or gone.
      }
    }
  }

  private ownRoot(): string | null {
    if (this.root !== undefined) return this.root;
    this.root = detectRoot();
    if (this.root) this.logger.log(`process limits enforced with cgroup ${this.root}`);
    return this.root;
  }
}

/** Creates this service's parent group: cgroup v1 pids hierarchy, else a v2 group with pids delegated. */
function detectRoot(): string | null {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  } catch {
    return null;
  }
  const name = `agent-runner-${process.pid}`;
  const v1 = lines
    .map((l) => l.split(':'))
    .find((f) => f.length >= 3 && f[1].split(',').includes('pids'));
  if (v1 && existsSync('/sys/fs/cgroup/pids')) {
    const dir = join('/sys/fs/cgroup/pids', v1[2], name);
    try {
      if (!existsSync(dir)) mkdirSync(dir);
      return dir;
    } catch {
      return null;
    }
  }
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2 && existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    const parent = join('/sys/fs/cgroup', v2.slice(3));
    const dir = join(parent, name);
    try {
      if (
        !readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('pids')
      )
        return null;
      if (!existsSync(dir)) mkdirSync(dir);
      writeFileSync(join(dir, 'cgroup.subtree_control'), '+pids');
      return dir;
    } catch {
      return null;
    }
  }
  return null;
}
