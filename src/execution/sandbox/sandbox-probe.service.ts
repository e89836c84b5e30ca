import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { execFile, spawn } from 'node:child_process';
import { chownSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppConfigService } from '../../config/app-config.service';
import type { AgentRunnerConfig, SandboxMode } from '../../config/config.schema';
import type { ConfigIssue } from '../../config/config.validation';
import {
  CommandUserResolver,
  CommandUserStatus,
  dropPrivilegesArgs,
  HostAccount,
} from '../process/command-user';
import { signalProcess } from '../process/process-tree';
import { bwrapArguments, bwrapPipes, BwrapSpec } from './bwrap-arguments';
import { BwrapHandshake, bwrapHandshake } from './bwrap-handshake';
import { findHostPrograms, HostPrograms } from './host-programs';
import { noUserNamespacesFilter } from './userns-seccomp';

const run = promisify(execFile);
const PROBE_TIMEOUT_MS = 10_000;

/** The network of sandboxed commands. */
export interface CommandNetworkStatus {
  /** `execution.network`, in effect only inside bubblewrap. */
  enabled: boolean;
  /** The user-mode stack that gives sandboxed commands their network. */
  stack: 'slirp4netns' | null;
  /** The stack is installed and worked in the start-up probe (or was not needed then). */
  available: boolean;
  reason?: string;
}

/** The OS sandbox and the other conditions commands run under, for /health/ready, /tools and /status. */
export interface SandboxStatus {
  /** What commands run in now. */
  mode: 'bwrap' | 'none';
  /** `execution.sandbox` as configured. */
  requested: SandboxMode;
  bwrap_available: boolean;
  /** Why bubblewrap is not used. */
  reason?: string;
  /** Whether run_command can run now; when false, `disabled_reason` says why. */
  commands_allowed: boolean;
  disabled_reason?: string;
  /** `execution.allow_unsandboxed_commands`. */
  unsandboxed_commands_allowed: boolean;
  network: CommandNetworkStatus;
  /** Who commands run as. */
  run_as: CommandUserStatus;
}

export type { HostPrograms } from './host-programs';

/**
 * Finds the host programs commands need and checks once, at start-up, that bubblewrap really
 * works here (user namespaces may be off), with the same arguments commands get, including the
 * privilege drop and, with `execution.network = true`, the slirp4netns network. `onModuleInit`
 * runs the probe; it throws (stopping start-up) when `execution.sandbox = "bwrap"` and bubblewrap
 * does not work, or when `execution.network = true` and the network stack does not.
 */
@Injectable()
export class SandboxProbe implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SandboxProbe.name);
  private probing?: Promise<void>;
  private available = false;
  private failure = 'not probed yet';
  private networkFailure?: string;
  private sizeOption = false;
  private programs: HostPrograms = {};
  private users = new CommandUserResolver(serviceUid(), undefined);
  private stopChecking?: () => void;
  private filter?: { value: Buffer | undefined };

  constructor(private readonly config: AppConfigService) {}

  async onModuleInit(): Promise<void> {
    await this.probe();
    this.stopChecking = this.config.addUpdateCheck((next) => this.updateProblems(next));
  }

  onModuleDestroy(): void {
    this.stopChecking?.();
  }

  /** Probes once (later calls wait for the same result); throws when a required part does not work. */
  async probe(): Promise<SandboxStatus> {
    this.probing ??= this.detect();
    await this.probing;
    const status = this.status();
    const { sandbox, network } = this.config.get('execution');
    if (status.requested === 'bwrap' && !status.bwrap_available) {
      throw new Error(
        `execution.sandbox is "bwrap" but bubblewrap does not work here: ${this.failure}`,
      );
    }
    if (status.mode === 'bwrap' && network && !status.network.available) {
      throw new Error(
        `execution.network is true but sandboxed commands cannot get a network here: ${status.network.reason}. ` +
          'Install slirp4netns (apt-get install slirp4netns) or set execution.network = false.',
      );
    }
    this.logStatus(status, sandbox);
    return status;
  }

  /** The sandbox in effect under the current (live) configuration. */
  status(): SandboxStatus {
    const execution = this.config.get('execution');
    const requested = execution.sandbox;
    const mode = requested !== 'none' && this.available ? 'bwrap' : 'none';
    const reason =
      requested === 'none'
        ? 'execution.sandbox is none'
        : this.available
          ? undefined
          : this.failure;
    const network = this.networkStatus(execution.network && mode === 'bwrap');
    const run_as = this.users.status(execution.run_as_user);
    let disabled: string | undefined;
    if (requested === 'bwrap' && !this.available)
      disabled = `bubblewrap required but unusable: ${this.failure}`;
    else if (mode === 'none' && !execution.allow_unsandboxed_commands)
      disabled =
        `run_command is disabled because commands would run without an OS sandbox (${reason}). ` +
        'Install bubblewrap (apt-get install bubblewrap), or set execution.allow_unsandboxed_commands = true to accept running them without it (see docs/security.md).';
    else if (!run_as.usable) disabled = `commands cannot run as a safe user: ${run_as.reason}`;
    else if (network.enabled && !network.available)
      disabled = `execution.network is true but the network stack does not work: ${network.reason}`;
    return {
      mode,
      requested,
      bwrap_available: this.available,
      ...(reason ? { reason } : {}),
      commands_allowed: !disabled,
      ...(disabled ? { disabled_reason: disabled } : {}),
      unsandboxed_commands_allowed: execution.allow_unsandboxed_commands,
      network,
      run_as,
    };
  }

  /** The readiness check: down only when bubblewrap is required and broken (then nothing may run). */
  readiness(): { ok: boolean; [detail: string]: unknown } {
    const status = this.status();
    return { ok: !(status.requested === 'bwrap' && !status.bwrap_available), ...status };
  }

  host(): HostPrograms {
    return this.programs;
  }

  /** bubblewrap accepts `--size` for its tmpfs (0.8+). */
  get tmpfsSizeSupported(): boolean {
    return this.sizeOption;
  }

  /** Live updates this host cannot honour are refused (PUT /api/v1/config answers 400). */
  private updateProblems(next: AgentRunnerConfig): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const sandboxed = next.execution.sandbox !== 'none' && this.available;
    if (next.execution.network && sandboxed && !this.programs.slirp4netns) {
      issues.push({
        path: 'execution.network',
        message: 'slirp4netns is not installed, so sandboxed commands cannot get a network here',
      });
    }
    return issues;
  }

  private networkStatus(enabled: boolean): CommandNetworkStatus {
    const stack = this.programs.slirp4netns ? 'slirp4netns' : null;
    const reason = !stack ? 'slirp4netns is not installed' : this.networkFailure;
    return {
      enabled,
      stack,
      available: !reason,
      ...(reason ? { reason } : {}),
    };
  }

  private logStatus(status: SandboxStatus, requested: SandboxMode): void {
    const commandsOn = this.config.get('tools').enable_command_execution;
    if (!commandsOn) return;
    if (!status.commands_allowed) {
      this.logger.warn(`RUN_COMMAND DISABLED: ${status.disabled_reason}`);
      return;
    }
    const user = status.run_as.applied
      ? `as ${status.run_as.user} (uid ${status.run_as.uid})`
      : `as the service user (${status.run_as.reason})`;
    if (status.mode === 'bwrap') {
      const net = status.network.enabled ? 'with a slirp4netns network' : 'without network';
      this.logger.debug(`commands run inside bubblewrap (${this.programs.bwrap}), ${net}, ${user}`);
    } else {
      this.logger.warn(
        `SANDBOX OFF: commands run WITHOUT OS isolation ${user} (execution.sandbox = "${requested}", ` +
          `${status.reason}; allowed by execution.allow_unsandboxed_commands). See docs/security.md.`,
      );
    }
  }

  private async detect(): Promise<void> {
    this.programs = findHostPrograms();
    this.users = new CommandUserResolver(serviceUid(), this.programs.setpriv);
    if (!this.programs.bwrap) {
      this.failure = 'bwrap is not installed';
      return;
    }
    const help = await run(this.programs.bwrap, ['--help'], { timeout: 5000 }).catch(
      (e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }),
    );
    this.sizeOption = String(help.stdout).includes('--size');
    try {
      await this.runProbe(false);
      this.available = true;
      this.failure = '';
    } catch (e) {
      this.failure = (e as Error).message;
      return;
    }
    const { network, sandbox } = this.config.get('execution');
    if (network && sandbox !== 'none' && this.programs.slirp4netns) {
      await this.runProbe(true).catch((e: Error) => (this.networkFailure = e.message));
    }
  }

  /**
   * Runs a command in a throwaway folder with the real arguments: the privilege drop when the
   * service is root, and the network when asked (then the command must see its `tap0`).
   */
  private async runProbe(network: boolean): Promise<void> {
    const bwrap = this.programs.bwrap!;
    const account = this.commandAccount();
    const dir = await mkdtemp(join(tmpdir(), 'agent-runner-probe-'));
    try {
      const drops = account !== undefined;
      if (account) chownSync(dir, account.uid, account.gid);
      const spec: BwrapSpec = {
        writable: [dir],
        cwd: dir,
        hidden: [],
        network,
        tmpfsBytes: 0,
        dropsPrivileges: drops,
        seccomp: this.seccompFilter() !== undefined,
        mapsUserNamespace: this.mapsUserNamespace(network, drops),
      };
      const script = network
        ? 'echo ok > probe && cat probe && grep -q tap0 /proc/net/dev'
        : 'echo ok > probe && cat probe';
      const argv = [
        ...bwrapArguments(spec),
        ...(account ? dropPrivilegesArgs(this.programs.setpriv!, account) : []),
        '/bin/bash',
        '--noprofile',
        '--norc',
        '-c',
        script,
      ];
      const stdout = await this.spawnProbe(bwrap, argv, spec);
      if (stdout.trim() !== 'ok')
        throw new Error(`unexpected probe output ${JSON.stringify(stdout.slice(0, 100))}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private spawnProbe(bwrap: string, argv: string[], spec: BwrapSpec): Promise<string> {
    const pipes = bwrapPipes(spec);
    return new Promise((resolve, reject) => {
      // Its own process group: a sandbox still waiting for its network must die with it.
      const child = spawn(bwrap, argv, {
        env: { PATH: '/usr/bin:/bin' },
        stdio: ['ignore', 'pipe', 'pipe', ...Array<'pipe'>(pipes.count).fill('pipe')],
        detached: true,
      });
      let stdout = '';
      let stderr = '';
      let release: (() => void) | undefined;
      const killAll = () => {
        if (child.pid !== undefined) signalProcess(-child.pid, 'SIGKILL');
      };
      const timer = setTimeout(killAll, PROBE_TIMEOUT_MS);
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', (e) => reject(e));
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        release?.();
        if (code === 0) resolve(stdout);
        else
          reject(
            new Error(
              (stderr.trim() || `bubblewrap exited with ${code ?? signal}`)
                .split('\n')[0]
                .slice(0, 300),
            ),
          );
      });
      void bwrapHandshake(child, pipes, this.handshake(spec)).then(
        (fn) => (release = fn),
        (e: Error) => {
          stderr = e.message;
          killAll();
        },
      );
    });
  }

  /** What bubblewrap gets through its pipes for a command run with `spec`. */
  handshake(spec: Pick<BwrapSpec, 'network' | 'seccomp' | 'mapsUserNamespace'>): BwrapHandshake {
    return {
      ...(spec.seccomp ? { seccomp: this.seccompFilter() } : {}),
      ...(spec.network && this.programs.slirp4netns
        ? {
            // Root enters any network namespace directly; others through its user namespace.
            network: { slirp4netns: this.programs.slirp4netns, joinUserNamespace: !IS_ROOT },
          }
        : {}),
      ...(spec.mapsUserNamespace ? { userMap: { uid: serviceUid(), gid: process.getgid!() } } : {}),
    };
  }

  /** Whether bubblewrap must let the runner map its user namespace (see BwrapSpec.mapsUserNamespace). */
  mapsUserNamespace(network: boolean, dropsPrivileges: boolean): boolean {
    return network && !dropsPrivileges && !IS_ROOT;
  }

  /** The filter against nested user namespaces, where this architecture has one. */
  seccompFilter(): Buffer | undefined {
    return (this.filter ??= { value: noUserNamespacesFilter() }).value;
  }

  /** The account commands switch to (the service is root and `run_as_user` applies), if any. */
  commandAccount(): HostAccount | undefined {
    const runAs = this.users.status(this.config.get('execution').run_as_user);
    return runAs.applied && runAs.uid !== null && runAs.gid !== null
      ? { uid: runAs.uid, gid: runAs.gid }
      : undefined;
  }
}

const IS_ROOT = serviceUid() === 0;

function serviceUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}
