'use strict';
/**
 * agent-runner in process (no HTTP): the TaskRunnerService from dist/, with the SQLite store,
 * events and metrics on, exactly as the service runs tasks.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { taskText } = require('../lib/task-spec');
const { createRequire } = require('node:module');
const { benchConfig, benchRequest, ROOT, DIST } = require('../lib/agent-runner-config');

/**
 * Boots the service without HTTP: the library facade `TaskRunnerService.create()` when this
 * build has it, else the core module directly. Returns the Nest provider that queues tasks.
 */
async function boot(config) {
  const rootRequire = createRequire(path.join(ROOT, 'package.json'));
  rootRequire('reflect-metadata');
  const indexFile = path.join(DIST, 'index.js');
  const lib = fs.existsSync(indexFile) ? require(indexFile) : {};
  if (lib.TaskRunnerService?.create && lib.AgentConfig?.fromObject) {
    const service = await lib.TaskRunnerService.create(
      undefined,
      lib.AgentConfig.fromObject(config),
    );
    // `tasks` since the task core was split (TasksService), `runner` before.
    const { tasks, runner, metrics } = service.providers;
    return { runner: tasks ?? runner, metrics, close: () => service.close() };
  }
  const { NestFactory } = rootRequire('@nestjs/core');
  const { CoreModule } = require(path.join(DIST, 'app', 'core.module'));
  const { TaskRunnerService } = require(path.join(DIST, 'agent', 'task-runner.service'));
  const ctx = await NestFactory.createApplicationContext(
    CoreModule.forRoot({ env: {}, dotenv: false, overrides: config }),
    { logger: ['error', 'warn'], abortOnError: false },
  );
  await ctx.init();
  const { MetricsService } = require(path.join(DIST, 'metrics', 'metrics.service'));
  return {
    runner: ctx.get(TaskRunnerService),
    metrics: ctx.get(MetricsService),
    close: () => ctx.close(),
  };
}

module.exports = async function create({ baseURL, workspace, maxRetries = 0 }) {
  const identity = ['contracts', 'auth']
    .map((dir) => path.join(DIST, dir, 'caller-identity.js'))
    .find((file) => fs.existsSync(file));
  const { LOCAL_ADMIN } = require(identity);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-bench-db-'));
  const overrides = benchConfig({
    endpoint: baseURL,
    workspace,
    dbPath: path.join(dataDir, 'tasks.db'),
    maxRetries,
  });
  const { runner, metrics, close } = await boot(overrides);
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  return {
    label: `agent-runner ${version} (in process, SQLite store)`,
    async runTask(id) {
      const request = benchRequest(taskText, id);
      const { task } = runner.submitAndWait
        ? await runner.submitAndWait(request, LOCAL_ADMIN, { wait: false })
        : await runner.submit(request, LOCAL_ADMIN);
      const { task: done } = await runner.waitFor(task.task_id, 600_000);
      return {
        ok: done.status === 'completed',
        modelCalls: done.metrics.model_calls,
        attempts: done.metrics.model_attempts,
        error: done.error,
      };
    },
    /** The service's own model counters (ai_agent_model_requests_total / _attempts_total). */
    async stats() {
      const snap = await metrics.snapshot();
      return {
        metric_model_requests: snap.model.requests,
        metric_model_attempts: snap.model.attempts,
      };
    },
    async close() {
      await close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
};
