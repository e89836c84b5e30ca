import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeOpenAIServer, fakeReply } from '../support/fake-openai-server';
import { ServerProcess, startServerProcess } from '../support/server-process';
import { bwrapUnavailableReason } from './support/execution-harness';

const ADMIN = 'test-selfapi-admin-key-0123456789';
const ALICE = 'test-selfapi-alice-key-0123456789';
const BOB = 'test-selfapi-bob-key-01234567890ab';
const MODEL_KEY = 'sk-test-selfapi-model-key-in-env-77';
const FILE_SECRET = 'sk-test-selfapi-key-in-config-file-88';
const DOTENV_SECRET = 'sk-test-selfapi-key-in-dotenv-99';
const TENANT_SECRET = 'test-bob-private-environment-value-42';

const isRoot = process.getuid?.() === 0;
const bwrapMissing = bwrapUnavailableReason();
if (!isRoot) console.warn('self-API attacks: file-reading checks need root (commands as nobody)');
if (bwrapMissing) console.warn(`self-API attacks under bubblewrap skipped: ${bwrapMissing}`);

/**
 * What a task's commands get when they turn on the service itself: a scripted model makes each
 * task write and run a Node script that calls the service's own API on its loopback address
 * (read the config, switch the sandbox off, empty forbidden_commands, swap the model, list
 * tasks) and reads the service's files. Run against the built server (`npm start`) as root, in
 * every mode the contract names.
 */
const PROBE = String.raw`
const fs = require('node:fs');
const [bases, files] = [JSON.parse(process.argv[2]), JSON.parse(process.argv[3])];
// node:http, not fetch: fetch's WebAssembly parser does not fit the command's address-space limit.
const http = require('node:http');
function call(base, method, path, body) {
  return new Promise((resolve) => {
    const req = http.request(base + path, { method, headers: { 'content-type': 'application/json' }, timeout: 3000 }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let code = '';
        try { code = JSON.parse(text).code || ''; } catch {}
        resolve(String(res.statusCode) + (code ? ' ' + code : ''));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve('unreachable'));
    req.end(body && JSON.stringify(body));
  });
}
(async () => {
  const out = {};
  for (const base of bases) {
    out[base] = {
      get: await call(base, 'GET', '/api/v1/config'),
      put: await call(base, 'PUT', '/api/v1/config', {
        execution: { sandbox: 'none', allow_unsandboxed_commands: true },
        tools: { forbidden_commands: [] },
      }),
      model: await call(base, 'PUT', '/api/v1/config/model', {
        endpoint: 'http://127.0.0.1:9/v1',
        api_key: 'sk-test-attacker-0001',
      }),
      tasks: await call(base, 'GET', '/api/v1/tasks'),
    };
  }
  for (const f of files) {
    try {
      fs.readFileSync(f);
      out[f] = 'READABLE';
    } catch (e) {
      out[f] = e.code;
    }
  }
  console.log('RESULT ' + JSON.stringify(out));
})();
`;

interface Scenario {
  name: string;
  sandbox: 'none' | 'bwrap';
  network: boolean;
  keys: boolean;
  /** What each API call must answer (or 'unreachable'). */
  api: { get: string; put: string; model: string; tasks: string };
}

const scenarios: Scenario[] = [
  {
    name: 'no OS sandbox (opted in), no keys configured',
    sandbox: 'none',
    network: false,
    keys: false,
    api: {
      get: '403 AUTHORIZATION_ERROR',
      put: '403 AUTHORIZATION_ERROR',
      model: '403 AUTHORIZATION_ERROR',
      tasks: '200',
    },
  },
  {
    name: 'no OS sandbox (opted in), keys configured',
    sandbox: 'none',
    network: false,
    keys: true,
    api: {
      get: '401 AUTHENTICATION_ERROR',
      put: '401 AUTHENTICATION_ERROR',
      model: '401 AUTHENTICATION_ERROR',
      tasks: '401 AUTHENTICATION_ERROR',
    },
  },
  ...(bwrapMissing
    ? []
    : ([
        {
          name: 'bubblewrap without network, no keys configured',
          sandbox: 'bwrap',
          network: false,
          keys: false,
          api: {
            get: 'unreachable',
            put: 'unreachable',
            model: 'unreachable',
            tasks: 'unreachable',
          },
        },
        {
          name: 'bubblewrap with network (slirp4netns), no keys configured',
          sandbox: 'bwrap',
          network: true,
          keys: false,
          api: {
            get: 'unreachable',
            put: 'unreachable',
            model: 'unreachable',
            tasks: 'unreachable',
          },
        },
        {
          name: 'bubblewrap with network (slirp4netns), keys configured',
          sandbox: 'bwrap',
          network: true,
          keys: true,
          api: {
            get: 'unreachable',
            put: 'unreachable',
            model: 'unreachable',
            tasks: 'unreachable',
          },
        },
      ] as Scenario[])),
];

describe.each(scenarios)('a task calling its own service: $name', (scenario) => {
  let dir: string;
  let fake: FakeOpenAIServer;
  let server: ServerProcess;
  const user: Record<string, string> = scenario.keys ? { authorization: `Bearer ${ALICE}` } : {};
  const admin: Record<string, string> = scenario.keys ? { authorization: `Bearer ${ADMIN}` } : {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-selfapi-'));
    // Commands (nobody) must pass the service's folder to reach the workspace without bubblewrap.
    chmodSync(dir, 0o711);
    mkdirSync(join(dir, 'ws'));
    // A careful operator's files: readable by the service alone.
    writeFileSync(
      join(dir, 'config.toml'),
      `[model]\napi_key = "${FILE_SECRET}"\n` +
        `[execution]\nplanning = false\nsandbox = "${scenario.sandbox}"\n` +
        `allow_unsandboxed_commands = ${scenario.sandbox === 'none'}\nnetwork = ${scenario.network}\n` +
        `[tools]\nworking_directory = "${join(dir, 'ws')}"\n` +
        `[service]\nsync_wait_seconds = 30\n[service.rate_limiting]\nenabled = false\n`,
      { mode: 0o600 },
    );
    writeFileSync(join(dir, '.env'), `OPENAI_API_KEY=${DOTENV_SECRET}\n`, { mode: 0o600 });
    fake = await FakeOpenAIServer.start();
    fake.onRequest((req) => {
      const messages = req.body.messages as { role: string; content?: string }[];
      const user = messages.find((m) => m.role === 'user')?.content ?? '';
      if (!user.includes('probe the service')) return fakeReply.text('done');
      const tools = messages.filter((m) => m.role === 'tool').length;
      if (tools === 0)
        return fakeReply.toolCall('write_file', { path: 'probe.js', content: PROBE });
      if (tools === 1) {
        const port = new URL(server.baseUrl).port;
        const bases = [`http://127.0.0.1:${port}`];
        // slirp4netns maps the host's loopback to 10.0.2.2 unless told not to.
        if (scenario.sandbox === 'bwrap') bases.push(`http://10.0.2.2:${port}`);
        const files = [
          join(dir, 'config.toml'),
          join(dir, '.env'),
          join(dir, 'data', 'agent-runner.db'),
          join(dir, 'data', 'agent-runner.db-wal'),
          `/proc/${server.child.pid}/environ`,
        ];
        return fakeReply.toolCall('run_command', {
          command: `node probe.js '${JSON.stringify(bases)}' '${JSON.stringify(files)}'`,
          timeout_seconds: 30,
        });
      }
      return fakeReply.text('probed');
    });
    server = await startServerProcess({
      cwd: dir,
      env: {
        AGENT_RUNNER_MODEL_PROVIDER: 'openai',
        AGENT_RUNNER_MODEL_ENDPOINT: fake.url,
        AGENT_RUNNER_API_KEY: MODEL_KEY,
        ...(scenario.keys
          ? {
              AGENT_RUNNER_ADMIN_KEYS: `root=${ADMIN}`,
              AGENT_RUNNER_AUTH_KEYS: `alice=${ALICE},bob=${BOB}`,
            }
          : {}),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = async (body: unknown, headers: Record<string, string>) => {
    const res = await fetch(`${server.baseUrl}/api/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return (await res.json()) as {
      status: string;
      steps: { tool: string | null; status: string; output: string }[];
    };
  };

  it('cannot change the service through its API, nor read its files or environment', async () => {
    // Another tenant's task, with a secret in its environment, is in the store.
    const other = await post(
      { task: 'say hello', context: { environment: { PRIVATE_VALUE: TENANT_SECRET } } },
      scenario.keys ? { authorization: `Bearer ${BOB}` } : {},
    );
    expect(other.status).toBe('completed');

    const task = await post({ task: 'probe the service' }, user);
    expect(task.status).toBe('completed');
    const step = task.steps.find((s) => s.tool === 'run_command');
    expect({ status: step?.status, output: step?.output }).toEqual({
      status: 'completed',
      output: expect.stringContaining('RESULT'),
    });
    const result = JSON.parse(/RESULT (\{.*\})/.exec(step!.output)![1]) as Record<
      string,
      Record<string, string> | string
    >;
    const port = new URL(server.baseUrl).port;
    expect(result[`http://127.0.0.1:${port}`]).toEqual(scenario.api);
    if (scenario.sandbox === 'bwrap')
      expect(result[`http://10.0.2.2:${port}`]).toEqual({
        get: 'unreachable',
        put: 'unreachable',
        model: 'unreachable',
        tasks: 'unreachable',
      });
    // Unsandboxed, nobody meets the 0600/0700 modes; in bubblewrap the files are not there at all.
    const expected = scenario.sandbox === 'bwrap' ? 'ENOENT' : isRoot ? 'EACCES' : undefined;
    const files = Object.entries(result).filter(([k]) => k.startsWith('/'));
    expect(files).toHaveLength(5);
    if (expected)
      expect(Object.fromEntries(files)).toEqual(
        Object.fromEntries(files.map(([file]) => [file, expected])),
      );
    const text = JSON.stringify(task);
    for (const secret of [MODEL_KEY, FILE_SECRET, DOTENV_SECRET, TENANT_SECRET, ADMIN, BOB])
      expect(text).not.toContain(secret);
  });

  it('left the configuration and the model as they were', async () => {
    const tools = (await (
      await fetch(`${server.baseUrl}/api/v1/tools`, { headers: user })
    ).json()) as { sandbox: { requested: string; mode: string } };
    expect(tools.sandbox.requested).toBe(scenario.sandbox);
    const status = (await (
      await fetch(`${server.baseUrl}/api/v1/status`, { headers: user })
    ).json()) as { model: { endpoint: string } };
    expect(status.model.endpoint).toBe(fake.url);
    if (scenario.keys) {
      const config = (await (
        await fetch(`${server.baseUrl}/api/v1/config`, { headers: admin })
      ).json()) as { tools: { forbidden_commands: string[] }; execution: { sandbox: string } };
      expect(config.execution.sandbox).toBe(scenario.sandbox);
      expect(config.tools.forbidden_commands).toContain('rm -rf');
    }
    // The model was never pointed elsewhere: every chat request came to the fake.
    expect(fake.chatRequests.every((r) => r.bearer === MODEL_KEY)).toBe(true);
  });
});
