'use strict';
/**
 * 1b. Orchestration against peers: the same task (3 model calls, 2 tool calls) with `concurrency`
 * tasks in flight, each contender in its own process on one CPU, the fake model on the other.
 * Contenders alternate A B C … A B C … and the medians of the rounds are reported.
 */
const fs = require('node:fs');
const procs = require('./lib/procs');
const { median } = require('./lib/stats');
const { createWorkspace } = require('./lib/task-spec');

const CLIENT_CPU = 1;
const FAKE_CPU = 0;

/** Every contender in bench/contenders, agent-runner first. */
const ALL_CONTENDERS = ['agent-runner', 'openai-loop', 'ai-sdk', 'openai-agents', 'langgraph'];

async function runOrchestration({
  contenders = ALL_CONTENDERS,
  rounds = 3,
  tasks = 1000,
  warmup = 200,
  concurrency = 100,
  log = () => {},
} = {}) {
  const fake = await procs.startFakeModel({ cpu: FAKE_CPU });
  const workspace = createWorkspace();
  const runs = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const name of contenders) {
        await fake.reset();
        const res = await procs.runWorker(
          name,
          {
            baseURL: fake.url(),
            workspace,
            warmup,
            tasks,
            concurrency,
            mode: 'throughput',
            runId: `o${r}`,
          },
          { cpu: CLIENT_CPU },
        );
        const server = await fake.stats();
        runs.push({
          ...res,
          round: r + 1,
          server_requests: server.requests,
          server_resent: server.resent,
        });
        log(
          `  ${name} round ${r + 1}: ${res.cpu_ms_per_model_call.toFixed(2)} ms CPU/model call, ${Math.round(res.tasks_per_s)} tasks/s, p50 ${Math.round(res.latency_p50_ms)} ms${res.failed ? `, ${res.failed} FAILED (${res.first_error})` : ''}`,
        );
      }
    }
  } finally {
    await fake.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  const rows = contenders.map((name) => {
    const mine = runs.filter((x) => x.contender === name);
    const m = (k) => median(mine.map((x) => x[k]));
    return {
      contender: name,
      label: mine[0]?.label ?? name,
      cpu_ms_per_model_call: m('cpu_ms_per_model_call'),
      tasks_per_s: m('tasks_per_s'),
      latency_p50_ms: m('latency_p50_ms'),
      latency_p99_ms: m('latency_p99_ms'),
      rss_peak_mb: m('rss_peak_mb'),
      failed: mine.reduce((a, x) => a + x.failed, 0),
      model_calls_per_task: m('model_calls') / tasks,
      server_requests_per_task: median(mine.map((x) => x.server_requests / (tasks + warmup))),
      cpu_runs: mine.map((x) => Number(x.cpu_ms_per_model_call.toFixed(3))),
    };
  });
  return { tasks, warmup, concurrency, rounds, pinned: procs.CAN_PIN, rows, runs };
}

module.exports = { runOrchestration, ALL_CONTENDERS };
