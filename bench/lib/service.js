'use strict';
/** Starts agent-runner's HTTP service (dist/main.js) with the bench configuration. */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const procs = require('./procs');
const { benchConfig, DIST } = require('./agent-runner-config');

/** The environment without agent-runner or provider settings of the shell it runs in. */
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('AGENT_RUNNER_') || /_API_KEY$/.test(k) || k === 'BIND_ADDRESS') continue;
    env[k] = v;
  }
  return env;
}

async function startService({ endpoint, workspace, cpu, maxConcurrent, maxRetries, rateLimiting }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-bench-svc-'));
  const port = await procs.freePort();
  const config = benchConfig({
    endpoint,
    workspace,
    dbPath: path.join(dir, 'data', 'tasks.db'),
    maxConcurrent,
    maxRetries,
    port,
    rateLimiting,
  });
  const configFile = path.join(dir, 'config.yaml');
  // JSON is YAML: the loader reads it as the YAML config file
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const child = procs.start(process.execPath, [path.join(DIST, 'main.js')], {
    cpu,
    cwd: dir,
    env: { ...cleanEnv(), AGENT_RUNNER_CONFIG_FILE: configFile },
    inheritEnv: false,
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.stdout.on('data', () => {});
  const url = `http://127.0.0.1:${port}`;
  try {
    await procs.waitForHttp(`${url}/health/live`, 60_000);
  } catch (e) {
    await procs.stop(child);
    throw new Error(`${e.message}\n${stderr}`);
  }
  return {
    url,
    pid: child.pid,
    child,
    memory: () => procs.memoryOf(child.pid),
    async stop() {
      await procs.stop(child, 5000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function json(method, url, body) {
  const r = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: r.status, body: parsed };
}

module.exports = { startService, json, cleanEnv };
