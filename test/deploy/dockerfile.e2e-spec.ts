import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as yaml from 'js-yaml';
import { SHUTDOWN_MARGIN_SECONDS } from '../../src/app/shutdown-coordinator';
import { assertSafeBind, UnsafeBindError } from '../../src/auth/bind-safety';
import { ServiceConfig } from '../../src/config/config.schema';
import { loadConfig } from '../../src/config/config.loader';
import { refusedPort, ServerProcess, startServerProcess } from '../support/server-process';
import { durationSeconds, PROJECT_ROOT, readProjectFile } from './support/deploy-files';
import {
  DockerInstruction,
  dockerIgnores,
  dockerStages,
  envOf,
  execForm,
  parseDockerfile,
} from './support/dockerfile.parser';

const HEALTHCHECK_SCRIPT = join(PROJECT_ROOT, 'deploy/docker/healthcheck.js');
const { globalArgs, stages } = dockerStages(parseDockerfile(readProjectFile('Dockerfile')));
const build = stages[0];
const runtime = stages[stages.length - 1];
const runtimeEnv = envOf(runtime);
const ignorePatterns = readProjectFile('.dockerignore').split('\n');

const all = (keyword: string, stage = runtime): DockerInstruction[] =>
  stage.instructions.filter((i) => i.keyword === keyword);
const one = (keyword: string, stage = runtime): DockerInstruction => {
  const found = all(keyword, stage);
  if (found.length !== 1) throw new Error(`expected one ${keyword}, found ${found.length}`);
  return found[0];
};
const runLines = (stage = runtime): string =>
  all('RUN', stage)
    .map((i) => i.args)
    .join('\n');

/** Runs the health check script; resolves to its exit code and stderr. */
function runHealthcheck(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HEALTHCHECK_SCRIPT], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('Dockerfile', () => {
  it('is multi-stage: a build stage with compilers, a runtime stage on the same Node 20 base', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    const nodeImage = globalArgs.find((a) => a.args.startsWith('NODE_IMAGE='))!.args.split('=')[1];
    expect(nodeImage).toMatch(/^node:20[.\d]*-(bookworm|bullseye)-slim(@sha256:[0-9a-f]{64})?$/);
    expect(stages.every((s) => s.base === '${NODE_IMAGE}')).toBe(true);
    expect(runLines(build)).toMatch(/apt-get install[^\n]*\bpython3\b[^\n]*\bmake\b[^\n]*\bg\+\+/);
    expect(runLines(runtime)).not.toMatch(/\b(g\+\+|gcc|make|python3)\b/);
  });

  it('builds with the lockfile, compiles better-sqlite3 and ships production dependencies only', () => {
    const steps = runLines(build);
    expect(steps).toMatch(/npm ci --ignore-scripts/);
    expect(steps).toMatch(/npm rebuild better-sqlite3/);
    expect(steps).toMatch(/npm run build/);
    expect(steps).toMatch(/npm prune --omit=dev/);
    // The prune comes after the build, which needs the dev dependencies (nest, typescript).
    expect(steps.indexOf('npm prune')).toBeGreaterThan(steps.indexOf('npm run build'));
    const copied = all('COPY').map((c) => c.args);
    for (const path of ['package.json', 'node_modules', 'dist', 'prompts']) {
      expect(copied).toContainEqual(
        expect.stringMatching(new RegExp(`^--from=build /build/${path} `)),
      );
    }
  });

  it('installs bubblewrap and prlimit (util-linux) in the runtime image, and an init for PID 1', () => {
    const install = runLines()
      .split('\n')
      .find((l) => l.includes('apt-get install'))!;
    for (const pkg of ['bubblewrap', 'util-linux', 'tini'])
      expect(install.split(/\s+/)).toContain(pkg);
    expect(execForm(one('ENTRYPOINT').args)).toEqual(['/usr/bin/tini', '--']);
    expect(runLines()).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
  });

  it('runs as a fixed non-root user that owns only the data and workspace folders', () => {
    const [uid, gid] = one('USER').args.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    expect(runLines()).toContain(`--uid ${uid}`);
    const chown = /chown agent-runner:agent-runner ([^&\n]+)/
      .exec(runLines())![1]
      .trim()
      .split(/\s+/);
    expect(chown.sort()).toEqual(
      [
        dirname(runtimeEnv.AGENT_RUNNER_STORAGE_PATH),
        runtimeEnv.AGENT_RUNNER_WORKING_DIRECTORY,
      ].sort(),
    );
    // The user is set after every COPY, so the code stays root-owned (read-only to the service).
    const userIndex = runtime.instructions.indexOf(one('USER'));
    expect(
      runtime.instructions.findIndex((i) => i.keyword === 'COPY' && i.args.includes('--chown')),
    ).toBe(-1);
    expect(Math.max(...all('COPY').map((c) => runtime.instructions.indexOf(c)))).toBeLessThan(
      userIndex,
    );
  });

  it('binds 0.0.0.0:8080, exposes 8080 and keeps data and workspace on volumes', () => {
    expect(runtimeEnv.BIND_ADDRESS).toBe('0.0.0.0:8080');
    expect(one('EXPOSE').args).toBe('8080');
    const volumes = execForm(one('VOLUME').args)!;
    expect(volumes).toContain(dirname(runtimeEnv.AGENT_RUNNER_STORAGE_PATH));
    expect(volumes).toContain(runtimeEnv.AGENT_RUNNER_WORKING_DIRECTORY);
    // Keys are never baked into the image.
    expect(Object.keys(runtimeEnv).filter((k) => /KEY|SECRET|TOKEN/.test(k))).toEqual([]);
  });

  it('has a node-based HEALTHCHECK on /health/live, STOPSIGNAL SIGTERM and CMD node dist/main.js', () => {
    const hc = one('HEALTHCHECK').args;
    const cmd = execForm(hc.slice(hc.indexOf('CMD ') + 4))!;
    expect(cmd).toEqual(['node', '/app/deploy/docker/healthcheck.js']);
    const timeout = durationSeconds(/--timeout=(\S+)/.exec(hc)![1]);
    expect(timeout).toBeGreaterThan(4); // the script's own 4 s limit fits inside
    expect(one('STOPSIGNAL').args).toBe('SIGTERM');
    expect(execForm(one('CMD').args)).toEqual(['node', 'dist/main.js']);
    expect(one('WORKDIR').args).toBe('/app');
    expect(all('ADD', build).concat(all('ADD'))).toEqual([]);
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const sources = stages
      .flatMap((s) => s.instructions)
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((w) => !w.startsWith('--'))
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(5);
    for (const src of sources) {
      expect([src, existsSync(join(PROJECT_ROOT, src))]).toEqual([src, true]);
      expect([src, dockerIgnores(ignorePatterns, src)]).toEqual([src, false]);
    }
  });

  it('.dockerignore keeps secrets, local data and build output out of the context', () => {
    const secretsAndLocalState = [
      '.env',
      '.env.production',
      'deploy/docker/agent-runner.env',
      'config.toml',
      'data',
      'data/x.db',
      'agent-runner.db',
      'node_modules',
      'dist',
      '.git',
    ];
    for (const path of secretsAndLocalState) {
      expect([path, dockerIgnores(ignorePatterns, path)]).toEqual([path, true]);
    }
    expect(
      dockerIgnores(['deploy', '!deploy/docker/healthcheck.js'], 'deploy/docker/healthcheck.js'),
    ).toBe(false);
    expect(dockerIgnores(['**/*.db'], 'a/b/c.db')).toBe(true);
  });

  it('the image environment makes the server refuse to start until API keys are given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-runner-image-env-'));
    try {
      const { config } = loadConfig({ env: { ...runtimeEnv }, dotenv: false, cwd: dir });
      expect(() => assertSafeBind(config)).toThrow(UnsafeBindError);
      const withKeys = loadConfig({
        env: { ...runtimeEnv, AGENT_RUNNER_ADMIN_KEYS: 'ops=0123456789abcdef0123' },
        dotenv: false,
        cwd: dir,
      });
      expect(() => assertSafeBind(withKeys.config)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploy/docker/healthcheck.js', () => {
  let http: Server;
  let status = 200;
  let port: number;
  const paths: string[] = [];

  beforeAll(async () => {
    http = createServer((req, res) => {
      paths.push(req.url ?? '');
      if (status === 0) return; // never answers
      res.writeHead(status).end('{}');
    });
    await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
    port = (http.address() as { port: number }).port;
  });
  afterAll(async () => {
    http.closeAllConnections();
    await new Promise((ok) => http.close(ok));
  });

  it('reaches a wildcard bind over loopback and is healthy on 200 from /health/live', async () => {
    status = 200;
    paths.length = 0;
    const r = await runHealthcheck({ BIND_ADDRESS: `0.0.0.0:${port}` });
    expect(r.code).toBe(0);
    expect(paths).toEqual(['/health/live']);
  });

  it('is unhealthy on 503, on a refused connection and on a server that never answers', async () => {
    status = 503;
    expect((await runHealthcheck({ BIND_ADDRESS: `127.0.0.1:${port}` })).code).toBe(1);
    const closed = await refusedPort();
    const refused = await runHealthcheck({ BIND_ADDRESS: `0.0.0.0:${closed.port}` }).finally(
      closed.release,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ECONNREFUSED');
    status = 0;
    const hung = await runHealthcheck({
      HEALTHCHECK_URL: `http://127.0.0.1:${port}/health/live`,
      HEALTHCHECK_TIMEOUT_MS: '300',
    });
    expect(hung.code).toBe(1);
    expect(hung.stderr).toContain('no answer within 300 ms');
  });

  it('builds the URL from BIND_ADDRESS (IPv4, IPv6, wildcards) or takes HEALTHCHECK_URL', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { healthUrl } = require(HEALTHCHECK_SCRIPT) as {
      healthUrl: (env: Record<string, string>) => string;
    };
    expect(healthUrl({})).toBe('http://127.0.0.1:8080/health/live');
    expect(healthUrl({ BIND_ADDRESS: '0.0.0.0:9000' })).toBe('http://127.0.0.1:9000/health/live');
    expect(healthUrl({ BIND_ADDRESS: '[::]:9000' })).toBe('http://[::1]:9000/health/live');
    expect(healthUrl({ BIND_ADDRESS: '10.1.2.3:80' })).toBe('http://10.1.2.3:80/health/live');
    expect(healthUrl({ HEALTHCHECK_URL: 'http://x:1/y' })).toBe('http://x:1/y');
  });

  describe('against the built server', () => {
    let dir: string;
    let server: ServerProcess;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'agent-runner-healthcheck-'));
      server = await startServerProcess({
        cwd: dir,
        env: { AGENT_RUNNER_STORAGE_DRIVER: 'memory' },
      });
    });
    afterAll(async () => {
      await server?.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('reports healthy', async () => {
      const port = new URL(server.baseUrl).port;
      expect((await runHealthcheck({ BIND_ADDRESS: `0.0.0.0:${port}` })).code).toBe(0);
    });
  });
});

describe('deploy/docker/compose.yaml', () => {
  const compose = yaml.load(readProjectFile('deploy/docker/compose.yaml')) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };
  const svc = compose.services['agent-runner'];

  it('runs the image hardened: read-only root, no capabilities, no new privileges, /tmp on tmpfs', () => {
    expect(svc.read_only).toBe(true);
    expect(svc.cap_drop).toEqual(['ALL']);
    expect(svc.security_opt).toContain('no-new-privileges:true');
    expect(svc.tmpfs).toEqual([expect.stringMatching(/^\/tmp(:|$)/)]);
  });

  it('keeps data and workspace on volumes, publishes on loopback only and stops gracefully', () => {
    expect(svc.volumes).toEqual(
      expect.arrayContaining([
        `data:${dirname(runtimeEnv.AGENT_RUNNER_STORAGE_PATH)}`,
        `workspace:${runtimeEnv.AGENT_RUNNER_WORKING_DIRECTORY}`,
      ]),
    );
    expect(svc.ports).toEqual(['127.0.0.1:8080:8080']);
    // The service exits within shutdown_grace_seconds (default) + 5 s; SIGKILL must come later.
    expect(durationSeconds(String(svc.stop_grace_period))).toBeGreaterThan(
      new ServiceConfig().shutdown_grace_seconds + SHUTDOWN_MARGIN_SECONDS,
    );
    expect((svc.build as { context: string }).context).toBe('../..');
  });

  it('takes keys from an env file, never inline', () => {
    expect(svc.env_file).toEqual(['agent-runner.env']);
    const inline = Object.keys((svc.environment as Record<string, string>) ?? {});
    expect(inline.filter((k) => /KEY|SECRET|TOKEN/.test(k))).toEqual([]);
  });
});
