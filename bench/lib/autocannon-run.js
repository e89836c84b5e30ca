'use strict';
/** One autocannon run in its own process: node autocannon-run.js '<json options>' → RESULT line. */
const { peerRequire } = require('./task-spec');

const autocannon = peerRequire('autocannon');
const opts = JSON.parse(process.argv[2]);
autocannon(opts, (err, r) => {
  if (err) {
    process.stdout.write(`RESULT ${JSON.stringify({ error: String(err) })}\n`);
    process.exit(1);
  }
  const seconds = r.duration || opts.duration;
  process.stdout.write(
    `RESULT ${JSON.stringify({
      requests_per_s: r.requests.total / seconds,
      p50_ms: r.latency.p50,
      p99_ms: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      total: r.requests.total,
    })}\n`,
  );
  process.exit(0);
});
