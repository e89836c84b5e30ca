import { Injectable, Logger } from '@nestjs/common';
import { statSync } from 'node:fs';
import { lchown, lstat, readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { packageRoot } from '../../common/package-info';
import type { HostAccount } from '../process/command-user';

/** What the service runs (when a workspace holds its installation): never handed to commands. */
const SERVICE_CODE = ['dist', 'node_modules', 'prompts', 'package.json'];

/**
 * Makes the task folders usable by the unprivileged user commands run as (when the service is
 * root): the tree of each root is handed to that user once per process (lchown, links not
 * followed, other file systems, the service's hidden files and its own code left alone), and
 * files the tools create later get that owner from the path sandbox.
 */
@Injectable()
export class WorkspaceOwnership {
  private readonly logger = new Logger(WorkspaceOwnership.name);
  private readonly handedOver = new Map<string, Promise<void>>();
  /** Never handed over: the service's own code, should a workspace hold its installation. */
  protected readonly serviceCode = new Set(SERVICE_CODE.map((p) => join(packageRoot(), p)));

  /** Hands every root to `account` (each root once per process and account). */
  async handOver(
    roots: readonly string[],
    hidden: (p: string) => boolean,
    account: HostAccount,
  ): Promise<void> {
    await Promise.all(
      roots.map((root) => {
        const key = `${account.uid}:${account.gid}:${root}`;
        let done = this.handedOver.get(key);
        if (!done) {
          done = this.chownTree(root, hidden, account);
          this.handedOver.set(key, done);
          done.catch(() => this.handedOver.delete(key));
        }
        return done;
      }),
    );
  }

  private async chownTree(
    root: string,
    hidden: (p: string) => boolean,
    account: HostAccount,
  ): Promise<void> {
    const started = Date.now();
    const device = (await lstat(root)).dev;
    let changed = 0;
    const queue = [root];
    while (queue.length) {
      const p = queue.pop()!;
      if (hidden(p) || this.serviceCode.has(p)) continue;
      const st = await lstat(p).catch(() => undefined);
      if (!st || st.dev !== device || st.isSymbolicLink()) continue;
      if (st.uid !== account.uid || st.gid !== account.gid) {
        await lchown(p, account.uid, account.gid);
        changed++;
      }
      if (st.isDirectory())
        for (const name of await readdir(p).catch(() => [] as string[])) queue.push(join(p, name));
    }
    if (changed)
      this.logger.log(
        `handed ${changed} entries of ${root} to uid ${account.uid} (commands run as that user) in ${Date.now() - started} ms`,
      );
  }
}

/** Top-level folders of the system or shared by everyone (a dedicated `/workspace` is neither). */
const SYSTEM_FOLDERS = new Set(
  'bin boot dev etc home lib lib32 lib64 libx32 media mnt opt proc root run sbin srv sys tmp usr var'
    .split(' ')
    .map((f) => `/${f}`),
);

/**
 * A root that must never be handed to another user: `/`, a system or shared top-level folder
 * (`/etc`, `/home`, `/tmp`, `/srv` …) or the service user's home (from the user database, not
 * $HOME). Returns why, or undefined.
 */
export function unsafeToHandOver(root: string, home: string): string | undefined {
  if (root === sep || SYSTEM_FOLDERS.has(root))
    return `${root} is a system or shared top-level folder`;
  if (root === home) return `${root} is the home folder of the service's user`;
  return undefined;
}

/**
 * The first folder on the way to `dir` that `account` may not pass (no search permission for
 * it by the mode bits), or undefined. Unsandboxed commands run as that user on the real tree, so
 * every folder above the workspace must let it through.
 */
export function unreachableFolder(dir: string, account: HostAccount): string | undefined {
  const parts = dir.split(sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const folder = sep + parts.slice(0, i).join(sep);
    let mode: number, uid: number, gid: number;
    try {
      ({ mode, uid, gid } = statSync(folder));
    } catch {
      return folder;
    }
    const bit = uid === account.uid ? 0o100 : gid === account.gid ? 0o010 : 0o001;
    if (!(mode & bit)) return describeFolder(folder, mode, uid);
  }
  return undefined;
}

function describeFolder(folder: string, mode: number, uid: number): string {
  return `${folder} (mode ${(mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${uid})`;
}
