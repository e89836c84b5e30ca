'use strict';
/**
 * Profiles agent-runner's HTTP service under wrk/autocannon load, in process, with the V8
 * inspector (only the load window is sampled):
 *   node bench/lib/profile-http.js get|post <out.cpuprofile> [seconds]
 * Then: node bench/lib/profile-summary.js <out.cpuprofile>
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const inspector = require('node:inspector');
const { createRequire } = require('node:module');
const procs = require('./procs');
const { load } = require('./http-load');
const { json } = require('./service');
const { benchConfig, benchRequest, ROOT, DIST } = require('./agent-runner-config');
const { createWorkspace, taskText } = require('./task-spec');

async function main() {
  const [which = 'get', out = '/tmp/http.cpuprofile', seconds = '5'] = process.argv.slice(2);
  createRequire(path.join(ROOT, 'package.json'))('reflect-metadata');
  const { createHttpApp } = require(path.join(DIST, 'app', 'create-http-app'));
  const fake = await procs.startFakeModel({ cpu: 0 });
  const workspace = createWorkspace();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-runner-prof-'));
  const port = await procs.freePort();
  const overrides = benchConfig({
    endpoint: fake.url(),
    workspace,
    dbPath: path.join(dir, 'tasks.db'),
    maxConcurrent: 1,
    port,
  });
  const app = await createHttpApp({ env: {}, dotenv: false, overrides });
  await app.listen({ host: '127.0.0.1', port });
  const url = `http://127.0.0.1:${port}`;
  const done = await json('POST', `${url}/api/v1/tasks`, benchRequest(taskText, 'prof'));
  await json('PUT', `${url}/api/v1/config/model`, { endpoint: fake.url(3_600_000) });
  await json('POST', `${url}/api/v1/tasks?wait=false`, { task: 'block the slot' });
  const body = { task: taskText('http-post'), priority: 'normal', metadata: { source: 'bench' } };
  const c =
    which === 'get'
      ? { url: `${url}/api/v1/tasks/${done.body.task_id}`, method: 'GET' }
      : { url: `${url}/api/v1/tasks?wait=false`, method: 'POST', body };
  await load({ ...c, connections: 50, seconds: 2, cpu: 0 });
  const session = new inspector.Session();
  session.connect();
  const post = (m, p) =>
    new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  const result = await load({ ...c, connections: 50, seconds: Number(seconds), cpu: 0 });
  const { profile } = await post('Profiler.stop');
  fs.writeFileSync(out, JSON.stringify(profile));
  console.log(JSON.stringify(result));
  await app.close();
  await fake.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(workspace, { recursive: true, force: true });
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
