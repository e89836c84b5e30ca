import { randomBytes } from 'node:crypto';
import { constants, lstatSync, realpathSync, type Stats } from 'node:fs';
import {
  lchown,
  lstat,
  mkdir,
  open,
  readlink,
  rename,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ToolDeniedError, ToolInputError } from '../execution.errors';
import { countLinkNames, hardLinkRefusal, linkKey, type LinkedFile } from './hard-links';

/** The folders one task may touch, and what inside them stays off limits. */
export interface PathSandboxOptions {
  /** Real paths of the allowed roots. */
  roots: string[];
  /** Real path relative paths start from (the task's working directory). */
  cwd: string;
  /** `tools.protected_paths`: never written (names match at any depth, paths from a root). */
  protectedPaths: string[];
  /** Real paths of the service's own secrets (config file, .env, data): never read or written. */
  hiddenPaths: string[];
  /**
   * Owner of the files and folders the tools create (the user commands run as, when the service
   * is root), so commands can change them. A replaced file keeps its old owner.
   */
  owner?: { uid: number; gid: number };
}

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

/** A path that passed the checks. */
export interface ResolvedPath {
  /** Normalised absolute path, used for every file-system call. */
  readonly absolute: string;
  /** Real path (symbolic links resolved; missing tail appended). */
  readonly real: string;
  readonly exists: boolean;
  /** Type of the final component, not following a final link. */
  readonly type?: EntryType;
  /** Path as the model should see it (relative to the working directory). */
  readonly display: string;
}

const MAX_PATH_LENGTH = 4096;

/**
 * Confines file access to a task's allowed roots. Every path is checked lexically, then by its
 * real path (the deepest existing ancestor resolved too), then again on the opened descriptor
 * (through /proc/self/fd) so a link swapped in between cannot redirect a read or a write.
 */
export class PathSandbox {
  /** Names found per hard-linked file (`dev:ino`), from one walk of the roots; see linksInside. */
  private linkNames?: Promise<Map<string, number> | undefined>;

  constructor(private readonly options: PathSandboxOptions) {}

  get cwd(): string {
    return this.options.cwd;
  }

  get roots(): readonly string[] {
    return this.options.roots;
  }

  get hiddenPaths(): readonly string[] {
    return this.options.hiddenPaths;
  }

  /** Checks a path the model gave; throws ToolDeniedError / ToolInputError. */
  async resolve(input: string, intent: 'read' | 'write'): Promise<ResolvedPath> {
    if (typeof input !== 'string' || !input.length)
      throw new ToolInputError('path must be a non-empty string');
    if (input.includes('\0')) throw new ToolDeniedError('path contains a NUL character');
    if (input.length > MAX_PATH_LENGTH)
      throw new ToolInputError(`path is longer than ${MAX_PATH_LENGTH} characters`);
    const absolute = resolve(this.options.cwd, input);
    if (!this.inside(absolute)) throw this.outside(input);

    // Synchronous lstat and realpath: a few microseconds each on a local disk, where their
    // promise versions cost more CPU in the thread-pool round trip than in the system call
    // (docs/performance.md). Opening, reading and writing stay asynchronous.
    const { existing, rest, stats } = deepestExisting(absolute);
    let realExisting: string;
    try {
      realExisting = realpathSync.native(existing);
    } catch {
      throw new ToolDeniedError(
        `${JSON.stringify(input)} goes through a symbolic link that points nowhere`,
      );
    }
    if (rest.length && stats && !stats.isDirectory() && !stats.isSymbolicLink()) {
      throw new ToolInputError(`${JSON.stringify(this.display(existing))} is not a folder`);
    }
    const real = join(realExisting, ...rest);
    if (!this.inside(real)) throw this.outside(input, true);
    if (this.hidden(real) || this.hidden(absolute))
      throw new ToolDeniedError(`${JSON.stringify(input)} is not accessible to tasks`);

    const exists = rest.length === 0;
    const type = exists && stats ? entryType(stats) : undefined;
    if (intent === 'write') {
      const p = this.protectedBy(absolute) ?? this.protectedBy(real);
      if (p)
        throw new ToolDeniedError(
          `${JSON.stringify(input)} is a protected path (${p}) and is never written`,
        );
      if (type === 'symlink')
        throw new ToolDeniedError(
          `${JSON.stringify(input)} is a symbolic link; writes never follow links`,
        );
    }
    return { absolute, real, exists, type, display: this.display(absolute) };
  }

  /** Opens an existing regular file for reading and proves the descriptor is inside the roots. */
  async openForRead(path: ResolvedPath): Promise<{ handle: FileHandle; size: number }> {
    if (!path.exists) throw new ToolInputError(`${JSON.stringify(path.display)} does not exist`);
    const handle = await open(path.absolute, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      await this.verifyDescriptor(handle, path.display);
      const st = await handle.stat();
      if (st.isDirectory())
        throw new ToolInputError(`${JSON.stringify(path.display)} is a folder; use list_files`);
      if (!st.isFile())
        throw new ToolDeniedError(`${JSON.stringify(path.display)} is not a regular file`);
      if (st.nlink > 1 && !(await this.linksInside([st])).has(linkKey(st)))
        throw new ToolDeniedError(hardLinkRefusal(path.display, st.nlink));
      return { handle, size: st.size };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Reads up to `maxBytes` of a file. */
  async readFile(
    path: ResolvedPath,
    maxBytes: number,
  ): Promise<{ data: Buffer; size: number; truncated: boolean }> {
    const { handle, size } = await this.openForRead(path);
    try {
      const length = Math.min(size, maxBytes);
      const data = Buffer.alloc(length);
      let read = 0;
      while (read < length) {
        const { bytesRead } = await handle.read(data, read, length - read, read);
        if (!bytesRead) break;
        read += bytesRead;
      }
      return { data: data.subarray(0, read), size, truncated: size > maxBytes };
    } finally {
      await handle.close();
    }
  }

  /**
   * Writes a whole file atomically: a new temporary file beside the target (never following a
   * link), checked through its descriptor, then renamed over the target.
   */
  async writeFile(path: ResolvedPath, data: Buffer): Promise<{ created: boolean }> {
    const parent = await this.ensureFolder(dirname(path.absolute));
    const target = join(parent, basename(path.absolute));
    const before = await lstat(target).catch(() => undefined);
    if (before?.isSymbolicLink())
      throw new ToolDeniedError(
        `${JSON.stringify(path.display)} is a symbolic link; writes never follow links`,
      );
    if (before && !before.isFile())
      throw new ToolInputError(`${JSON.stringify(path.display)} is not a regular file`);
    const tmp = join(parent, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const handle = await open(tmp, flags, before ? before.mode & 0o7777 : 0o644);
    // Where the file really is (a folder on the way may have been swapped for a link since it
    // was checked): that is the file to remove when anything below fails.
    const placed = (await descriptorPath(handle)) ?? tmp;
    try {
      this.assertReachable(placed, path.display);
      const owner = before ?? this.options.owner;
      if (owner && IS_ROOT) await handle.chown(owner.uid, owner.gid);
      await handle.writeFile(data);
      await handle.sync();
    } catch (e) {
      await handle.close();
      await unlink(placed).catch(() => undefined);
      throw e;
    }
    await handle.close();
    try {
      await rename(tmp, target);
    } catch (e) {
      await unlink(placed).catch(() => undefined);
      throw e;
    }
    return { created: !before };
  }

  /**
   * Which of these hard-linked files have all their names inside the roots (none among the
   * service's hidden files); returns their {@link linkKey}s. A file with a second name outside
   * would let a task read it through the name inside: such files are refused. Finding the other
   * names means walking the roots once per tool call (links not followed), bounded by
   * MAX_LINK_SCAN entries; when the walk is cut short nothing counts as inside.
   */
  async linksInside(files: LinkedFile[]): Promise<Set<string>> {
    this.linkNames ??= countLinkNames(this.options.roots, (p) => this.hidden(p));
    const names = await this.linkNames;
    return new Set(
      files.filter((f) => names && (names.get(linkKey(f)) ?? 0) >= f.nlink).map((f) => linkKey(f)),
    );
  }

  /** Checks that a folder (found by lstat, never created through links) is inside the roots. */
  async checkFolder(absolute: string): Promise<string> {
    // Synchronous like resolve(): called for every folder a listing or search walks.
    const real = realpathSync.native(absolute);
    if (!this.inside(real) || this.hidden(real)) throw this.outside(this.display(absolute), true);
    return real;
  }

  /** Path relative to the working directory, for the model. */
  display(absolute: string): string {
    const rel = relative(this.options.cwd, absolute);
    return rel === '' ? '.' : rel;
  }

  inside(p: string): boolean {
    return this.options.roots.some(
      (root) => p === root || p.startsWith(root.endsWith(sep) ? root : root + sep),
    );
  }

  hidden(p: string): boolean {
    return this.options.hiddenPaths.some((h) => p === h || p.startsWith(h + sep));
  }

  /** Creates missing folders one at a time, refusing any link met on the way. */
  private async ensureFolder(absolute: string): Promise<string> {
    const { existing, rest } = deepestExisting(absolute);
    let current = await this.checkFolder(existing);
    for (const part of rest) {
      const next = join(current, part);
      let made = false;
      try {
        await mkdir(next);
        made = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const st = await lstat(next);
      if (!st.isDirectory())
        throw new ToolDeniedError(`${JSON.stringify(this.display(next))} is not a plain folder`);
      current = await this.checkFolder(next);
      const owner = this.options.owner;
      if (made && owner && IS_ROOT) await lchown(current, owner.uid, owner.gid);
    }
    return current;
  }

  /** The descriptor's real location (Linux /proc) must be inside the roots; returns it. */
  private async verifyDescriptor(handle: FileHandle, display: string): Promise<string> {
    const actual = await descriptorPath(handle);
    if (actual === undefined) return '';
    this.assertReachable(actual, display);
    return actual;
  }

  private assertReachable(actual: string, display: string): void {
    if (!this.inside(actual) || this.hidden(actual)) {
      throw new ToolDeniedError(
        `${JSON.stringify(display)} moved outside the allowed folders while it was opened`,
      );
    }
  }

  private protectedBy(p: string): string | undefined {
    const bases = [this.options.cwd, ...this.options.roots];
    for (const entry of this.options.protectedPaths) {
      const clean = entry.replace(/^\.\/+/, '').replace(/\/+$/, '');
      if (!clean) continue;
      if (isAbsolute(clean)) {
        if (p === clean || p.startsWith(clean + sep)) return entry;
        continue;
      }
      for (const base of bases) {
        const rel = relative(base, p);
        if (rel.startsWith('..') || isAbsolute(rel)) continue;
        if (!clean.includes('/')) {
          if (rel.split(sep).includes(clean)) return entry;
        } else if (rel === clean || rel.startsWith(clean + sep)) return entry;
      }
    }
    return undefined;
  }

  private outside(input: string, viaLink = false): ToolDeniedError {
    const how = viaLink ? ' (through a symbolic link)' : '';
    return new ToolDeniedError(
      `${JSON.stringify(input)} is outside the folders this task may use${how}`,
    );
  }
}

const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/** Where an open descriptor really points (Linux /proc), or undefined where /proc is missing. */
async function descriptorPath(handle: FileHandle): Promise<string | undefined> {
  try {
    return await readlink(`/proc/self/fd/${handle.fd}`);
  } catch {
    return undefined;
  }
}

/** Walks up from `absolute` to the first component that exists (lstat: links are not followed). */
function deepestExisting(absolute: string): { existing: string; rest: string[]; stats?: Stats } {
  const rest: string[] = [];
  let probe = absolute;
  for (;;) {
    try {
      const stats = lstatSync(probe);
      return { existing: probe, rest, stats };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      const parent = dirname(probe);
      if (parent === probe) return { existing: probe, rest };
      rest.unshift(basename(probe));
      probe = parent;
    }
  }
}

export function entryType(st: Stats): EntryType {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  return 'other';
}
