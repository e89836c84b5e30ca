import { Injectable } from '@nestjs/common';
import { ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { HeadTailBuffer } from './output-buffer';
import { PidsCgroup, PidsCgroups } from './pids-cgroups.service';
import { listProcesses, processesWithMarker, processFamily, signalProcess } from './process-tree';

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

const WATCH_INTERVAL_MS = 200;
/** Processes the wrappers themselves use inside the group (bubblewrap's monitor and init). */
const WRAPPER_PROCESSES = 3;
const DEFAULT_GRACE_MS = 2000;
const CLOSE_WAIT_MS = 1000;

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
    const stdout = new HeadTailBuffer(req.maxOutputBytes);
    const stderr = new HeadTailBuffer(req.maxOutputBytes);
    const result = (partial: Partial<RunResult>): RunResult => ({
      exit_code: 1,
      signal: null,
      stdout: stdout.toString(),
      stderr: stderr.toString(),
      timed_out: false,
      aborted: false,
      truncated: stdout.truncated || stderr.truncated,
      duration_ms: Date.now() - started,
      ...partial,
    });
    if (req.signal?.aborted)
      return Promise.resolve(
        result({ exit_code: 130, aborted: true, stderr: 'cancelled before start' }),
      );

    const cgroup =
      req.limits.maxProcesses > 0
        ? this.cgroups.create(req.limits.maxProcesses + WRAPPER_PROCESSES)
        : undefined;
    const argv = commandLine(req, cgroup);
    return new Promise<RunResult>((resolvePromise) => {
      const child = spawn(argv[0], argv.slice(1), {
        cwd: req.bwrap ? undefined : req.cwd,
        env: req.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe', ...Array<'pipe'>(req.extraPipes ?? 0).fill('pipe')],
      });
      let ending: 'timeout' | 'abort' | 'limit' | 'setup' | undefined;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      let release: (() => void) | undefined;

      /** Signals the group, the descendants and the marked strays; returns how many were found. */
      const killAll = (signal: NodeJS.Signals): number => {
        if (child.pid === undefined) return 0;
        if (signal === 'SIGKILL' && cgroup?.killAll()) return 1;
        signalProcess(-child.pid, signal);
        const procs = listProcesses();
        const found = processFamily(child.pid, procs);
        if (!req.bwrap) found.push(...processesWithMarker(req.marker, procs));
        for (const pid of found) signalProcess(pid, signal);
        return found.length;
      };
      const killHard = () => {
        // A fork bomb may still be forking while the first round lands.
        for (let round = 0; round < 5 && killAll('SIGKILL') > 0; round++);
      };
      const stop = (why: 'timeout' | 'abort' | 'limit' | 'setup') => {
        if (ending || settled) return;
        ending = why;
        if (why === 'limit' || why === 'setup') return killHard();
        killAll('SIGTERM');
        timers.push(setTimeout(killHard, req.graceMs ?? DEFAULT_GRACE_MS));
      };
      const onAbort = () => stop('abort');

      child.stdout!.on('data', (c: Buffer) => stdout.push(c));
      child.stderr!.on('data', (c: Buffer) => stderr.push(c));
      timers.push(setTimeout(() => stop('timeout'), Math.max(1, req.timeoutMs)));
      req.signal?.addEventListener('abort', onAbort, { once: true });
      if (req.limits.maxProcesses > 0 && child.pid !== undefined) {
        const pid = child.pid;
        const watch = setInterval(() => {
          const over = cgroup
            ? cgroup.exceeded()
            : processFamily(pid).length + 1 > req.limits.maxProcesses;
          if (over) stop('limit');
        }, WATCH_INTERVAL_MS);
        timers.push(watch);
      }

      if (req.onSpawn && child.pid !== undefined) {
        req.onSpawn(child).then(
          (fn) => {
            if (settled) fn();
            else release = fn;
          },
          (e: Error) => {
            stderr.push(Buffer.from(`could not start the command: ${e.message}\n`));
            stop('setup');
          },
        );
      }

      const finish = (partial: Partial<RunResult>) => {
        if (settled) return;
        settled = true;
        timers.forEach((t) => clearTimeout(t));
        release?.();
        cgroup?.remove();
        req.signal?.removeEventListener('abort', onAbort);
        resolvePromise(
          result({
            ...partial,
            timed_out: ending === 'timeout',
            aborted: ending === 'abort',
            ...(ending === 'limit' ? { limit_exceeded: 'processes' as const } : {}),
          }),
        );
      };

      child.on('error', (e) => {
        stderr.push(Buffer.from(`could not start the command: ${e.message}`));
        finish({ exit_code: 127 });
      });
      child.on('exit', (code, signal) => {
        // Background jobs and grandchildren do not outlive the command.
        killHard();
        const exit_code =
          ending === 'setup'
            ? 126
            : (code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
        const done = () => finish({ exit_code, signal });
        const cap = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          done();
        }, CLOSE_WAIT_MS);
        timers.push(cap);
        child.on('close', done);
      });
    });
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
