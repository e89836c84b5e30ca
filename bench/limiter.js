'use strict';
/**
 * 4. The rate limiter's cost.
 *
 * a) Per request, calling the storage directly: the time of one more hit of a key that already
 *    has 1,000 and 100,000 hits in its window (limits high enough never to block), for
 *    agent-runner's SlidingWindowThrottlerStorage (dist/) and @nestjs/throttler 6.7.1's default
 *    in-memory storage, which keeps a timestamp per hit.
 * b) GET /api/v1/status throughput of the service (dist/main.js) with the limiter on at high
 *    limits (requests_per_minute = burst_size = 10,000,000, so nothing is refused and every hit
 *    stays in the window) against the limiter off, alternating off/on, wrk or autocannon on the
 *    other CPU.
 */
const fs = require('node:fs');
const path = require('node:path');
const procs = require('./lib/procs');
const { load, httpTool } = require('./lib/http-load');
const { startService } = require('./lib/service');
const { median } = require('./lib/stats');
const { createWorkspace } = require('./lib/task-spec');
const { DIST, ROOT } = require('./lib/agent-runner-config');

const SERVER_CPU = 1;
const LOAD_CPU = 0;
const HIGH = 10_000_000;

/** Microseconds per increment() of a key that already has `hits` hits in its window. */
async function costPerHit(makeStorage, hits, samples) {
  const storage = makeStorage();
  await storage.ready?.();
  for (let i = 0; i < hits; i++)
    await storage.increment('sustained:ip:bench', 60_000, HIGH, 60_000, 'sustained');
  const started = process.hrtime.bigint();
  for (let i = 0; i < samples; i++)
    await storage.increment('sustained:ip:bench', 60_000, HIGH, 60_000, 'sustained');
  const us = Number(process.hrtime.bigint() - started) / 1000 / samples;
  if (storage.failedOpen) throw new Error('Redis did not answer every hit: the figure would be wrong');
  await storage.onApplicationShutdown?.();
  return us;
}

/**
 * RedisThrottlerStorage on the Redis of BENCH_REDIS_URL (default redis://127.0.0.1:6379), one
 * round trip per hit over loopback, under a prefix of its own; left out when BENCH_REDIS_URL=off.
 */
function redisContender(rounds) {
  const url = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (url === 'off') return [];
  const { RedisThrottlerStorage } = require(path.join(DIST, 'throttling', 'redis-throttler.storage.js'));
  const prefix = `bench-limiter-${process.pid}`;
  const make = () => new RedisThrottlerStorage({ url, prefix });
  return [['agent-runner RedisThrottlerStorage (loopback Redis)', make, 20_000, rounds, prefix, url]];
}

/** Deletes the bench's keys from Redis. */
async function dropRedisKeys(url, prefix) {
  const Redis = require(path.join(ROOT, 'node_modules', 'ioredis')).default;
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

async function storageCosts({ rounds, log }) {
  const { SlidingWindowThrottlerStorage } = require(path.join(DIST, 'throttling', 'sliding-window.storage.js'));
  const { ThrottlerStorageService } = require(path.join(ROOT, 'node_modules', '@nestjs', 'throttler'));
  const rows = [];
  // Filling the default storage to 100,000 hits is itself quadratic (about a minute): one round.
  for (const [name, make, samples, storageRounds, redisPrefix, redisUrl] of [
    ['agent-runner SlidingWindowThrottlerStorage', () => new SlidingWindowThrottlerStorage(), 200_000, rounds],
    ['@nestjs/throttler 6.7.1 default storage', () => new ThrottlerStorageService(), 300, 1],
    ...redisContender(rounds),
  ]) {
    await costPerHit(make, 1_000, samples); // JIT warm-up, not counted
    const seen = { 1000: [], 100000: [] };
    // 1k and 100k alternate within each round, so both see the machine in the same state.
    for (let r = 0; r < storageRounds; r++)
      for (const hits of [1_000, 100_000]) seen[hits].push(await costPerHit(make, hits, samples));
    const row = { storage: name, us_at_1000: median(seen[1000]), us_at_100000: median(seen[100000]) };
    for (const hits of [1_000, 100_000])
      log(`  ${name}: ${row[`us_at_${hits}`].toFixed(2)} µs per request at ${hits} hits in the window`);
    row.growth = row.us_at_100000 / row.us_at_1000;
    rows.push(row);
    if (redisPrefix) await dropRedisKeys(redisUrl, redisPrefix);
  }
  return rows;
}

async function getThroughput({ rounds, seconds, connections, log }) {
  const fake = await procs.startFakeModel({ cpu: LOAD_CPU });
  const workspace = createWorkspace();
  const runs = [];
  try {
    const modes = [
      ['off', { enabled: false }],
      ['on', { enabled: true, requests_per_minute: HIGH, burst_size: HIGH }],
    ];
    const services = {};
    for (const [mode, rateLimiting] of modes) {
      services[mode] = await startService({
        endpoint: fake.url(),
        workspace,
        cpu: SERVER_CPU,
        maxConcurrent: 1,
        rateLimiting,
      });
    }
    try {
      for (const svc of Object.values(services)) {
        await load({ url: `${svc.url}/api/v1/status`, method: 'GET', connections, seconds: 2, cpu: LOAD_CPU });
      }
      for (let r = 0; r < rounds; r++) {
        // off, on, on, off, …: each pair shares the machine's state of that moment
        const order = r % 2 ? [...modes].reverse() : modes;
        for (const [mode] of order) {
          const pid = services[mode].pid;
          const cpuBefore = procs.cpuMsOf(pid);
          const res = await load({
            url: `${services[mode].url}/api/v1/status`,
            method: 'GET',
            connections,
            seconds,
            cpu: LOAD_CPU,
          });
          const cpuMs = procs.cpuMsOf(pid) - cpuBefore;
          const served = res.requests_per_s * seconds;
          const cpuUsPerRequest = served ? (cpuMs * 1000) / served : null;
          runs.push({ mode, round: r + 1, ...res, server_cpu_us_per_request: cpuUsPerRequest });
          log(
            `  GET /api/v1/status, limiter ${mode}, round ${r + 1}: ${Math.round(res.requests_per_s)} req/s, p99 ${res.p99_ms} ms, server CPU ${cpuUsPerRequest?.toFixed(0)} µs/request${res.non2xx ? `, ${res.non2xx} non-2xx` : ''}`,
          );
        }
      }
    } finally {
      for (const svc of Object.values(services)) await svc.stop();
    }
  } finally {
    await fake.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  const pick = (mode, key) => median(runs.filter((x) => x.mode === mode).map((x) => x[key]));
  // The machine's load drifts between rounds: compare on and off within each round.
  const paired = (key) =>
    median(
      [...new Set(runs.map((x) => x.round))].map((round) => {
        const [on, off] = ['on', 'off'].map((m) => runs.find((x) => x.round === round && x.mode === m));
        return on[key] / off[key];
      }),
    );
  return {
    off: {
      requests_per_s: pick('off', 'requests_per_s'),
      p99_ms: pick('off', 'p99_ms'),
      server_cpu_us_per_request: pick('off', 'server_cpu_us_per_request'),
    },
    on: {
      requests_per_s: pick('on', 'requests_per_s'),
      p99_ms: pick('on', 'p99_ms'),
      server_cpu_us_per_request: pick('on', 'server_cpu_us_per_request'),
    },
    ratio: paired('requests_per_s'),
    cpu_ratio: paired('server_cpu_us_per_request'),
    non2xx: runs.reduce((a, x) => a + (x.non2xx || 0), 0),
    runs,
  };
}

/** Runs both parts; returns their figures. */
async function runLimiter({ rounds = 3, seconds = 10, connections = 50, log = () => {} } = {}) {
  log('  a) storage cost per request');
  const storage = await storageCosts({ rounds, log });
  log(`  b) GET throughput, limiter on (high limits) vs off (${httpTool()})`);
  const http = await getThroughput({ rounds, seconds, connections, log });
  return { tool: httpTool(), rounds, seconds, connections, storage, http };
}

module.exports = { runLimiter };
