'use strict';
/**
 * Closed-loop HTTP load for a fixed time: wrk where it is installed (C, cheap on the client
 * side), autocannon otherwise. Both report requests/s, p50 and p99 latency and non-2xx answers.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const procs = require('./procs');

function wrkLatencyMs(text, label) {
  const m = new RegExp(`^\\s+${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(text);
  if (!m) return null;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

async function runWrk({ url, method, body, connections, seconds, cpu }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  let script;
  if (method === 'POST') {
    script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-wrk-')), 'post.lua');
    fs.writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = ${JSON.stringify(JSON.stringify(body))}\n`,
    );
    args.push('-s', script);
  }
  const child = procs.start('wrk', [...args, url], { cpu });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => child.on('exit', resolve));
  if (script) fs.rmSync(path.dirname(script), { recursive: true, force: true });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`wrk gave no result:\n${out}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const errors = /Socket errors:.*?timeout (\d+)/.exec(out);
  return {
    requests_per_s: Number(rps[1]),
    p50_ms: wrkLatencyMs(out, '50%'),
    p99_ms: wrkLatencyMs(out, '99%'),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    errors: errors ? Number(errors[1]) : 0,
  };
}

async function runAutocannon({ url, method, body, connections, seconds, cpu }) {
  const opts = {
    url,
    method,
    connections,
    duration: seconds,
    ...(body
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  };
  const child = procs.start(
    process.execPath,
    [path.join(__dirname, 'autocannon-run.js'), JSON.stringify(opts)],
    {
      cpu,
    },
  );
  const result = await procs.firstJsonLine(child, () => true, (seconds + 30) * 1000, 'RESULT ');
  if (result.error) throw new Error(result.error);
  return result;
}

/** The tool the benches use: `wrk` when installed, unless `AGENT_RUNNER_BENCH_HTTP_TOOL` says. */
function httpTool() {
  const asked = process.env.AGENT_RUNNER_BENCH_HTTP_TOOL;
  if (asked === 'wrk' || asked === 'autocannon') return asked;
  return procs.hasCommand('wrk') ? 'wrk' : 'autocannon';
}

function load(options) {
  return httpTool() === 'wrk' ? runWrk(options) : runAutocannon(options);
}

module.exports = { load, httpTool };
