import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '../..');
export const DIST_MAIN = resolve(PROJECT_ROOT, 'dist/main.js');

/** A free loopback port (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
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
 * Runs the built server (`node dist/main.js`, what `npm start` runs) as a real process and waits
 * until it answers /health/live. Tests that need the compiled app (Swagger plugin metadata, real
 * signals, real logs) use it.
 */
export async function startServerProcess(opts: {
  env?: NodeJS.ProcessEnv;
  cwd: string;
  args?: string[];
  entry?: string;
  /** A program (and its arguments) that starts node, e.g. setpriv to run as another user. */
  wrapper?: string[];
}): Promise<ServerProcess> {
  const port = await freePort();
  const env = {
    PATH: process.env.PATH,
    HOME: opts.cwd,
    BIND_ADDRESS: `127.0.0.1:${port}`,
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
  const bindPort = /:(\d+)$/.exec(env.BIND_ADDRESS ?? '')?.[1] ?? String(port);
  const baseUrl = `http://127.0.0.1:${bindPort}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode}\nstdout: ${out}\nstderr: ${err}`);
    }
    try {
      const res = await fetch(`${baseUrl}/health/live`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start in time\nstdout: ${out}\nstderr: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
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
      env: { PATH: process.env.PATH, HOME: opts.cwd, ...opts.env },
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
