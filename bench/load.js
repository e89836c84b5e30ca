'use strict';
/**
 * 3. Load and soak against the fake model (bench/load.sh is the entry point):
 *  - load: `hey -n 1000 -c 50` POST /api/v1/tasks (synchronous answers, the seed README's test);
 *  - soak: a steady rate of POST /api/v1/tasks?wait=false for --soak-seconds (default 600).
 * Passes when there is no 5xx, every accepted task ends terminal, and RSS stays flat after the
 * warm-up: the least-squares slope, over the last 90% of the soak, of the lowest RSS in each
 * window (a minute, or a fifth of a shorter soak). The lowest sample of a window is the floor the
 * garbage collector returns to; a leak raises it, while single samples swing by tens of MB with
 * each collection (the slope of all samples is reported too). Exits 1 otherwise.
 */
const fs = require('node:fs');
const path = require('node:path');
const procs = require('./lib/procs');
const { startService, json } = require('./lib/service');
const { createWorkspace } = require('./lib/task-spec');

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'timeout']);

function parseArgs(argv) {
  const o = {
    n: 1000,
    c: 50,
    soakSeconds: 600,
    soakRate: 20,
    modelDelayMs: 100,
    skipLoad: false,
    skipSoak: false,
    out: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '-n') o.n = Number(next());
    else if (a === '-c') o.c = Number(next());
    else if (a === '--soak-seconds') o.soakSeconds = Number(next());
    else if (a === '--soak-rate') o.soakRate = Number(next());
    else if (a === '--model-delay-ms') o.modelDelayMs = Number(next());
    else if (a === '--skip-load') o.skipLoad = true;
    else if (a === '--skip-soak') o.skipSoak = true;
    else if (a === '--json') o.out = next();
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Runs hey and parses its summary (status codes, requests/s, latency percentiles in ms). */
async function hey(args) {
  const child = procs.start('hey', args, { cpu: 0 });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const codes = {};
  for (const m of out.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)) codes[m[1]] = Number(m[2]);
  const pct = (p) => {
    const m = new RegExp(`${p}%% in ([\\d.]+) secs`.replace('%%', '%')).exec(out);
    return m ? Number(m[1]) * 1000 : null;
  };
  const errors = /Error distribution:\n([\s\S]*)$/.exec(out)?.[1].trim() ?? '';
  return {
    exit_code: code,
    status_codes: codes,
    requests_per_s: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50_ms: pct(50),
    p99_ms: pct(99),
    errors,
    raw: code === 0 ? undefined : out.slice(-2000),
  };
}

/** Every task of the service, paged through the API. */
async function allTasks(url) {
  const tasks = [];
  let cursor;
  do {
    const page = await json(
      'GET',
      `${url}/api/v1/tasks?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    );
    tasks.push(...page.body.tasks);
    cursor = page.body.next_cursor;
  } while (cursor);
  return tasks;
}

/** Waits until nothing runs or waits (or `ms` passes); returns the last status. */
async function drain(url, ms) {
  const until = Date.now() + ms;
  for (;;) {
    const s = (await json('GET', `${url}/api/v1/status`)).body;
    if ((s.active_tasks === 0 && s.queued_tasks === 0) || Date.now() > until) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The lowest sample of each window of `windowMs` (placed at the window's start). */
function floors(samples, windowMs) {
  const byWindow = new Map();
  for (const s of samples) {
    const w = Math.floor(s.t / windowMs);
    const low = byWindow.get(w);
    if (!low || s.rss_mb < low.rss_mb) byWindow.set(w, { t: w * windowMs, rss_mb: s.rss_mb });
  }
  return [...byWindow.values()];
}

function slopeMbPerMin(samples) {
  const n = samples.length;
  if (n < 2) return 0;
  const xs = samples.map((s) => s.t / 60_000);
  const ys = samples.map((s) => s.rss_mb);
  const mx = xs.reduce((a, b) => a + b) / n;
  const my = ys.reduce((a, b) => a + b) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den ? num / den : 0;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!procs.hasCommand('hey'))
    throw new Error('hey is not installed (apt-get install -y hey); bench/load.sh installs it');
  const fake = await procs.startFakeModel({ cpu: 0 });
  const workspace = createWorkspace();
  const svc = await startService({
    endpoint: fake.url(o.modelDelayMs),
    workspace,
    cpu: 1,
    maxConcurrent: 100,
    maxRetries: 3,
  });
  const body = JSON.stringify({
    task: 'Summarize the README.md of the working directory.',
    context: { tools: ['list_files', 'read_file'] },
  });
  const report = { started_at: new Date().toISOString(), options: o, passed: true, problems: [] };
  const fail = (msg) => {
    report.passed = false;
    report.problems.push(msg);
    console.error(`FAIL: ${msg}`);
  };
  try {
    const bodyArgs = ['-m', 'POST', '-T', 'application/json', '-d', body];
    if (!o.skipLoad) {
      console.error(`load: hey -n ${o.n} -c ${o.c} POST /api/v1/tasks (synchronous answers)`);
      const load = await hey([
        '-n',
        String(o.n),
        '-c',
        String(o.c),
        '-t',
        '120',
        ...bodyArgs,
        `${svc.url}/api/v1/tasks`,
      ]);
      report.load = load;
      const fivexx = Object.entries(load.status_codes)
        .filter(([c]) => c >= '500')
        .reduce((a, [, n]) => a + n, 0);
      const ok = load.status_codes['200'] ?? 0;
      console.error(
        `  ${JSON.stringify(load.status_codes)}; ${load.requests_per_s} req/s (tasks/s); p50 ${load.p50_ms} ms, p99 ${load.p99_ms} ms`,
      );
      if (fivexx) fail(`load: ${fivexx} answers were 5xx`);
      if (ok !== o.n)
        fail(`load: ${ok} of ${o.n} answers were 200 (${load.errors || 'no client errors'})`);
    }
    if (!o.skipSoak) {
      const workers = Math.max(1, Math.min(50, Math.round(o.soakRate / 2)));
      const perWorker = o.soakRate / workers;
      console.error(
        `soak: ${o.soakRate} tasks/s (hey -c ${workers} -q ${perWorker}) for ${o.soakSeconds} s, POST /api/v1/tasks?wait=false`,
      );
      const samples = [];
      const t0 = Date.now();
      const sampler = setInterval(() => {
        const m = svc.memory();
        if (m.rss_mb) samples.push({ t: Date.now() - t0, rss_mb: m.rss_mb });
      }, 5000);
      const soak = await hey([
        '-z',
        `${o.soakSeconds}s`,
        '-c',
        String(workers),
        '-q',
        String(perWorker),
        '-t',
        '60',
        ...bodyArgs,
        `${svc.url}/api/v1/tasks?wait=false`,
      ]);
      clearInterval(sampler);
      const status = await drain(svc.url, 120_000);
      const tasks = await allTasks(svc.url);
      const open = tasks.filter((t) => !TERMINAL.has(t.status));
      const byStatus = {};
      for (const t of tasks) byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
      const accepted = (soak.status_codes['202'] ?? 0) + (soak.status_codes['200'] ?? 0);
      const warm = samples.filter((s) => s.t >= (o.soakSeconds * 1000) / 10);
      const slopeAll = slopeMbPerMin(warm);
      const windowMs = Math.min(60_000, (o.soakSeconds * 1000) / 5);
      const floorSamples = floors(warm, windowMs);
      const slope = slopeMbPerMin(floorSamples);
      report.soak = {
        ...soak,
        accepted,
        tasks_in_store: tasks.length,
        tasks_by_status: byStatus,
        not_terminal: open.length,
        rss_after_warmup_mb: warm[0]?.rss_mb ?? null,
        rss_end_mb: samples.at(-1)?.rss_mb ?? null,
        rss_max_mb: Math.max(...samples.map((s) => s.rss_mb)),
        rss_floor_slope_mb_per_min: slope,
        rss_floors: floorSamples,
        rss_slope_all_samples_mb_per_min: slopeAll,
        rss_samples: samples,
        final_status: status,
      };
      console.error(
        `  ${JSON.stringify(soak.status_codes)}; ${soak.requests_per_s} req/s; p50 ${soak.p50_ms} ms, p99 ${soak.p99_ms} ms; ${tasks.length} tasks stored ${JSON.stringify(byStatus)}; RSS ${report.soak.rss_after_warmup_mb?.toFixed(0)} → ${report.soak.rss_end_mb?.toFixed(0)} MB (max ${report.soak.rss_max_mb.toFixed(0)}; floors ${floorSamples.map((f) => f.rss_mb.toFixed(0)).join(' ')}; floor slope ${slope.toFixed(2)} MB/min, all samples ${slopeAll.toFixed(2)})`,
      );
      const fivexx = Object.entries(soak.status_codes)
        .filter(([c]) => c >= '500')
        .reduce((a, [, n]) => a + n, 0);
      if (fivexx) fail(`soak: ${fivexx} answers were 5xx`);
      if (open.length) fail(`soak: ${open.length} accepted tasks are not terminal`);
      const others = Object.keys(soak.status_codes).filter((c) => c !== '202' && c !== '200');
      if (others.length) fail(`soak: unexpected answers ${others.join(', ')}`);
      // flat: under 1 MB/min after warm-up (a leak of 1 KB per task at 20 tasks/s would be 1.2 MB/min)
      if (slope > 1) fail(`soak: the RSS floor grows ${slope.toFixed(2)} MB/min after warm-up`);
    }
  } finally {
    await svc.stop();
    await fake.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  report.finished_at = new Date().toISOString();
  const out =
    o.out ??
    path.join(__dirname, 'results', `load-${report.started_at.replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2));
  console.error(`${report.passed ? 'PASSED' : 'FAILED'}; report: ${out}`);
  process.exit(report.passed ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
