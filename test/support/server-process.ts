import { ChildProcess, spawn } from 'node:child_process';
import { createServer, connect, Socket } from 'node:net';
import { resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '../..');
export const DIST_MAIN = resolve(PROJECT_ROOT, 'dist/main.js');

/** The service's start-up line, "agent-runner 0.1.0 listening on http://127.0.0.1:8080 · …". */
const LISTENING = /listening on (https?:\/\/[^\s"]+)\s/;
const QUIETER_THAN_INFO = ['warn', 'error', 'fatal', 'silent'];

/**
 * The URL a server process listens on, read from its start-up line (logged at info, as JSON on
 * stdout or pretty on stderr) as soon as it is written. Rejects if the process exits first or
 * nothing is logged within `timeoutMs`. A wildcard address (0.0.0.0, ::) becomes loopback.
 */
export function listeningUrl(child: ChildProcess, timeoutMs = 20_000): Promise<string> {
  return new Promise((ok, fail) => {
    const seen = { stdout: '', stderr: '' };
    const readers = (['stdout', 'stderr'] as const).map((name) => {
      const read = (d: Buffer) => {
        seen[name] += d.toString();
        const url = LISTENING.exec(seen[name])?.[1];
        if (url) end(() => ok(loopback(url)));
      };
      child[name]!.on('data', read);
      return () => child[name]!.off('data', read);
    });
    const output = () => `\nstdout: ${seen.stdout}\nstderr: ${seen.stderr}`;
    const exited = (code: number | null, signal: NodeJS.Signals | null) =>
      end(() =>
        fail(new Error(`server exited with ${code ?? signal} before listening${output()}`)),
      );
    child.once('exit', exited);
    const timer = setTimeout(
      () =>
        end(() =>
          fail(
            new Error(
              `server logged no "listening on" line within ${timeoutMs} ms (the line is at level info)${output()}`,
            ),
          ),
        ),
      timeoutMs,
    );
    function end(settle: () => void): void {
      clearTimeout(timer);
      child.off('exit', exited);
      for (const stop of readers) stop();
      settle();
    }
    if (child.exitCode !== null) exited(child.exitCode, null);
  });
}

function loopback(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
  if (u.hostname === '[::]') u.hostname = '[::1]';
  return u.origin;
}

/**
 * A loopback port where nothing listens and nothing can start listening while it is held: the
 * local end of an open connection to a throwaway server. Connecting to it is refused
 * (ECONNREFUSED). Unlike a port picked, closed and then used, no other process can take it in
 * between. `release()` frees it.
 */
export async function refusedPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const accepted: Socket[] = [];
  const server = createServer((socket) => accepted.push(socket));
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const { port: serverPort } = server.address() as { port: number };
  const held = connect(serverPort, '127.0.0.1');
  await new Promise<void>((ok, fail) => held.once('connect', ok).once('error', fail));
  return {
    port: held.localPort!,
    release: async () => {
      held.destroy();
      for (const socket of accepted) socket.destroy();
      await new Promise((ok) => server.close(ok));
    },
  };
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  /** Sends a signal, then waits for exit; resolves to the exit code, or the signal that ended it. */
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/**
 * Runs the built server (`node dist/main.js`, what `npm start` runs) as a real process on a port
 * the OS picks (unless `env.BIND_ADDRESS` says otherwise), and waits until its start-up line says
 * where it listens and it answers /health/live there. Tests that need the compiled app (Swagger
 * plugin metadata, real signals, real logs) use it. The start-up line is logged at info, so the
 * log level must not be above it.
 */
export async function startServerProcess(opts: {
  env?: NodeJS.ProcessEnv;
  cwd: string;
  args?: string[];
  entry?: string;
  /** A program (and its arguments) that starts node, e.g. setpriv to run as another user. */
  wrapper?: string[];
}): Promise<ServerProcess> {
  const level = opts.env?.AGENT_RUNNER_LOG_LEVEL;
  if (level && QUIETER_THAN_INFO.includes(level))
    throw new Error(
      `startServerProcess reads the address from the start-up line, logged at info: AGENT_RUNNER_LOG_LEVEL=${level} hides it`,
    );
  // Port 0: the server binds a port the OS picks, and says which in its start-up line.
  const env = {
    PATH: process.env.PATH,
    HOME: opts.cwd,
    BIND_ADDRESS: '127.0.0.1:0',
    ...opts.env,
  };
  const argv = [process.execPath, opts.entry ?? DIST_MAIN, ...(opts.args ?? [])];
  const [program, ...rest] = [...(opts.wrapper ?? []), ...argv];
  const child = spawn(program, rest, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((ok) =>
    child.once('exit', (code, signal) => ok(code ?? signal)),
  );
  const baseUrl = await listeningUrl(child).catch((e: Error) => {
    child.kill('SIGKILL');
    throw e;
  });
  const live = await fetch(`${baseUrl}/health/live`).then(
    (res) => (res.ok ? undefined : `answered ${res.status}`),
    (e: Error) => `failed: ${e.message}`,
  );
  if (live) {
    child.kill('SIGKILL');
    throw new Error(
      `server listens on ${baseUrl}, but GET /health/live ${live}\nstdout: ${out}\nstderr: ${err}`,
    );
  }
  return {
    child,
    baseUrl,
    stdout: () => out,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the built entry to completion (for start-up failures); returns code and output. */
export function runToExit(opts: {
  env?: NodeJS.ProcessEnv;
  cwd: string;
  entry?: string;
  args?: string[];
  timeoutMs?: number;
}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [opts.entry ?? DIST_MAIN, ...(opts.args ?? [])], {
      cwd: opts.cwd,
      env: { PATH: process.env.PATH, HOME: opts.cwd, BIND_ADDRESS: '127.0.0.1:0', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}
