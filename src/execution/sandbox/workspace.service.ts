import { Injectable, Logger } from '@nestjs/common';
import { existsSync, lchownSync, lstatSync, mkdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { AppConfigService } from '../../config/app-config.service';
import { InvalidRequestError } from '../../common/errors';
import type { HostAccount } from '../process/command-user';
import { PathSandbox } from './path-sandbox';
import { SandboxProbe } from './sandbox-probe.service';

/** How long resolved roots and hidden paths are kept for one configuration. */
const RESOLVED_PATHS_TTL_MS = 1000;

/**
 * A value worked out from the configuration, kept for {@link RESOLVED_PATHS_TTL_MS} while the
 * configuration sections it depends on are the same objects (a live update replaces them).
 */
class KeptPerConfig<T> {
  private kept?: { at: number; sections: readonly object[]; value: T };

  constructor(private readonly compute: () => T) {}

  get(sections: readonly object[]): T {
    const now = Date.now();
    const kept = this.kept;
    if (
      kept &&
      now - kept.at < RESOLVED_PATHS_TTL_MS &&
      kept.sections.every((section, i) => section === sections[i])
    )
      return kept.value;
    const value = this.compute();
    this.kept = { at: now, sections, value };
    return value;
  }
}

/**
 * Where tasks may work: the configured root (`tools.working_directory`), the allowed folders
 * inside it (`tools.allowed_paths`), a task's own working directory and narrowing. Also knows
 * the service's own secrets that no task may see, wherever the roots are.
 */
@Injectable()
export class WorkspaceService {
  private readonly logger = new Logger(WorkspaceService.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly probe: SandboxProbe,
  ) {}

  /** Real path of `tools.working_directory`, created when missing. */
  base(): string {
    return this.resolvedRoots().base;
  }

  /** Real paths of `tools.working_directory` ∩ `tools.allowed_paths` (missing or escaping entries are skipped). */
  configRoots(): string[] {
    return this.resolvedRoots().roots;
  }

  /**
   * `base()` and `configRoots()` cost a realpath per root and were worked out two or three times
   * for every submitted task, so they are kept for one second per configuration, like
   * `hiddenPaths()`. A root that is replaced (say by a symlink) in that second keeps its old real
   * path, which is the narrower answer: every path a tool uses is still resolved on its own.
   */
  private resolvedRoots(): { base: string; roots: string[] } {
    return this.rootsCache.get([this.config.get('tools')]);
  }

  private readonly rootsCache = new KeptPerConfig(() => {
    const base = this.resolveBase();
    return { base, roots: this.resolveConfigRoots(base) };
  });

  private resolveBase(): string {
    const configured = resolve(this.config.get('tools').working_directory);
    if (!existsSync(configured)) {
      makeFolders(configured, this.probe.commandAccount());
      this.logger.log(`created the tools working directory ${configured}`);
    }
    return realpathSync(configured);
  }

  private resolveConfigRoots(base: string): string[] {
    const roots: string[] = [];
    for (const entry of this.config.get('tools').allowed_paths) {
      const real = tryRealpath(resolve(base, entry));
      if (real && within(real, [base])) roots.push(real);
      else
        this.logger.warn(
          `tools.allowed_paths entry ${JSON.stringify(entry)} is missing or outside tools.working_directory; ignored`,
        );
    }
    return [...new Set(roots)];
  }

  /**
   * `context.working_directory` (docs/api.md, `POST /api/v1/tasks`): relative to
   * `tools.working_directory`, or absolute inside an allowed root. Created when missing (its parent
   * chain must already be inside a root). Throws InvalidRequestError otherwise.
   */
  resolveTaskWorkingDirectory(requested?: string): string {
    const roots = this.configRoots();
    if (!roots.length)
      throw new InvalidRequestError(
        'No tools.allowed_paths folder exists; tasks have nowhere to work.',
      );
    const base = this.base();
    if (requested === undefined || requested === '' || requested === '.') {
      if (within(base, roots)) return base;
      return roots[0];
    }
    if (requested.includes('\0'))
      throw new InvalidRequestError('context.working_directory contains a NUL character.');
    const target = resolve(base, requested);
    const real = realOrPlanned(target);
    if (!real || !within(real, roots) || within(real, this.hiddenPaths())) {
      throw new InvalidRequestError(
        `context.working_directory ${JSON.stringify(requested)} is outside the allowed folders (tools.working_directory / tools.allowed_paths).`,
      );
    }
    if (!existsSync(real)) makeFolders(real, this.probe.commandAccount());
    const created = realpathSync(real);
    if (!within(created, roots) || !lstatSync(created).isDirectory()) {
      throw new InvalidRequestError(
        `context.working_directory ${JSON.stringify(requested)} is not a folder inside the allowed folders.`,
      );
    }
    return created;
  }

  /**
   * The roots of one task: its `constraints.allowed_paths` (relative to its working directory),
   * each inside a configured root, or the configured roots. Throws InvalidRequestError.
   */
  taskRoots(workingDirectory: string, allowedPaths?: string[]): string[] {
    const roots = this.configRoots();
    if (!allowedPaths || !allowedPaths.length) return roots;
    return allowedPaths.map((entry) => {
      const real = entry.includes('\0')
        ? undefined
        : realOrPlanned(resolve(workingDirectory, entry));
      if (!real || !within(real, roots)) {
        throw new InvalidRequestError(
          `constraints.allowed_paths entry ${JSON.stringify(entry)} is outside tools.allowed_paths; it may only narrow them.`,
        );
      }
      return real;
    });
  }

  /** A path sandbox for one task. Throws InvalidRequestError for a bad narrowing. */
  sandboxFor(workingDirectory: string, allowedPaths?: string[]): PathSandbox {
    return new PathSandbox({
      roots: this.taskRoots(workingDirectory, allowedPaths),
      cwd: workingDirectory,
      protectedPaths: this.config.get('tools').protected_paths,
      hiddenPaths: this.hiddenPaths(),
      owner: this.probe.commandAccount(),
    });
  }

  /**
   * The service's own secrets, hidden from tools: its config file, `.env` beside it and in the
   * service's folder, the storage folder and the service user's home (when not the workspace
   * itself). Resolving them costs a dozen realpath calls, so the list is kept for one second per
   * configuration: a secret file created after that still becomes hidden within a second.
   */
  hiddenPaths(): string[] {
    return this.hiddenCache.get([this.config.get('tools'), this.config.get('storage')]);
  }

  private readonly hiddenCache = new KeptPerConfig(() => this.resolveHiddenPaths());

  private resolveHiddenPaths(): string[] {
    const storage = resolve(this.config.get('storage').path);
    const candidates = [
      resolve('.env'),
      dirname(storage),
      ...['', '-wal', '-shm', '-journal'].map((suffix) => storage + suffix),
    ];
    const file = this.config.file;
    if (file) candidates.push(resolve(file), join(dirname(resolve(file)), '.env'));
    const base = this.base();
    const home = tryRealpath(homedir());
    if (home && within(home, [base])) candidates.push(...HOME_SECRETS.map((d) => join(home, d)));
    else if (home) candidates.push(home);
    const hidden = candidates.map(tryRealpath).filter((p): p is string => !!p);
    // A folder that holds the workspace cannot be hidden from it; its secret files still are.
    return [...new Set(hidden)].filter((p) => !within(base, [p]));
  }
}

/** Credential folders and files of a home directory that tasks never see. */
const HOME_SECRETS = [
  '.ssh',
  '.aws',
  '.config',
  '.npmrc',
  '.netrc',
  '.gnupg',
  '.docker',
  '.kube',
  '.env',
];

/** mkdir -p that gives each folder it creates to `owner` (the user commands run as), if any. */
function makeFolders(target: string, owner: HostAccount | undefined): void {
  const missing: string[] = [];
  for (let p = target; !existsSyncNoFollow(p); p = dirname(p)) {
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const dir of missing) {
    mkdirSync(dir);
    if (owner) lchownSync(dir, owner.uid, owner.gid);
  }
}

function tryRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}

/** Real path of `p`, or of its deepest existing ancestor plus the missing tail. */
function realOrPlanned(p: string): string | undefined {
  const rest: string[] = [];
  let probe = p;
  for (;;) {
    const real = tryRealpath(probe);
    if (real) return rest.length ? join(real, ...rest) : real;
    if (existsSyncNoFollow(probe)) return undefined;
    const parent = dirname(probe);
    if (parent === probe) return undefined;
    rest.unshift(basename(probe));
    probe = parent;
  }
}

function existsSyncNoFollow(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** `p` equals or lies below one of `roots`. */
export function within(p: string, roots: string[]): boolean {
  return roots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : r + sep));
}
