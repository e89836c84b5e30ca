'use strict';
/** Child processes of the benches: CPU pinning, ready lines, memory readings, clean stops. */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');

const children = new Set();

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const CAN_PIN = process.platform === 'linux' && hasCommand('taskset');
let pinning = CAN_PIN;

/** Turns CPU pinning off (`--no-pin`). */
function setPinning(on) {
  pinning = on && CAN_PIN;
}

function pinned(cpu, cmd, args) {
  return pinning && cpu !== undefined
    ? ['taskset', ['-c', String(cpu), cmd, ...args]]
    : [cmd, args];
}

/** Spawns `cmd args` (on CPU `cpu` when pinning) and keeps track of it for cleanup; `env` adds to this process's environment unless `inheritEnv` is false. */
function start(cmd, args, { cpu, env, cwd, stdio, inheritEnv = true } = {}) {
  const [c, a] = pinned(cpu, cmd, args);
  const child = spawn(c, a, {
    env: inheritEnv ? { ...process.env, ...env } : env,
    cwd,
    stdio: stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Resolves with the first stdout line that parses as JSON and satisfies `accept`. */
function firstJsonLine(child, accept = () => true, timeoutMs = 60_000, prefix = '') {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const rl = readline.createInterface({ input: child.stdout });
    const timer = setTimeout(
      () => reject(new Error(`no result within ${timeoutMs} ms\n${stderr}`)),
      timeoutMs,
    );
    rl.on('line', (line) => {
      if (!line.startsWith(prefix)) return;
      try {
        const value = JSON.parse(line.slice(prefix.length));
        if (accept(value)) {
          clearTimeout(timer);
          rl.close();
          resolve(value);
        }
      } catch {
        // not our line
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited with ${code} before its result\n${stderr}`));
    });
  });
}

/** Stops a child (SIGTERM, then SIGKILL after `graceMs`) and waits for it. */
function stop(child, graceMs = 3000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Waits up to `ms` for a child to exit by itself. */
function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function stopAll() {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopAll();
    process.exit(130);
  });
}

/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;

/** VmRSS and VmHWM (peak) of a process, in MiB (Linux /proc); nulls elsewhere. */
function memoryOf(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? NaN) / 1024;
    return { rss_mb: kb('VmRSS'), hwm_mb: kb('VmHWM') };
  } catch {
    return { rss_mb: null, hwm_mb: null };
  }
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc); null elsewhere. */
function cpuMsOf(pid) {
  try {
    // the fields after the command name (which may hold spaces) start after the last ')'
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Starts the fake model in its own process. */
async function startFakeModel({ cpu } = {}) {
  const child = start(process.execPath, [path.join(__dirname, 'fake-model.js'), '0'], { cpu });
  const { port } = await firstJsonLine(child, (v) => v.ready);
  const base = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    /** The base URL a client uses; `delayMs` makes every answer wait, `errorPermille` fail. */
    url: (delayMs = 0, errorPermille = 0) =>
      `${base}${delayMs ? `/d/${delayMs}` : ''}${errorPermille ? `/e/${errorPermille}` : ''}/v1`,
    stats: async () => (await fetch(`${base}/stats`)).json(),
    reset: async () => (await fetch(`${base}/reset`, { method: 'POST' })).json(),
    /** Every later answer waits an hour (the tasks that ask stay running). */
    hold: async () => (await fetch(`${base}/hold`, { method: 'POST' })).json(),
    stop: () => stop(child),
  };
}

/** Runs bench/lib/worker.js for one contender and returns its RESULT. */
async function runWorker(contender, options, { cpu, timeoutMs = 600_000, nodeArgs = [] } = {}) {
  const child = start(
    process.execPath,
    [...nodeArgs, path.join(__dirname, 'worker.js'), contender, JSON.stringify(options)],
    { cpu },
  );
  try {
    const result = await firstJsonLine(child, () => true, timeoutMs, 'RESULT ');
    if (result.error) throw new Error(`${contender}: ${result.error}`);
    return result;
  } finally {
    // the worker exits by itself after its result (which also writes --cpu-prof profiles)
    await waitExit(child, 30_000);
    await stop(child, 5000);
  }
}

/** Waits until `url` answers 200 (a server that is starting). */
async function waitForHttp(url, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

module.exports = {
  CAN_PIN,
  setPinning,
  hasCommand,
  start,
  stop,
  stopAll,
  firstJsonLine,
  memoryOf,
  freePort,
  startFakeModel,
  runWorker,
  waitForHttp,
  cpuMsOf,
};
