'use strict';
/**
 * 1a. HTTP overhead: GET /api/v1/tasks/{id} and POST /api/v1/tasks?wait=false on agent-runner
 * (dist/main.js: guard, throttler off, validation pipe, SQLite store, events, metrics, logging)
 * against a bare Fastify server doing the equivalent work (lib/baseline-server.js), alternating
 * A B A B. Servers on one CPU, the load generator on the other.
 *
 * POSTed tasks must not run during the measurement (that is the orchestration bench's job): the
 * service runs one task at a time and, after the GET document is made, the fake model is told
 * to answer only after an hour (POST /hold on the fake model: live model changes are admin-only),
 * so every accepted task waits in the queue — as the baseline's Map holds them.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const procs = require('./lib/procs');
const { load, httpTool } = require('./lib/http-load');
const { startService, json } = require('./lib/service');
const { median } = require('./lib/stats');
const { createWorkspace, taskText } = require('./lib/task-spec');
const { benchRequest } = require('./lib/agent-runner-config');

const SERVER_CPU = 1;
const LOAD_CPU = 0;

async function startBaseline(getDocument, accepted) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-bench-bare-'));
  fs.writeFileSync(path.join(dir, 'get.json'), JSON.stringify(getDocument));
  fs.writeFileSync(path.join(dir, 'accepted.json'), JSON.stringify(accepted));
  const port = await procs.freePort();
  const child = procs.start(
    process.execPath,
    [
      path.join(__dirname, 'lib', 'baseline-server.js'),
      String(port),
      path.join(dir, 'get.json'),
      path.join(dir, 'accepted.json'),
    ],
    { cpu: SERVER_CPU },
  );
  await procs.firstJsonLine(child, (v) => v.ready);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await procs.stop(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the HTTP overhead comparison; returns rows of medians and the raw runs. */
async function runHttpOverhead({ rounds = 3, seconds = 5, connections = 50, log = () => {} } = {}) {
  const fake = await procs.startFakeModel({ cpu: LOAD_CPU });
  const workspace = createWorkspace();
  const svc = await startService({
    endpoint: fake.url(),
    workspace,
    cpu: SERVER_CPU,
    maxConcurrent: 1,
  });
  let bare;
  try {
    const idle = svc.memory();
    const done = await json('POST', `${svc.url}/api/v1/tasks`, benchRequest(taskText, 'http-get'));
    if (done.status !== 200 || done.body.status !== 'completed') {
      throw new Error(
        `the GET document task did not complete: ${JSON.stringify(done.body).slice(0, 300)}`,
      );
    }
    await fake.hold();
    const postBody = {
      task: taskText('http-post'),
      priority: 'normal',
      metadata: { source: 'bench' },
    };
    const accepted = await json('POST', `${svc.url}/api/v1/tasks?wait=false`, postBody);
    if (accepted.status !== 202) throw new Error(`POST ?wait=false answered ${accepted.status}`);
    bare = await startBaseline(done.body, accepted.body);
    const getId = done.body.task_id;
    const targets = { 'agent-runner': svc.url, 'bare Fastify': bare.url };
    const cases = [
      { name: `GET /api/v1/tasks/{id}`, method: 'GET', path: `/api/v1/tasks/${getId}` },
      {
        name: 'POST /api/v1/tasks?wait=false',
        method: 'POST',
        path: '/api/v1/tasks?wait=false',
        body: postBody,
      },
    ];
    const runs = [];
    for (const c of cases) {
      // one short warm-up each (JIT), not counted
      for (const url of Object.values(targets)) {
        await load({
          url: url + c.path,
          method: c.method,
          body: c.body,
          connections,
          seconds: 2,
          cpu: LOAD_CPU,
        });
      }
      for (let r = 0; r < rounds; r++) {
        for (const [target, url] of Object.entries(targets)) {
          const res = await load({
            url: url + c.path,
            method: c.method,
            body: c.body,
            connections,
            seconds,
            cpu: LOAD_CPU,
          });
          runs.push({ case: c.name, target, round: r + 1, ...res });
          log(
            `  ${c.name} ${target} round ${r + 1}: ${Math.round(res.requests_per_s)} req/s, p50 ${res.p50_ms} ms, p99 ${res.p99_ms} ms${res.non2xx ? `, ${res.non2xx} non-2xx` : ''}`,
          );
        }
      }
    }
    const rows = cases.map((c) => {
      const pick = (target, key) =>
        median(runs.filter((x) => x.case === c.name && x.target === target).map((x) => x[key]));
      const ours = pick('agent-runner', 'requests_per_s');
      const base = pick('bare Fastify', 'requests_per_s');
      return {
        case: c.name,
        agent_runner: {
          requests_per_s: ours,
          p50_ms: pick('agent-runner', 'p50_ms'),
          p99_ms: pick('agent-runner', 'p99_ms'),
        },
        bare_fastify: {
          requests_per_s: base,
          p50_ms: pick('bare Fastify', 'p50_ms'),
          p99_ms: pick('bare Fastify', 'p99_ms'),
        },
        ratio: ours / base,
        non2xx: runs.filter((x) => x.case === c.name).reduce((a, x) => a + (x.non2xx || 0), 0),
      };
    });
    return { tool: httpTool(), connections, seconds, rounds, idle_rss_mb: idle.rss_mb, rows, runs };
  } finally {
    await bare?.stop();
    await svc.stop();
    await fake.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

module.exports = { runHttpOverhead };
