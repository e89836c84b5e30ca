'use strict';
/**
 * `npm run bench`: agent-runner against a bare-Fastify baseline and against the agent frameworks
 * people would use instead, in one run, with one scripted fake model (docs/performance.md).
 *
 *   npm run bench                              # everything, a few minutes
 *   npm run bench -- --only http,orchestration # sections: http, orchestration, accounting, scale, limiter
 *   npm run bench -- --rounds 5 --tasks 4000   # more rounds / tasks per orchestration run
 *   npm run bench -- --scale-tasks 5000 --scale-delay-ms 1000 --scale-contenders openai-loop,agent-runner-http
 *   npm run bench -- --quick                   # 1 round, smaller runs (a smoke test)
 *   npm run bench -- --no-pin                  # do not pin processes to CPUs
 *
 * Installs bench/peers (npm ci) when needed, builds dist/ when missing (AGENT_RUNNER_BENCH_DIST
 * points at another build), prints Markdown tables and writes bench/results/bench-<time>.json.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const procs = require('./lib/procs');
const { fmt, table } = require('./lib/stats');
const { DIST, ROOT } = require('./lib/agent-runner-config');
const { PEERS_DIR } = require('./lib/task-spec');

function parseArgs(argv) {
  const o = {
    only: ['http', 'orchestration', 'accounting', 'scale', 'limiter'],
    rounds: 3,
    tasks: 2000,
    warmup: 300,
    concurrency: 100,
    httpSeconds: 5,
    connections: 50,
    scaleTasks: 5000,
    scaleDelayMs: 1000,
    scaleContenders: null,
    contenders: null,
    pin: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--only') o.only = v().split(',');
    else if (a === '--rounds') o.rounds = Number(v());
    else if (a === '--tasks') o.tasks = Number(v());
    else if (a === '--warmup') o.warmup = Number(v());
    else if (a === '--concurrency') o.concurrency = Number(v());
    else if (a === '--http-seconds') o.httpSeconds = Number(v());
    else if (a === '--connections') o.connections = Number(v());
    else if (a === '--scale-tasks') o.scaleTasks = Number(v());
    else if (a === '--scale-delay-ms') o.scaleDelayMs = Number(v());
    else if (a === '--scale-contenders') o.scaleContenders = v().split(',');
    else if (a === '--contenders') o.contenders = v().split(',');
    else if (a === '--no-pin') o.pin = false;
    else if (a === '--quick')
      Object.assign(o, { rounds: 1, tasks: 300, warmup: 50, httpSeconds: 3, scaleTasks: 1000 });
    else throw new Error(`unknown option ${a} (see the head of bench/run.js)`);
  }
  return o;
}

/** Installs the peer frameworks (bench/peers) when missing or out of date with their lockfile. */
function ensurePeers() {
  const lock = path.join(PEERS_DIR, 'package-lock.json');
  const stamp = path.join(PEERS_DIR, 'node_modules', '.package-lock.json');
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.error('installing the peer frameworks (bench/peers: npm ci)…');
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: PEERS_DIR,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('npm ci in bench/peers failed');
}

function ensureBuild() {
  if (
    fs.existsSync(path.join(DIST, 'main.js')) &&
    fs.existsSync(path.join(DIST, 'app', 'core.module.js'))
  )
    return;
  console.error('building the service (npm run build)…');
  const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpus: cpus.length,
    cpu_model: cpus[0]?.model,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    load_average: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

const ms = (v) => (v === null || v === undefined ? '—' : `${fmt(v, v < 10 ? 2 : 0)} ms`);

function httpTable(h) {
  return table(
    ['endpoint', 'agent-runner req/s', 'p50', 'p99', 'bare Fastify req/s', 'p50', 'p99', 'ratio'],
    h.rows.map((r) => [
      r.case,
      fmt(r.agent_runner.requests_per_s, 0),
      ms(r.agent_runner.p50_ms),
      ms(r.agent_runner.p99_ms),
      fmt(r.bare_fastify.requests_per_s, 0),
      ms(r.bare_fastify.p50_ms),
      ms(r.bare_fastify.p99_ms),
      fmt(r.ratio, 2),
    ]),
  );
}

function orchestrationTable(o) {
  const loop = o.rows.find((r) => r.contender === 'openai-loop');
  return table(
    [
      'contender',
      'CPU ms / model call',
      'vs plain loop',
      'tasks/s',
      'latency p50',
      'latency p99',
      'peak RSS',
      'failed',
    ],
    o.rows.map((r) => [
      r.label,
      fmt(r.cpu_ms_per_model_call, 2),
      loop ? `${fmt(r.cpu_ms_per_model_call / loop.cpu_ms_per_model_call, 2)}×` : '—',
      fmt(r.tasks_per_s, 0),
      ms(r.latency_p50_ms),
      ms(r.latency_p99_ms),
      `${fmt(r.rss_peak_mb, 0)} MB`,
      r.failed,
    ]),
  );
}

function scaleTable(s) {
  const loop = s.rows.find((r) => r.contender === 'openai-loop');
  return table(
    [
      'contender',
      'wall',
      'vs plain loop',
      'ok',
      'task p50',
      'task p99',
      'status p99',
      'idle RSS',
      'peak RSS',
      'RSS / 1,000 in flight',
      'attempts / call',
    ],
    s.rows.map((r) => [
      r.label,
      `${fmt(r.wall_ms / 1000, 1)} s`,
      loop ? `${fmt(r.wall_ms / loop.wall_ms, 2)}×` : '—',
      `${r.ok}/${r.tasks}`,
      ms(r.latency_p50_ms),
      ms(r.latency_p99_ms),
      r.status_p99_ms !== undefined ? ms(r.status_p99_ms) : '—',
      `${fmt(r.rss_idle_mb, 0)} MB`,
      `${fmt(r.rss_peak_mb, 0)} MB`,
      `${fmt(r.rss_per_1000_in_flight_mb, 0)} MB`,
      fmt(r.attempts_per_call, 3),
    ]),
  );
}

function accountingTable(a) {
  return `## Accounting (${a.tasks} tasks, ${a.error_permille / 10}% of model requests answered 503, default retries)\n\n${table(
    [
      'contender',
      'ok',
      'requests the model saw',
      'of which 503',
      'calls answered',
      'attempts / call',
      'attempts agent-runner reports (tasks / metric)',
    ],
    a.rows.map((r) => [
      r.label,
      `${r.ok}/${r.tasks}`,
      r.server_requests,
      r.server_injected_errors,
      r.server_answered_calls,
      fmt(r.attempts_per_call, 3),
      r.reported_attempts ? `${r.reported_attempts} / ${r.metric_attempts}` : '—',
    ]),
  )}`;
}

function limiterTables(l) {
  const storage = table(
    ['storage', 'µs / request at 1,000 hits', 'at 100,000 hits', '100k / 1k'],
    l.storage.map((r) => [
      r.storage,
      fmt(r.us_at_1000, 2),
      fmt(r.us_at_100000, 2),
      `${fmt(r.growth, 2)}×`,
    ]),
  );
  const http = table(
    ['GET /api/v1/status', 'req/s', 'p99', 'server CPU / request'],
    [
      [
        'limiter off',
        fmt(l.http.off.requests_per_s, 0),
        ms(l.http.off.p99_ms),
        `${fmt(l.http.off.server_cpu_us_per_request, 0)} µs`,
      ],
      [
        'limiter on (10,000,000 / min, burst 10,000,000)',
        fmt(l.http.on.requests_per_s, 0),
        ms(l.http.on.p99_ms),
        `${fmt(l.http.on.server_cpu_us_per_request, 0)} µs`,
      ],
      ['on / off (median of per-round ratios)', fmt(l.http.ratio, 2), '', fmt(l.http.cpu_ratio, 2)],
    ],
  );
  return `## Rate limiter (${l.tool}, ${l.connections} connections, ${l.seconds} s × ${l.rounds} rounds, medians)\n\n${storage}\n\n${http}`;
}

function targets(result) {
  const lines = [];
  const check = (ok, text) => lines.push(`${ok ? 'met   ' : 'MISSED'}  ${text}`);
  const h = result.http;
  if (h) {
    const get = h.rows[0];
    const post = h.rows[1];
    check(get.ratio >= 0.8, `GET ≥ 0.8 of bare Fastify: ${fmt(get.ratio, 2)}`);
    check(post.ratio >= 0.5, `POST ≥ 0.5 of bare Fastify: ${fmt(post.ratio, 2)}`);
  }
  const o = result.orchestration;
  if (o) {
    const ours = o.rows.find((r) => r.contender === 'agent-runner');
    const peers = o.rows.filter((r) => !['agent-runner', 'openai-loop'].includes(r.contender));
    const fastest = peers.reduce((a, r) => (!a || r.tasks_per_s > a.tasks_per_s ? r : a), null);
    if (ours)
      check(
        ours.cpu_ms_per_model_call <= 1.0,
        `≤ 1.0 ms client CPU per model call: ${fmt(ours.cpu_ms_per_model_call, 2)} ms`,
      );
    if (ours && fastest)
      check(
        ours.tasks_per_s >= fastest.tasks_per_s,
        `tasks/s ≥ the fastest peer framework (${fastest.label}, ${fmt(fastest.tasks_per_s, 0)}): ${fmt(ours.tasks_per_s, 0)}`,
      );
  }
  const l = result.limiter;
  if (l) {
    const ours = l.storage[0];
    check(
      ours.growth <= 1.5,
      `limiter cost per request flat as hits grow (100k vs 1k, within noise): ${fmt(ours.us_at_1000, 2)} → ${fmt(ours.us_at_100000, 2)} µs`,
    );
    check(
      l.http.ratio >= 0.9,
      `GET with the limiter on (high limits) within 10% of off: ${fmt(l.http.ratio, 2)}`,
    );
  }
  const s = result.scale;
  if (s) {
    const loop = s.rows.find((r) => r.contender === 'openai-loop');
    const http = s.rows.find((r) => r.contender === 'agent-runner-http');
    const limited = s.rows.find((r) => r.contender.startsWith('agent-runner-http@'));
    if (limited)
      check(
        limited.status_p99_ms < 100,
        `status p99 under 100 ms with ${limited.label}: ${ms(limited.status_p99_ms)}`,
      );
    if (http && loop)
      check(
        http.wall_ms <= 1.2 * loop.wall_ms,
        `${s.tasks} tasks within 1.2× the plain loop's wall time: ${fmt(http.wall_ms / loop.wall_ms, 2)}×`,
      );
    if (http) check(http.rss_peak_mb < 1024, `peak RSS under 1 GB: ${fmt(http.rss_peak_mb, 0)} MB`);
    if (http) check(http.status_p99_ms < 100, `status p99 under 100 ms: ${ms(http.status_p99_ms)}`);
  }
  return lines.join('\n');
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  procs.setPinning(o.pin);
  ensureBuild();
  // The peer frameworks (and autocannon, without wrk) come from bench/peers.
  const { httpTool } = require('./lib/http-load');
  if (o.only.some((s) => ['orchestration', 'accounting', 'scale'].includes(s)) || httpTool() !== 'wrk')
    ensurePeers();
  const started = new Date();
  const result = { started_at: started.toISOString(), machine: machine(), options: o, dist: DIST };
  const log = (line) => console.error(line);
  console.error(
    `agent-runner bench on ${result.machine.cpus} × ${result.machine.cpu_model}, Node ${process.version}, load average ${result.machine.load_average.join(' ')}${procs.CAN_PIN && o.pin ? '' : ' (no CPU pinning)'}`,
  );

  if (o.only.includes('http')) {
    console.error('\n1a. HTTP overhead…');
    const { runHttpOverhead } = require('./http-overhead');
    result.http = await runHttpOverhead({
      rounds: o.rounds,
      seconds: o.httpSeconds,
      connections: o.connections,
      log,
    });
  }
  if (o.only.includes('orchestration')) {
    console.error('\n1b. Orchestration against peers…');
    const { runOrchestration, ALL_CONTENDERS } = require('./orchestration');
    result.orchestration = await runOrchestration({
      contenders: o.contenders ?? ALL_CONTENDERS,
      rounds: o.rounds,
      tasks: o.tasks,
      warmup: o.warmup,
      concurrency: o.concurrency,
      log,
    });
  }
  if (o.only.includes('accounting')) {
    console.error('\n2. Accounting: one model request in ten answered 503…');
    const { runAccounting } = require('./accounting');
    const { ALL_CONTENDERS } = require('./orchestration');
    result.accounting = await runAccounting({ contenders: o.contenders ?? ALL_CONTENDERS, log });
  }
  if (o.only.includes('scale')) {
    console.error(
      `\n1c. Scale: ${o.scaleTasks} tasks in flight, model answers in ${o.scaleDelayMs} ms…`,
    );
    const { runScale, SCALE_CONTENDERS } = require('./scale');
    result.scale = await runScale({
      contenders: o.scaleContenders ?? SCALE_CONTENDERS,
      tasks: o.scaleTasks,
      delayMs: o.scaleDelayMs,
      log,
    });
  }
  if (o.only.includes('limiter')) {
    console.error('\n4. Rate limiter: storage cost per request, and GET throughput on vs off…');
    const { runLimiter } = require('./limiter');
    result.limiter = await runLimiter({
      rounds: o.rounds,
      seconds: Math.max(o.httpSeconds, 10),
      connections: o.connections,
      log,
    });
  }
  result.finished_at = new Date().toISOString();

  const out = [];
  if (result.http)
    out.push(
      `## HTTP overhead (${result.http.tool}, ${result.http.connections} connections, ${result.http.seconds} s × ${result.http.rounds} rounds, medians)\n\n${httpTable(result.http)}`,
    );
  if (result.orchestration) {
    const r = result.orchestration;
    out.push(
      `## Orchestration (${r.tasks} tasks, ${r.concurrency} in flight, 3 model calls + 2 tool calls each, ${r.rounds} rounds, medians)\n\n${orchestrationTable(r)}`,
    );
  }
  if (result.accounting) out.push(accountingTable(result.accounting));
  if (result.scale)
    out.push(
      `## Scale (${result.scale.tasks} tasks in flight, model answers in ${result.scale.delay_ms} ms)\n\n${scaleTable(result.scale)}`,
    );
  if (result.limiter) out.push(limiterTables(result.limiter));
  out.push(`## Targets\n\n${targets(result)}`);
  process.stdout.write(`\n${out.join('\n\n')}\n`);
  const file = path.join(
    __dirname,
    'results',
    `bench-${started.toISOString().replace(/[:.]/g, '-')}.json`,
  );
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(result, null, 2));
  console.error(`\nraw figures: ${path.relative(process.cwd(), file)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
