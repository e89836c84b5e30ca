'use strict';
/**
 * A fast scripted OpenAI-compatible chat completions server for the benchmarks (node:http,
 * keep-alive). Every task gets the same script, decided from the number of `tool` messages in
 * the request: 0 → call list_files {path: "."}, 1 → call read_file {path: "README.md"},
 * 2+ → a final text answer. So every framework makes exactly 3 model calls and 2 tool calls.
 *
 * Path prefixes: `/d/<ms>/v1/chat/completions` answers after <ms> ms (the 1 s model of the
 * scale run); `/e/<permille>/…` answers that share of requests with a 503 (`retry-after-ms: 10`)
 * to see who retries and how often; `/v1/chat/completions` answers at once.
 *
 * Accounting: the task text carries a marker `[bench:<id>]`; `distinct_calls` counts the model
 * calls answered (marker and tool-message count), `resent` a request for a call that was
 * already answered, so requests / distinct_calls is the attempts per call. GET /stats returns the counts,
 * POST /reset clears them. Run it as its own process (`node fake-model.js <port>`), so the
 * client under test is measured alone.
 */
const http = require('node:http');

const stats = {
  requests: 0,
  distinct_calls: 0,
  resent: 0,
  connections: 0,
  max_in_flight: 0,
  in_flight: 0,
  bad_requests: 0,
  injected_errors: 0,
};
let errorCounter = 0;
let seen = new Set();
let callCounter = 0;

function reset() {
  for (const k of Object.keys(stats)) if (k !== 'in_flight') stats[k] = 0;
  stats.max_in_flight = stats.in_flight;
  seen = new Set();
}

function markerOf(messages) {
  for (const m of messages) {
    if (m.role !== 'user') continue;
    const text = typeof m.content === 'string' ? m.content : JSON.stringify(m.content);
    const match = /\[bench:([A-Za-z0-9_.:-]+)\]/.exec(text);
    if (match) return match[1];
  }
  return null;
}

function completion(toolMessages) {
  const id = `chatcmpl-${++callCounter}`;
  const base = {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: 'bench-model',
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
  if (toolMessages >= 2) {
    return {
      ...base,
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          message: {
            role: 'assistant',
            content:
              'The workspace holds a README.md that describes a small demo project.\n\nIt explains how to install and run it.',
          },
        },
      ],
    };
  }
  const call =
    toolMessages === 0
      ? { name: 'list_files', arguments: '{"path":"."}' }
      : { name: 'read_file', arguments: '{"path":"README.md"}' };
  return {
    ...base,
    choices: [
      {
        index: 0,
        finish_reason: 'tool_calls',
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: `call_${callCounter}`, type: 'function', function: call }],
        },
      },
    ],
  };
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** POST /hold: from now on every answer waits this long (0 again: POST /hold/0). */
let holdMs = 0;

function handle(req, res) {
  const url = req.url || '/';
  if (req.method === 'GET' && url === '/stats') return send(res, 200, stats);
  const hold = /^\/hold(?:\/(\d+))?$/.exec(url);
  if (req.method === 'POST' && hold) {
    holdMs = hold[1] === undefined ? 3_600_000 : Number(hold[1]);
    return send(res, 200, { hold_ms: holdMs });
  }
  if (req.method === 'POST' && url === '/reset') {
    reset();
    return send(res, 200, stats);
  }
  const m = /^(?:\/d\/(\d+))?(?:\/e\/(\d+))?\/v1\/chat\/completions$/.exec(url);
  if (req.method !== 'POST' || !m) return send(res, 404, { error: { message: 'not found' } });
  const delay = Math.max(m[1] ? Number(m[1]) : 0, holdMs);
  const errorPermille = m[2] ? Number(m[2]) : 0;
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      stats.bad_requests++;
      return send(res, 400, { error: { message: 'bad json' } });
    }
    if (body.stream) {
      stats.bad_requests++;
      return send(res, 400, { error: { message: 'streaming is not scripted' } });
    }
    const messages = Array.isArray(body.messages) ? body.messages : [];
    let tools = 0;
    for (const msg of messages) if (msg.role === 'tool') tools++;
    stats.requests++;
    if (errorPermille && (errorCounter++ * errorPermille) % 1000 < errorPermille) {
      stats.injected_errors++;
      const text = JSON.stringify({
        error: { message: 'overloaded (injected)', type: 'server_error' },
      });
      res.writeHead(503, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        'retry-after-ms': '10',
      });
      return res.end(text);
    }
    const marker = markerOf(messages);
    if (marker) {
      const key = `${marker}#${tools}`;
      if (seen.has(key)) stats.resent++;
      else {
        seen.add(key);
        stats.distinct_calls++;
      }
    }
    stats.in_flight++;
    if (stats.in_flight > stats.max_in_flight) stats.max_in_flight = stats.in_flight;
    const answer = () => {
      stats.in_flight--;
      if (!res.destroyed) send(res, 200, completion(tools));
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  });
}

/** Starts the server; resolves with its port. */
function startFakeModel(port = 0) {
  const server = http.createServer({ keepAlive: true }, handle);
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  server.maxRequestsPerSocket = 0;
  server.on('connection', () => stats.connections++);
  return new Promise((resolve) => {
    server.listen({ port, host: '127.0.0.1', backlog: 8192 }, () =>
      resolve({ server, port: server.address().port }),
    );
  });
}

module.exports = { startFakeModel };

if (require.main === module) {
  startFakeModel(Number(process.argv[2] || 0)).then(({ port }) => {
    process.stdout.write(`${JSON.stringify({ ready: true, port })}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}
