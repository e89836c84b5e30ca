import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppConfigService } from '../../config/app-config.service';
import type { SandboxMode } from '../../config/config.schema';
import { bwrapArguments } from './bwrap-arguments';

const run = promisify(execFile);

/** The OS sandbox in effect, for /health/ready and /api/v1/status. */
export interface SandboxStatus {
  /** What commands run in now. */
  mode: 'bwrap' | 'none';
  /** `execution.sandbox` as configured. */
  requested: SandboxMode;
  bwrap_available: boolean;
  /** Why bubblewrap is not used, or why commands are refused. */
  reason?: string;
  /** False when `execution.sandbox` is `bwrap` but bubblewrap does not work: every command is refused. */
  commands_allowed: boolean;
}

/** Host programs the runner needs. */
export interface HostPrograms {
  bash?: string;
  bwrap?: string;
  prlimit?: string;
}

const SEARCH_DIRS = ['/usr/bin', '/bin', '/usr/local/bin', '/usr/sbin', '/sbin'];

/**
 * Finds bash, prlimit and bubblewrap and checks once, at start-up, that bubblewrap really works
 * here (user namespaces may be off). `onModuleInit` runs the probe; with `execution.sandbox =
 * bwrap` and no working bubblewrap it throws, which stops start-up.
 */
@Injectable()
export class SandboxProbe implements OnModuleInit {
  private readonly logger = new Logger(SandboxProbe.name);
  private probing?: Promise<void>;
  private available = false;
  private failure = 'not probed yet';
  private sizeOption = false;
  private programs: HostPrograms = {};

  constructor(private readonly config: AppConfigService) {}

  async onModuleInit(): Promise<void> {
    await this.probe();
  }

  /** Probes once (later calls wait for the same result); throws when bwrap is required and missing. */
  async probe(): Promise<SandboxStatus> {
    this.probing ??= this.detect();
    await this.probing;
    const status = this.status();
    if (status.requested === 'bwrap' && !status.bwrap_available) {
      throw new Error(
        `execution.sandbox is "bwrap" but bubblewrap does not work here: ${this.failure}`,
      );
    }
    if (status.requested === 'auto' && !status.bwrap_available) {
      this.logger.warn(
        `SANDBOX OFF: bubblewrap does not work here (${this.failure}); commands run WITHOUT OS isolation. ` +
          'Install bubblewrap (apt-get install bubblewrap) or set execution.sandbox = "none" to silence this.',
      );
    } else if (status.requested === 'none' && this.config.get('tools').enable_command_execution) {
      this.logger.warn(
        'execution.sandbox = "none": commands can read and write whatever the service user can.',
      );
    } else {
      // The normal case: the service's start-up line already says "sandbox bwrap".
      this.logger.debug(`commands run inside bubblewrap (${this.programs.bwrap})`);
    }
    return status;
  }

  /** The sandbox in effect under the current (live) configuration. */
  status(): SandboxStatus {
    const requested = this.config.get('execution').sandbox;
    if (requested === 'none')
      return {
        mode: 'none',
        requested,
        bwrap_available: this.available,
        reason: 'execution.sandbox is none',
        commands_allowed: true,
      };
    if (this.available)
      return { mode: 'bwrap', requested, bwrap_available: true, commands_allowed: true };
    if (requested === 'bwrap') {
      return {
        mode: 'none',
        requested,
        bwrap_available: false,
        reason: `bubblewrap required but unusable: ${this.failure}`,
        commands_allowed: false,
      };
    }
    return {
      mode: 'none',
      requested,
      bwrap_available: false,
      reason: this.failure,
      commands_allowed: true,
    };
  }

  host(): HostPrograms {
    return this.programs;
  }

  /** bubblewrap accepts `--size` for its tmpfs (0.8+). */
  get tmpfsSizeSupported(): boolean {
    return this.sizeOption;
  }

  private async detect(): Promise<void> {
    this.programs = {
      bash: findProgram('bash'),
      prlimit: findProgram('prlimit'),
      bwrap: findProgram('bwrap'),
    };
    if (!this.programs.bwrap) {
      this.failure = 'bwrap is not installed';
      return;
    }
    const dir = await mkdtemp(join(tmpdir(), 'agent-runner-probe-'));
    try {
      const help = await run(this.programs.bwrap, ['--help'], { timeout: 5000 }).catch(
        (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
      );
      this.sizeOption = String(help.stdout).includes('--size');
      const args = bwrapArguments({
        writable: [dir],
        cwd: dir,
        hidden: [],
        network: false,
        tmpfsBytes: 0,
      });
      const { stdout } = await run(
        this.programs.bwrap,
        [...args, '/bin/bash', '--noprofile', '--norc', '-c', 'echo ok > probe && cat probe'],
        {
          timeout: 10_000,
          env: { PATH: '/usr/bin:/bin' },
        },
      );
      if (stdout.trim() === 'ok') {
        this.available = true;
        this.failure = '';
      } else {
        this.failure = `unexpected probe output ${JSON.stringify(stdout.slice(0, 100))}`;
      }
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      this.failure = (err.stderr?.trim() || err.message).split('\n')[0].slice(0, 300);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function findProgram(name: string): string | undefined {
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
