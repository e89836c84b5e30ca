import { ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { HeadTailBuffer } from './output-buffer';
import type { PidsCgroup } from './pids-cgroups.service';
import type { RunRequest, RunResult } from './process-runner';
import { listProcesses, processesWithMarker, processFamily, signalProcess } from './process-tree';

const WATCH_INTERVAL_MS = 200;
const DEFAULT_GRACE_MS = 2000;
const CLOSE_WAIT_MS = 1000;

/** Why the runner ended a command before it exited on its own. */
type Ending = 'timeout' | 'abort' | 'limit' | 'setup';

/** The answer for a command that was cancelled before it started. */
export function cancelledBeforeStart(started: number): RunResult {
  return {
    exit_code: 130,
    signal: null,
    stdout: '',
    stderr: 'cancelled before start',
    timed_out: false,
    aborted: true,
    truncated: false,
    duration_ms: Date.now() - started,
  };
}

/**
 * One spawned command from start to its one result: collects its output, ends it on timeout,
 * abort, process limit or a failed set-up (SIGTERM, then SIGKILL after the grace time; at once
 * for a limit or set-up), and on exit kills what it left behind before it resolves.
 */
export class RunningCommand {
  private readonly stdout: HeadTailBuffer;
  private readonly stderr: HeadTailBuffer;
  private readonly child: ChildProcess;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly onAbort = () => this.stop('abort');
  private ending: Ending | undefined;
  private settled = false;
  private release: (() => void) | undefined;

  constructor(
    private readonly req: RunRequest,
    private readonly cgroup: PidsCgroup | undefined,
    argv: string[],
    private readonly started: number,
    private readonly resolve: (result: RunResult) => void,
  ) {
    this.stdout = new HeadTailBuffer(req.maxOutputBytes);
    this.stderr = new HeadTailBuffer(req.maxOutputBytes);
    this.child = spawn(argv[0], argv.slice(1), {
      cwd: req.bwrap ? undefined : req.cwd,
      env: req.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', ...Array<'pipe'>(req.extraPipes ?? 0).fill('pipe')],
    });
    this.child.stdout!.on('data', (c: Buffer) => this.stdout.push(c));
    this.child.stderr!.on('data', (c: Buffer) => this.stderr.push(c));
    this.timers.push(setTimeout(() => this.stop('timeout'), Math.max(1, req.timeoutMs)));
    req.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.watchProcessLimit();
    this.setUp();
    this.child.on('error', (e) => {
      this.stderr.push(Buffer.from(`could not start the command: ${e.message}`));
      this.finish({ exit_code: 127 });
    });
    this.child.on('exit', (code, signal) => this.exited(code, signal));
  }

  /** Polls the pids cgroup (or counts the process family) and stops the command past the limit. */
  private watchProcessLimit(): void {
    const { req, child, cgroup } = this;
    if (!(req.limits.maxProcesses > 0) || child.pid === undefined) return;
    const pid = child.pid;
    const watch = setInterval(() => {
      const over = cgroup
        ? cgroup.exceeded()
        : processFamily(pid).length + 1 > req.limits.maxProcesses;
      if (over) this.stop('limit');
    }, WATCH_INTERVAL_MS);
    this.timers.push(watch);
  }

  /** Runs `onSpawn`; its clean-up runs when the command ends, its failure ends the command. */
  private setUp(): void {
    if (!this.req.onSpawn || this.child.pid === undefined) return;
    this.req.onSpawn(this.child).then(
      (fn) => {
        if (this.settled) fn();
        else this.release = fn;
      },
      (e: Error) => {
        this.stderr.push(Buffer.from(`could not start the command: ${e.message}\n`));
        this.stop('setup');
      },
    );
  }

  /** Signals the group, the descendants and the marked strays; returns how many were found. */
  private killAll(signal: NodeJS.Signals): number {
    const { child, req } = this;
    if (child.pid === undefined) return 0;
    if (signal === 'SIGKILL' && this.cgroup?.killAll()) return 1;
    signalProcess(-child.pid, signal);
    const procs = listProcesses();
    const found = processFamily(child.pid, procs);
    if (!req.bwrap) found.push(...processesWithMarker(req.marker, procs));
    for (const pid of found) signalProcess(pid, signal);
    return found.length;
  }

  private killHard(): void {
    // A fork bomb may still be forking while the first round lands.
    for (let round = 0; round < 5 && this.killAll('SIGKILL') > 0; round++);
  }

  private stop(why: Ending): void {
    if (this.ending || this.settled) return;
    this.ending = why;
    if (why === 'limit' || why === 'setup') return this.killHard();
    this.killAll('SIGTERM');
    this.timers.push(setTimeout(() => this.killHard(), this.req.graceMs ?? DEFAULT_GRACE_MS));
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    // Background jobs and grandchildren do not outlive the command.
    this.killHard();
    const exit_code =
      this.ending === 'setup'
        ? 126
        : (code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    const done = () => this.finish({ exit_code, signal });
    const cap = setTimeout(() => {
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
      done();
    }, CLOSE_WAIT_MS);
    this.timers.push(cap);
    this.child.on('close', done);
  }

  private finish(partial: Partial<RunResult>): void {
    if (this.settled) return;
    this.settled = true;
    this.timers.forEach((t) => clearTimeout(t));
    this.release?.();
    this.cgroup?.remove();
    this.req.signal?.removeEventListener('abort', this.onAbort);
    const { ending, stdout, stderr } = this;
    const defaults: RunResult = {
      exit_code: 1,
      signal: null,
      stdout: stdout.toString(),
      stderr: stderr.toString(),
      timed_out: false,
      aborted: false,
      truncated: stdout.truncated || stderr.truncated,
      duration_ms: Date.now() - this.started,
    };
    this.resolve({
      ...defaults,
      ...partial,
      timed_out: ending === 'timeout',
      aborted: ending === 'abort',
      ...(ending === 'limit' ? { limit_exceeded: 'processes' as const } : {}),
    });
  }
}
