import { Injectable } from '@nestjs/common';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { AppConfigService } from '../../config/app-config.service';
import { ToolDeniedError, ToolInputError } from '../execution.errors';
import type { ArgumentSchema, ToolHandler, ToolOutcome, ToolScope } from '../execution.types';
import { buildChildEnvironment } from '../process/child-environment';
import { dropPrivilegesArgs, HostAccount } from '../process/command-user';
import { ProcessRunner, RunRequest, RunResult } from '../process/process-runner';
import { bwrapArguments, bwrapPipes, BwrapSpec } from '../sandbox/bwrap-arguments';
import type { PathSandbox } from '../sandbox/path-sandbox';
import { bwrapHandshake } from '../sandbox/bwrap-handshake';
import { SandboxProbe } from '../sandbox/sandbox-probe.service';
import {
  unreachableFolder,
  unsafeToHandOver,
  WorkspaceOwnership,
} from '../sandbox/workspace-ownership.service';
import { CommandPolicy } from '../shell/command-policy';
import { checkUnsandboxedEffects } from './unsandboxed-checks';

export interface RunCommandArgs {
  command: string;
  cwd?: string;
  timeout_seconds?: number;
}

const MARKER_NAME = 'AGENT_RUNNER_COMMAND_ID';
const MiB = 1024 * 1024;
const MAX_SCRIPT_BYTES = 256 * 1024;

/** A shell script of the task's folders, for the policy to check; see PolicyOptions.readScript. */
async function readShellScript(
  sandbox: PathSandbox,
  absolute: string,
  runBy: 'shell' | 'exec',
): Promise<string | 'missing' | undefined> {
  try {
    const path = await sandbox.resolve(absolute, 'read');
    if (!path.exists) return 'missing';
    const { data } = await sandbox.readFile(path, MAX_SCRIPT_BYTES);
    if (data.subarray(0, 8192).includes(0)) return undefined;
    const text = data.toString('utf8');
    const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(text);
    if (
      runBy === 'exec' &&
      shebang &&
      !/(^|\/)(ba|da|z|k|mk)?sh$/.test(
        shebang[2] && /env$/.test(shebang[1]) ? shebang[2] : shebang[1],
      )
    )
      return undefined;
    return text;
  } catch {
    return undefined;
  }
}

/** HOME and TMPDIR of an unsandboxed command: a fresh folder only it (its user) may use. */
async function privateHome(account: HostAccount | undefined): Promise<string> {
  const home = await mkdtemp(join(tmpdir(), 'agent-runner-home-'));
  if (account) await chown(home, account.uid, account.gid);
  return home;
}

/**
 * run_command: a shell command line, checked by the command policy, run by bash in the task's
 * folder with a scrubbed environment, resource limits and a timeout, inside bubblewrap when the
 * sandbox is on.
 */
@Injectable()
export class RunCommandTool implements ToolHandler<RunCommandArgs> {
  readonly name = 'run_command';
  readonly kind = 'command';
  readonly description =
    'Run a shell command (bash syntax) in the working directory and return exit_code, stdout and stderr. Commands are checked against a policy; long-running or interactive programs are stopped at the timeout.';
  readonly parameters: ArgumentSchema = {
    type: 'object',
    properties: {
      command: {
        type: 'string',
        description: 'The command line, e.g. "npm test" or "ls -la src".',
        minLength: 1,
        maxLength: 65_536,
      },
      cwd: {
        type: 'string',
        description: 'Folder to run in, relative to the working directory (default ".").',
        maxLength: 4096,
      },
      timeout_seconds: {
        type: 'integer',
        description: 'Stop the command after this many seconds (capped by the service).',
        minimum: 1,
        maximum: 86_400,
      },
    },
    required: ['command'],
    additionalProperties: false,
  };

  constructor(
    private readonly config: AppConfigService,
    private readonly policy: CommandPolicy,
    private readonly probe: SandboxProbe,
    private readonly runner: ProcessRunner,
    private readonly ownership: WorkspaceOwnership,
  ) {}

  async run(args: RunCommandArgs, { sandbox, ctx }: ToolScope): Promise<ToolOutcome> {
    const tools = this.config.get('tools');
    const status = this.probe.status();
    if (!status.commands_allowed) throw new ToolDeniedError(`${status.disabled_reason}`);
    const sandboxed = status.mode === 'bwrap';
    const cwd = await this.commandFolder(args.cwd, sandbox);
    const decision = await this.policy.check(args.command, {
      sandboxed,
      forbidden: tools.forbidden_commands,
      allowed: tools.allowed_commands,
      readScript: (p, runBy) => readShellScript(sandbox, resolve(cwd, p), runBy),
    });
    if (!decision.allowed) throw new ToolDeniedError(`command refused: ${decision.reason}`);
    if (!sandboxed) await checkUnsandboxedEffects(decision, cwd, sandbox);

    const limitMs =
      Math.min(args.timeout_seconds ?? Infinity, tools.command_timeout_seconds) * 1000;
    const left = ctx.deadline ? ctx.deadline - Date.now() : Infinity;
    if (left <= 0) throw new ToolInputError('the task has reached its deadline');
    const host = this.probe.host();
    if (!host.bash) throw new ToolInputError('bash is not installed on this host');
    const account = this.probe.commandAccount();
    if (account) await this.prepareFor(account, sandbox, cwd, sandboxed);
    const network = sandboxed && status.network.enabled;

    const marker = { name: MARKER_NAME, value: randomUUID() };
    const home = sandboxed ? '/tmp' : await privateHome(account);
    try {
      const result = await this.runner.run({
        command: args.command,
        cwd,
        env: buildChildEnvironment({ home, task: ctx.environment, marker }),
        marker: `${marker.name}=${marker.value}`,
        timeoutMs: Math.min(limitMs, left),
        signal: ctx.signal,
        maxOutputBytes: tools.max_output_bytes,
        limits: {
          memoryMb: tools.command_memory_mb,
          cpuSeconds: tools.command_cpu_seconds,
          maxProcesses: tools.command_max_processes,
          maxFileSizeMb: tools.command_max_file_size_mb,
        },
        bashPath: host.bash,
        prlimitPath: host.prlimit,
        ...(sandboxed && host.bwrap
          ? this.inBubblewrap(host.bwrap, sandbox, cwd, network, !!account)
          : {}),
        dropPrivileges:
          account && host.setpriv ? dropPrivilegesArgs(host.setpriv, account) : undefined,
      });
      return this.outcome(args.command, result, status.mode, limitMs < left);
    } finally {
      if (!sandboxed) await rm(home, { recursive: true, force: true });
    }
  }

  /**
   * Commands run as another user: the task's folders become theirs (once), and without the OS
   * sandbox every folder above the working folder must let them pass.
   */
  private async prepareFor(
    account: HostAccount,
    sandbox: PathSandbox,
    cwd: string,
    sandboxed: boolean,
  ): Promise<void> {
    for (const root of sandbox.roots) {
      const unsafe = unsafeToHandOver(root, userInfo().homedir);
      if (unsafe)
        throw new ToolInputError(
          `commands run as ${this.config.get('execution').run_as_user} (execution.run_as_user) and would have to own the task's folder, but ${unsafe}; ` +
            'give tools.working_directory a folder of its own',
        );
    }
    await this.ownership.handOver(sandbox.roots, (p) => sandbox.hidden(p), account);
    if (sandboxed) return;
    const blocked = unreachableFolder(cwd, account);
    if (blocked)
      throw new ToolInputError(
        `commands run as ${this.config.get('execution').run_as_user} (uid ${account.uid}, execution.run_as_user), who cannot pass ${blocked}; ` +
          'without the OS sandbox every folder above the working directory must let that user through (chmod o+x), or install bubblewrap',
      );
  }

  private async commandFolder(
    requested: string | undefined,
    sandbox: PathSandbox,
  ): Promise<string> {
    if (requested) {
      const folder = await sandbox.resolve(requested, 'read');
      if (!folder.exists) throw new ToolInputError(`cwd ${folder.display} does not exist`);
      return sandbox.checkFolder(folder.absolute).catch(() => {
        throw new ToolInputError(`cwd ${folder.display} is not a folder`);
      });
    }
    return sandbox.inside(sandbox.cwd) ? sandbox.cwd : sandbox.roots[0];
  }

  /** bubblewrap's arguments and the pipes it talks through (network, seccomp filter). */
  private inBubblewrap(
    path: string,
    sandbox: PathSandbox,
    cwd: string,
    network: boolean,
    dropsPrivileges: boolean,
  ): Pick<RunRequest, 'bwrap' | 'extraPipes' | 'onSpawn'> {
    const tools = this.config.get('tools');
    const tmpfsMb = tools.command_max_file_size_mb || 1024;
    const spec: BwrapSpec = {
      writable: [...sandbox.roots],
      cwd,
      hidden: sandbox.hiddenPaths.filter((h) => sandbox.inside(h)),
      network,
      tmpfsBytes: this.probe.tmpfsSizeSupported ? tmpfsMb * MiB : 0,
      dropsPrivileges,
      seccomp: this.probe.seccompFilter() !== undefined,
      mapsUserNamespace: this.probe.mapsUserNamespace(network, dropsPrivileges),
    };
    const pipes = bwrapPipes(spec);
    const handshake = this.probe.handshake(spec);
    return {
      bwrap: { path, args: bwrapArguments(spec) },
      ...(pipes.count
        ? {
            extraPipes: pipes.count,
            onSpawn: (child: ChildProcess) => bwrapHandshake(child, pipes, handshake),
          }
        : {}),
    };
  }

  private outcome(
    command: string,
    r: RunResult,
    sandbox: 'bwrap' | 'none',
    timeoutFromTool: boolean,
  ): ToolOutcome {
    const notes: string[] = [];
    if (r.timed_out)
      notes.push(
        `timed out after ${Math.round(r.duration_ms / 1000)} s${timeoutFromTool ? '' : ' (task deadline)'}`,
      );
    if (r.aborted) notes.push('cancelled');
    if (r.limit_exceeded)
      notes.push(`stopped: more than ${this.config.get('tools').command_max_processes} processes`);
    if (r.truncated) notes.push('output truncated');
    const head = `exit_code: ${r.exit_code}${notes.length ? ` (${notes.join(', ')})` : ''}`;
    const output = [head, r.stdout && `stdout:\n${r.stdout}`, r.stderr && `stderr:\n${r.stderr}`]
      .filter(Boolean)
      .join('\n');
    const ok = r.exit_code === 0 && !r.timed_out && !r.aborted && !r.limit_exceeded;
    return {
      status: ok ? 'ok' : 'error',
      output,
      error: ok ? undefined : head,
      data: {
        exit_code: r.exit_code,
        stdout: r.stdout,
        stderr: r.stderr,
        timed_out: r.timed_out,
        truncated: r.truncated,
        aborted: r.aborted,
        signal: r.signal,
        limit_exceeded: r.limit_exceeded ?? null,
        duration_ms: r.duration_ms,
        sandbox,
      },
      artifact: { type: 'command', command, exit_code: r.exit_code },
    };
  }
}
