'use strict';
/**
 * 2. Honest accounting: the same task with one model request in ten answered 503
 * (`retry-after-ms: 10`), every framework at its default retry settings (agent-runner:
 * model.max_retries 3). The fake model counts every request it gets; agent-runner's own figures
 * (per task `metrics.model_attempts`, the `ai_agent_model_request_attempts_total` counter) must
 * match it, so retries and re-sent requests are visible, not hidden.
 */
const fs = require('node:fs');
const procs = require('./lib/procs');
const { createWorkspace } = require('./lib/task-spec');

async function runAccounting({ contenders, tasks = 200, errorPermille = 100, log = () => {} }) {
  const fake = await procs.startFakeModel({ cpu: 0 });
  const workspace = createWorkspace();
  const rows = [];
  try {
    for (const name of contenders) {
      await fake.reset();
      const res = await procs.runWorker(
        name,
        {
          baseURL: fake.url(0, errorPermille),
          workspace,
          warmup: 0,
          tasks,
          concurrency: 20,
          mode: 'throughput',
          runId: 'acct',
          maxRetries: 3,
        },
        { cpu: 1 },
      );
      const server = await fake.stats();
      const row = {
        contender: name,
        label: res.label,
        tasks,
        ok: res.ok,
        failed: res.failed,
        first_error: res.first_error,
        server_requests: server.requests,
        server_injected_errors: server.injected_errors,
        server_answered_calls: server.distinct_calls,
        server_resent: server.resent,
        attempts_per_call: server.requests / Math.max(1, server.distinct_calls),
        reported_model_calls: res.model_calls,
        reported_attempts: res.reported_attempts || null,
        metric_attempts: res.contender_stats?.metric_model_attempts ?? null,
      };
      rows.push(row);
      log(
        `  ${name}: ${row.ok}/${tasks} ok, fake model saw ${row.server_requests} requests (${row.server_injected_errors} answered 503) for ${row.server_answered_calls} calls = ${row.attempts_per_call.toFixed(3)} attempts/call${row.reported_attempts ? `; agent-runner reports ${row.reported_attempts} attempts per task sum, ${row.metric_attempts} in its metric` : ''}`,
      );
    }
  } finally {
    await fake.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  return { tasks, error_permille: errorPermille, rows };
}

module.exports = { runAccounting };
