'use strict';
/**
 * Runs one contender in its own process so its CPU and memory are measured alone:
 *   node bench/lib/worker.js <contender> '<json options>'
 * Modes: "throughput" (warm up, then `tasks` tasks with `concurrency` in flight) and "burst"
 * (warm up, then all `tasks` started at once). Prints one line `RESULT {json}`.
 */
const path = require('node:path');
const { percentile } = require('./stats');

async function pool(count, concurrency, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) await fn(next++);
  });
  await Promise.all(workers);
}

async function main() {
  const [name, json] = process.argv.slice(2);
  const opts = JSON.parse(json);
  const create = require(path.join(__dirname, '..', 'contenders', `${name}.js`));
  const contender = await create(opts);
  const outcome = { ok: 0, failed: 0, modelCalls: 0, attempts: 0, firstError: null };
  const latencies = [];
  const runOne = async (id) => {
    const started = performance.now();
    try {
      const r = await contender.runTask(id);
      latencies.push(performance.now() - started);
      outcome.modelCalls += r.modelCalls || 0;
      outcome.attempts += r.attempts || 0;
      if (r.ok) outcome.ok++;
      else {
        outcome.failed++;
        outcome.firstError ??= JSON.stringify(r.error ?? r.text ?? 'not ok').slice(0, 300);
      }
    } catch (e) {
      latencies.push(performance.now() - started);
      outcome.failed++;
      outcome.firstError ??= String(e && e.stack ? e.stack : e).slice(0, 300);
    }
  };

  const run = `${opts.runId ?? 'r'}-${name}`;
  await pool(opts.warmup ?? 0, opts.concurrency ?? 10, (i) => runOne(`${run}-w${i}`));
  Object.assign(outcome, { ok: 0, failed: 0, modelCalls: 0, attempts: 0, firstError: null });
  latencies.length = 0;
  if (global.gc) global.gc();
  const rssIdle = process.memoryUsage().rss;
  let rssPeak = rssIdle;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  }, 100);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (opts.mode === 'burst') {
    await Promise.all(Array.from({ length: opts.tasks }, (_, i) => runOne(`${run}-${i}`)));
  } else {
    await pool(opts.tasks, opts.concurrency, (i) => runOne(`${run}-${i}`));
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
  const result = {
    contender: name,
    label: contender.label,
    mode: opts.mode,
    tasks: opts.tasks,
    ok: outcome.ok,
    failed: outcome.failed,
    first_error: outcome.firstError,
    model_calls: outcome.modelCalls,
    reported_attempts: outcome.attempts,
    wall_ms: wallMs,
    cpu_ms: (cpu.user + cpu.system) / 1000,
    cpu_ms_per_model_call: (cpu.user + cpu.system) / 1000 / Math.max(1, outcome.modelCalls),
    tasks_per_s: (outcome.ok + outcome.failed) / (wallMs / 1000),
    latency_p50_ms: percentile(latencies, 50),
    latency_p99_ms: percentile(latencies, 99),
    rss_idle_mb: rssIdle / 1048576,
    rss_peak_mb: rssPeak / 1048576,
    max_rss_mb: process.resourceUsage().maxRSS / 1024,
  };
  if (contender.stats) result.contender_stats = await contender.stats();
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  await contender.close();
  process.exit(0);
}

main().catch((e) => {
  process.stdout.write(`RESULT ${JSON.stringify({ error: String(e && e.stack ? e.stack : e) })}\n`);
  process.exit(1);
});
