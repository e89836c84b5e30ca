'use strict';
/**
 * 1c/1d/2. Scale: `tasks` tasks in flight at once against a fake model that answers after
 * `delayMs`. agent-runner runs as the HTTP service (tasks submitted with ?wait=false, status
 * reads at a steady rate during the run, completion read back from the API) and in process;
 * the peers run in process. Reports wall time, task latency, status-read p99, peak RSS, RSS per
 * 1,000 in-flight tasks, and model request attempts per completed call (re-sends included),
 * counted by the fake model itself and, for agent-runner, by its own metrics.
 */
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const procs = require('./lib/procs');
const { startService, json } = require('./lib/service');
const { percentile } = require('./lib/stats');
const { createWorkspace, taskText } = require('./lib/task-spec');
const { benchRequest } = require('./lib/agent-runner-config');

const SERVICE_CPU = 1;
const DRIVER_CPU = 0;

/** `agent-runner-http@N`: the HTTP service with service.max_concurrent_tasks = N (the rest queue). */
const SCALE_CONTENDERS = [
  'openai-loop',
  'agent-runner-http',
  'agent-runner-http@1000',
  'agent-runner',
  'ai-sdk',
  'openai-agents',
  'langgraph',
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Pins this (driver) process to one CPU for the HTTP run; returns a function that undoes it. */
function pinSelf(cpu) {
  if (!procs.CAN_PIN) return () => {};
  spawnSync('taskset', ['-cp', String(cpu), String(process.pid)], { stdio: 'ignore' });
  return () => spawnSync('taskset', ['-cp', '0-1023', String(process.pid)], { stdio: 'ignore' });
}

async function pool(items, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** agent-runner as the HTTP service: submit everything, read statuses meanwhile, read results. */
async function runServiceScale({ fake, workspace, tasks, delayMs, maxConcurrent, log }) {
  const svc = await startService({
    endpoint: fake.url(delayMs),
    workspace,
    cpu: SERVICE_CPU,
    maxConcurrent,
    maxRetries: 3,
  });
  const unpin = pinSelf(DRIVER_CPU);
  try {
    // warm-up: a few tasks, so idle RSS is the service ready to work
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        json('POST', `${svc.url}/api/v1/tasks`, benchRequest(taskText, `s-warm-${i}`)),
      ),
    );
    await sleep(500);
    const idle = svc.memory();
    await fake.reset();
    const ids = [];
    const statusLatencies = [];
    let statusErrors = 0;
    let rssPeak = idle.rss_mb;
    let inFlightRss = null;
    const sampler = setInterval(() => {
      const m = svc.memory();
      if (m.rss_mb) rssPeak = Math.max(rssPeak, m.rss_mb);
    }, 100);
    // status reads at a steady 100/s on random submitted tasks, as polling clients would
    const reader = setInterval(() => {
      if (!ids.length) return;
      const id = ids[Math.floor(Math.random() * ids.length)];
      const t = performance.now();
      fetch(`${svc.url}/api/v1/tasks/${id}`)
        .then(async (r) => {
          await r.arrayBuffer();
          if (r.status !== 200) statusErrors++;
          statusLatencies.push(performance.now() - t);
        })
        .catch(() => statusErrors++);
    }, 10);
    const t0 = Date.now();
    let submitErrors = 0;
    await pool(
      Array.from({ length: tasks }, (_, i) => i),
      200,
      async (i) => {
        const r = await json(
          'POST',
          `${svc.url}/api/v1/tasks?wait=false`,
          benchRequest(taskText, `s-${i}`),
        );
        if (r.status === 202 || r.status === 200) ids.push(r.body.task_id);
        else submitErrors++;
      },
    );
    const submittedMs = Date.now() - t0;
    inFlightRss = svc.memory().rss_mb;
    log(`  agent-runner-http: ${ids.length} tasks submitted in ${submittedMs} ms`);
    const deadline = Date.now() + Math.max(120_000, tasks * 60);
    let status;
    for (;;) {
      status = (await json('GET', `${svc.url}/api/v1/status`)).body;
      if (status.active_tasks === 0 && status.queued_tasks === 0) break;
      if (Date.now() > deadline)
        throw new Error(`scale run did not finish: ${JSON.stringify(status)}`);
      await sleep(100);
    }
    clearInterval(reader);
    clearInterval(sampler);
    const hwm = svc.memory().hwm_mb;
    // every task read back: wall time from the records, latency, calls and attempts per task
    const records = [];
    let cursor;
    do {
      const page = await json(
        'GET',
        `${svc.url}/api/v1/tasks?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      );
      records.push(...page.body.tasks);
      cursor = page.body.next_cursor;
    } while (cursor);
    const mine = records.filter((t) => /\[bench:s-\d+\]/.test(t.task));
    const done = mine.filter((t) => t.status === 'completed');
    const lastMs = Math.max(...mine.map((t) => Date.parse(t.completed_at)));
    const metrics = (await json('GET', `${svc.url}/api/v1/metrics`)).body;
    const server = await fake.stats();
    const modelCalls = mine.reduce((a, t) => a + t.metrics.model_calls, 0);
    const attempts = mine.reduce((a, t) => a + t.metrics.model_attempts, 0);
    return {
      contender: 'agent-runner-http',
      label: 'agent-runner (HTTP service, SQLite store)',
      tasks,
      ok: done.length,
      failed: mine.length - done.length + submitErrors,
      wall_ms: lastMs - t0,
      submit_ms: submittedMs,
      latency_p50_ms: percentile(
        mine.map((t) => t.metrics.total_time_ms),
        50,
      ),
      latency_p99_ms: percentile(
        mine.map((t) => t.metrics.total_time_ms),
        99,
      ),
      status_reads: statusLatencies.length,
      status_errors: statusErrors,
      status_p50_ms: percentile(statusLatencies, 50),
      status_p99_ms: percentile(statusLatencies, 99),
      rss_idle_mb: idle.rss_mb,
      rss_in_flight_mb: inFlightRss,
      rss_peak_mb: Math.max(rssPeak, hwm ?? 0),
      model_calls: modelCalls,
      task_reported_attempts: attempts,
      service_metric_attempts: metrics.model?.attempts ?? null,
      service_metric_requests: metrics.model?.requests ?? null,
      server_requests: server.requests,
      server_resent: server.resent,
      server_max_in_flight: server.max_in_flight,
      attempts_per_call: server.requests / Math.max(1, server.distinct_calls),
    };
  } finally {
    unpin();
    await svc.stop();
  }
}

async function runScale({
  contenders = SCALE_CONTENDERS,
  tasks = 5000,
  delayMs = 1000,
  maxConcurrent = 100_000,
  log = () => {},
} = {}) {
  const fake = await procs.startFakeModel({ cpu: DRIVER_CPU });
  const workspace = createWorkspace();
  const rows = [];
  try {
    for (const name of contenders) {
      await fake.reset();
      let row;
      const http = /^agent-runner-http(?:@(\d+))?$/.exec(name);
      if (http) {
        const limit = http[1] ? Number(http[1]) : maxConcurrent;
        row = await runServiceScale({ fake, workspace, tasks, delayMs, maxConcurrent: limit, log });
        row.contender = name;
        row.max_concurrent_tasks = limit;
        row.label =
          limit >= tasks
            ? 'agent-runner (HTTP service, every task running)'
            : `agent-runner (HTTP service, max_concurrent_tasks ${limit})`;
      } else {
        const res = await procs.runWorker(
          name,
          {
            baseURL: fake.url(delayMs),
            workspace,
            warmup: 10,
            tasks,
            concurrency: 10,
            mode: 'burst',
            runId: 'scale',
            maxRetries: 3,
          },
          { cpu: SERVICE_CPU, timeoutMs: 15 * 60_000 },
        );
        const server = await fake.stats();
        row = {
          ...res,
          rss_in_flight_mb: null,
          server_requests: server.requests,
          server_resent: server.resent,
          server_max_in_flight: server.max_in_flight,
          attempts_per_call: server.requests / Math.max(1, server.distinct_calls),
        };
      }
      row.rss_per_1000_in_flight_mb = ((row.rss_peak_mb - row.rss_idle_mb) * 1000) / tasks;
      rows.push(row);
      log(
        `  ${name}: wall ${(row.wall_ms / 1000).toFixed(1)} s, ${row.ok}/${tasks} ok, p99 ${Math.round(row.latency_p99_ms)} ms, peak RSS ${Math.round(row.rss_peak_mb)} MB, ${row.attempts_per_call.toFixed(3)} attempts/call${row.status_p99_ms ? `, status p99 ${row.status_p99_ms.toFixed(1)} ms` : ''}`,
      );
    }
  } finally {
    await fake.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  return {
    tasks,
    delay_ms: delayMs,
    service_max_concurrent_tasks: maxConcurrent,
    pinned: procs.CAN_PIN,
    rows,
  };
}

module.exports = { runScale, SCALE_CONTENDERS };
