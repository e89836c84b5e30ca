import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { AgentRunnerConfig } from '../../src/config/config.schema';
import { validateConfig } from '../../src/config/config.validation';
import { durationSeconds, readProjectFile, which } from './support/deploy-files';

const CONF_PATH = 'deploy/nginx/agent-runner.conf';
const conf = readProjectFile(CONF_PATH).replace(/#[^\n]*/g, '');
const systemdConfig = validateConfig(parseToml(readProjectFile('deploy/systemd/config.toml')))
  .config as AgentRunnerConfig;

/** The body of the first `location <match> {…}` block (blocks here hold no nested braces). */
function location(match: string): string {
  const start = conf.indexOf(`location ${match} {`);
  if (start < 0) throw new Error(`no location ${match}`);
  return conf.slice(start, conf.indexOf('}', start));
}

/** Values of a directive in a piece of configuration. */
function directive(text: string, name: string): string[] {
  return [...text.matchAll(new RegExp(`(?:^|[\\s;{])${name}\\s+([^;]+);`, 'g'))].map((m) =>
    m[1].trim(),
  );
}

/** nginx sizes: 2m, 512k, 1048576. */
function bytes(size: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(size)!;
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()]!;
}

function nginx(): string | null {
  return which('nginx') ?? (which('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null);
}

describe('nginx example (deploy/nginx/agent-runner.conf)', () => {
  const eventsPattern = /location ~ (\S+) \{/.exec(conf)![1];
  const events = location(`~ ${eventsPattern}`);

  it('streams task events: the SSE location matches only the events route and never buffers', () => {
    const re = new RegExp(eventsPattern);
    expect(re.test('/api/v1/tasks/4f2c-task_1/events')).toBe(true);
    expect(re.test('/api/v1/tasks')).toBe(false);
    expect(re.test('/api/v1/tasks/batch')).toBe(false);
    expect(re.test('/api/v1/tasks/x/events/extra')).toBe(false);
    expect(directive(events, 'proxy_buffering')).toEqual(['off']);
    expect(directive(events, 'proxy_cache')).toEqual(['off']);
    // The service sends a heartbeat every 15 s; the stream must outlive many of them.
    expect(durationSeconds(directive(events, 'proxy_read_timeout')[0])).toBeGreaterThanOrEqual(600);
  });

  it('waits longer than service.sync_wait_seconds for synchronous submissions', () => {
    const api = location('/');
    expect(durationSeconds(directive(api, 'proxy_read_timeout')[0])).toBeGreaterThan(
      systemdConfig.service.sync_wait_seconds,
    );
  });

  it('lets bodies up to service.max_body_bytes through, so the service answers 413 itself', () => {
    const [limit] = directive(conf, 'client_max_body_size');
    expect(bytes(limit)).toBeGreaterThanOrEqual(systemdConfig.service.max_body_bytes);
  });

  it("passes the client's X-Request-ID (else nginx's own) and the forwarding headers", () => {
    expect(conf).toMatch(/map \$http_x_request_id \$agent_runner_request_id \{/);
    expect(directive(conf, 'proxy_set_header')).toEqual(
      expect.arrayContaining([
        'X-Request-ID $agent_runner_request_id',
        'X-Forwarded-For $proxy_add_x_forwarded_for',
        'X-Forwarded-Proto $scheme',
        'Connection ""',
      ]),
    );
    expect(directive(conf, 'proxy_http_version')).toEqual(['1.1']);
  });

  it('terminates TLS, redirects HTTP and proxies to the bind address of the systemd config', () => {
    expect(directive(conf, 'listen')).toEqual(expect.arrayContaining(['443 ssl http2']));
    expect(directive(conf, 'return')).toEqual(['301 https://$host$request_uri']);
    expect(directive(conf, 'ssl_protocols')).toEqual(['TLSv1.2 TLSv1.3']);
    expect(directive(conf, 'server')).toContain(systemdConfig.service.bind_address);
  });

  const binary = nginx();
  const openssl = which('openssl');
  const missing = !binary ? 'nginx is not installed' : !openssl ? 'openssl is missing' : null;
  if (missing) console.warn(`nginx -t does not run here: ${missing}`);
  (missing ? it.skip : it)('passes nginx -t', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-runner-nginx-'));
    try {
      mkdirSync(join(dir, 'tmp'));
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      const made = spawnSync(openssl!, [
        ...[
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
        ],
        ...['-keyout', key, '-out', cert],
      ]);
      expect(made.status).toBe(0);
      const site = readProjectFile(CONF_PATH)
        .replace('/etc/ssl/certs/agent-runner.example.com.pem', cert)
        .replace('/etc/ssl/private/agent-runner.example.com.key', key);
      writeFileSync(join(dir, 'agent-runner.conf'), site);
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((t) => `${t}_temp_path ${join(dir, 'tmp')};`)
        .join(' ');
      writeFileSync(
        join(dir, 'nginx.conf'),
        `error_log stderr; pid ${join(dir, 'nginx.pid')}; events {}\n` +
          `http { access_log off; ${temp} include ${join(dir, 'agent-runner.conf')}; }\n`,
      );
      const r = spawnSync(binary!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect([r.status, r.stderr]).toEqual([0, expect.stringContaining('test is successful')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
