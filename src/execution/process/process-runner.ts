import { Injectable } from '@nestjs/common';
import type { ChildProcess } from 'node:child_process';
import { PidsCgroup, PidsCgroups } from './pids-cgroups.service';
import { cancelledBeforeStart, RunningCommand } from './running-command';

/** setrlimit-style limits of one command (0 = none). */
export interface ResourceLimits {
  memoryMb: number;
  cpuSeconds: number;
  maxProcesses: number;
  maxFileSizeMb: number;
}

/** One shell command to run. */
export interface RunRequest {
  command: string;
  cwd: string;
  /** The complete environment of the command (already scrubbed). */
  env: Record<string, string>;
  /** NAME=value present in `env`, used to find processes that left the process group. */
  marker: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Cap per stream; head and tail are kept. */
  maxOutputBytes: number;
  limits: ResourceLimits;
  /** Absolute path of bash on the host. */
  bashPath: string;
  /** util-linux prlimit; without it the limits are set by a bash `ulimit` prologue. */
  prlimitPath?: string;
  /** bubblewrap and its arguments; the command then runs inside it (bash at /bin/bash). */
  bwrap?: { path: string; args: string[] };
  /** A privilege drop (setpriv …) run right before bash, inside bubblewrap when there is one. */
  dropPrivileges?: string[];
  /** Extra pipes handed to the command as fds 3, 4, … (bubblewrap's handshake). */
  extraPipes?: number;
  /**
   * Called once the process exists (e.g. to plug a network into its sandbox); the function it
   * resolves to is called when the command ends. A rejection ends the command before it runs.
   */
  onSpawn?: (child: ChildProcess) => Promise<() => void>;
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number;
}

/** What happened. */
export interface RunResult {
  /** Exit status; 128 + signal number when a signal ended it. */
  exit_code: number;
  signal: string | null;
  stdout: string;
  stderr: string;
  timed_out: boolean;
  aborted: boolean;
  truncated: boolean;
  /** Set when the process limit was exceeded and the command was stopped for it. */
  limit_exceeded?: 'processes';
  duration_ms: number;
}

/** Processes the wrappers themselves use inside the group (bubblewrap's monitor and init). */
const WRAPPER_PROCESSES = 3;

/**
 * Runs a command in its own process group with closed stdin, resource limits, a timeout and an
 * abort signal. Ending it (timeout, abort, process limit, or normal exit) kills the whole group,
 * every descendant and every process carrying the command's marker: nothing is left running.
 */
@Injectable()
export class ProcessRunner {
  constructor(private readonly cgroups: PidsCgroups) {}

  run(req: RunRequest): Promise<RunResult> {
    const started = Date.now();
    if (req.signal?.aborted) return Promise.resolve(cancelledBeforeStart(started));
    const cgroup =
      req.limits.maxProcesses > 0
        ? this.cgroups.create(req.limits.maxProcesses + WRAPPER_PROCESSES)
        : undefined;
    const argv = commandLine(req, cgroup);
    return new Promise<RunResult>(
      (resolve) => new RunningCommand(req, cgroup, argv, started, resolve),
    );
  }
}

/** [cgroup entry] → prlimit (or a ulimit prologue) → bwrap (optional) → bash -c command. */
export function commandLine(req: RunRequest, cgroup?: PidsCgroup): string[] {
  const limited = limitedCommandLine(req, !cgroup);
  // The wrapper joins the group before exec, so every descendant is born inside it.
  return cgroup
    ? [
        req.bashPath,
        '--noprofile',
        '--norc',
        '-c',
        'echo $$ > "$0" && exec "$@"',
        cgroup.procsFile,
        ...limited,
      ]
    : limited;
}

/**
 * `withProcessLimit`: set RLIMIT_NPROC too. Only without a pids cgroup: the rlimit counts every
 * process of the user (commands of other tasks run as the same `run_as_user`), so with the cgroup
 * it would only make a command fail for another's sake, and it would beat the cgroup to the limit
 * (a failed fork the runner cannot see).
 */
function limitedCommandLine(req: RunRequest, withProcessLimit: boolean): string[] {
  const bash = req.bwrap ? '/bin/bash' : req.bashPath;
  let argv = [...(req.dropPrivileges ?? []), bash, '--noprofile', '--norc', '-c', req.command];
  if (req.bwrap) argv = [req.bwrap.path, ...req.bwrap.args, ...argv];
  const { memoryMb, cpuSeconds, maxProcesses, maxFileSizeMb } = req.limits;
  const MiB = 1024 * 1024;
  if (req.prlimitPath) {
    const limits = ['--core=0'];
    if (memoryMb > 0) limits.push(`--as=${memoryMb * MiB}`);
    // Soft limit first (SIGXCPU, exit 152), the hard one a second later (SIGKILL).
    if (cpuSeconds > 0) limits.push(`--cpu=${cpuSeconds}:${cpuSeconds + 1}`);
    if (maxProcesses > 0 && withProcessLimit) limits.push(`--nproc=${maxProcesses}`);
    if (maxFileSizeMb > 0) limits.push(`--fsize=${maxFileSizeMb * MiB}`);
    return [req.prlimitPath, ...limits, '--', ...argv];
  }
  const ulimits = ['ulimit -c 0'];
  if (memoryMb > 0) ulimits.push(`ulimit -v ${memoryMb * 1024}`);
  if (cpuSeconds > 0) ulimits.push(`ulimit -t ${cpuSeconds}`);
  if (maxProcesses > 0 && withProcessLimit) ulimits.push(`ulimit -u ${maxProcesses}`);
  if (maxFileSizeMb > 0) ulimits.push(`ulimit -f ${maxFileSizeMb * 1024}`);
  return [
    req.bashPath,
    '--noprofile',
    '--norc',
    '-c',
    `${ulimits.join(' && ')} && exec "$@"`,
    'agent-runner-limits',
    ...argv,
  ];
}
