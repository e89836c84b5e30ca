import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** Host programs the command runner uses, found once at start-up (absolute paths). */
export interface HostPrograms {
  bash?: string;
  bwrap?: string;
  prlimit?: string;
  /** util-linux setpriv: drops to `execution.run_as_user`. */
  setpriv?: string;
  /** The user-mode network stack of sandboxed commands with `execution.network = true`. */
  slirp4netns?: string;
}

const SEARCH_DIRS = ['/usr/bin', '/bin', '/usr/local/bin', '/usr/sbin', '/sbin'];

/** Looks for each program in the system folders (never the service's PATH, which a user may set). */
export function findHostPrograms(): HostPrograms {
  return {
    bash: findProgram('bash'),
    bwrap: findProgram('bwrap'),
    prlimit: findProgram('prlimit'),
    setpriv: findProgram('setpriv'),
    slirp4netns: findProgram('slirp4netns'),
  };
}

export function findProgram(name: string): string | undefined {
  for (const dir of SEARCH_DIRS) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // Not here.
    }
  }
  return undefined;
}
