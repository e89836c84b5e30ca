'use strict';
/**
 * The agent-runner configuration every bench uses (file shape, snake_case): the fake model,
 * planning off (so it makes the same 3 model calls as the peers), the two tools' workspace, a
 * SQLite store in a temp file, quiet logs, no rate limiting (unless asked), and limits raised for
 * big runs.
 */
const path = require('node:path');

function benchConfig({
  endpoint,
  workspace,
  dbPath,
  maxConcurrent = 10000,
  maxRetries = 0,
  port,
  rateLimiting = { enabled: false },
}) {
  return {
    model: {
      provider: 'openai',
      model_name: 'bench-model',
      endpoint,
      api_key: 'sk-fake-bench-000000000000000',
      max_retries: maxRetries,
      // the provider limiter would otherwise cap in-flight model calls at 256 (the peers have none)
      max_concurrent_requests: 10000,
      timeout_seconds: 120,
    },
    execution: { planning: false, max_steps: 10, timeout_seconds: 3600 },
    tools: { working_directory: workspace, allowed_paths: ['.'] },
    service: {
      ...(port ? { bind_address: `127.0.0.1:${port}` } : {}),
      max_concurrent_tasks: maxConcurrent,
      max_queued_tasks: 1_000_000,
      default_task_timeout: 600,
      sync_wait_seconds: 120,
      shutdown_grace_seconds: 0,
      rate_limiting: rateLimiting,
    },
    storage: { driver: 'sqlite', path: dbPath, retention_days: 0 },
    logging: { level: 'warn' },
  };
}

/** The request the service gets for task `id` (the same text and tools as the peers). */
function benchRequest(taskText, id) {
  return { task: taskText(id), context: { tools: ['list_files', 'read_file'] } };
}

/** The repository root (for its node_modules and package.json). */
const ROOT = path.join(__dirname, '..', '..');
/** The compiled service the benches run: dist/ unless AGENT_RUNNER_BENCH_DIST names another build. */
const DIST = path.resolve(process.env.AGENT_RUNNER_BENCH_DIST || path.join(ROOT, 'dist'));

module.exports = { benchConfig, benchRequest, ROOT, DIST };
