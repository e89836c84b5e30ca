'use strict';
// Container health check (the image's HEALTHCHECK; slim images have no curl): exits 0 when
// GET /health/live answers 200, else 1. The port comes from BIND_ADDRESS, the address the server
// binds; HEALTHCHECK_URL replaces the whole URL (e.g. when the port is set in a config file).
const http = require('node:http');

/** The URL to probe: a wildcard bind (0.0.0.0, ::) is reached over loopback. */
function healthUrl(env) {
  if (env.HEALTHCHECK_URL) return env.HEALTHCHECK_URL;
  const bind = env.BIND_ADDRESS || '127.0.0.1:8080';
  const colon = bind.lastIndexOf(':');
  let host = bind.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = bind.slice(colon + 1) || '8080';
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::') host = '::1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}/health/live`;
}

function main() {
  const url = healthUrl(process.env);
  const timeoutMs = Number(process.env.HEALTHCHECK_TIMEOUT_MS) || 4000;
  const fail = (why) => {
    console.error(`unhealthy: ${url}: ${why}`);
    process.exit(1);
  };
  const req = http.get(url, { timeout: timeoutMs }, (res) => {
    res.resume();
    if (res.statusCode === 200) process.exit(0);
    fail(`HTTP ${res.statusCode}`);
  });
  req.on('timeout', () => {
    req.destroy();
    fail(`no answer within ${timeoutMs} ms`);
  });
  req.on('error', (err) => fail(err.message));
}

if (require.main === module) main();

module.exports = { healthUrl };
