import { createServer, Server } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bwrapUnavailableReason,
  CANARY_TEXT,
  createExecutionHarness,
  ExecutionHarness,
  SECRET_VALUE,
} from './support/execution-harness';

const reason = bwrapUnavailableReason();
if (reason) console.warn(`bubblewrap isolation tests skipped: ${reason}`);
const describeBwrap = reason ? describe.skip : describe;

/**
 * Inside bubblewrap a command that passed the policy (or could not be checked, like a script or
 * a substitution) still cannot write outside the workspace, reach the network or read secrets.
 */
describeBwrap('bubblewrap isolation against a hostile command', () => {
  let h: ExecutionHarness;
  let inWorkspace: ExecutionHarness;
  let server: Server;
  let port = 0;
  let before: Record<string, string>;

  beforeAll(async () => {
    h = await createExecutionHarness({ config: { execution: { sandbox: 'bwrap' } } });
    inWorkspace = await createExecutionHarness({
      serviceInWorkspace: true,
      config: { execution: { sandbox: 'bwrap' } },
    });
    server = createServer((s) => s.end('hello from the host\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    before = h.snapshot(h.outside);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await h.close();
    await inWorkspace.close();
  });

  const run = (harness: ExecutionHarness, command: string) =>
    harness.call('run_command', { command, timeout_seconds: 20 });

  it('reports bubblewrap in use', () => {
    expect(h.probe.status()).toMatchObject({
      mode: 'bwrap',
      requested: 'bwrap',
      bwrap_available: true,
      commands_allowed: true,
    });
  });

  it('writes in the workspace work and persist', async () => {
    expect(await run(h, 'echo inside > made-inside.txt && cat made-inside.txt')).toMatchObject({
      status: 'ok',
      data: { stdout: 'inside\n' },
    });
    expect(readFileSync(join(h.workspace, 'made-inside.txt'), 'utf8')).toBe('inside\n');
  });

  it.each([
    ['the outside folder', (o: string) => `echo x > ${o}/pwned.txt`],
    [
      'a script that deletes outside',
      (o: string) => `printf 'rm -r %s\\n' ${o} > s.sh && bash s.sh`,
    ],
    ['command substitution', (o: string) => `$(echo rm) -r ${o}`],
    ['/etc', () => 'echo x > /etc/pwned'],
    ['/usr', () => 'touch /usr/bin/pwned'],
    ['the home folder', () => 'mkdir -p ~/.ssh && echo key > ~/.ssh/authorized_keys && ls /root'],
    [
      'a symlink planted in the workspace',
      (o: string) => `ln -sf ${o}/canary.txt planted && echo owned > planted`,
    ],
  ])('cannot write to %s', async (_name, build) => {
    const out = await run(h, build(h.outside));
    expect(out.status).toBe('error');
    expect(h.snapshot(h.outside)).toEqual(before);
    expect(existsSync('/etc/pwned') || existsSync('/usr/bin/pwned')).toBe(false);
  });

  it('cannot see the host outside the workspace', async () => {
    const out = await run(
      h,
      `cat ${h.outside}/canary.txt; ls ${h.base}; cat /etc/shadow; ls /home /root`,
    );
    expect(out.output).not.toContain(CANARY_TEXT);
    expect(out.output).not.toContain('service');
    expect(out.output).not.toMatch(/root:[^:]*:\d+/);
  });

  it("cannot read the service's config, .env or data, even inside the workspace", async () => {
    const out = await run(
      inWorkspace,
      'cat config.toml .env; ls -A data; cat data/* 2>&1; echo done',
    );
    expect(out.output).toContain('done');
    expect(out.output).not.toContain(SECRET_VALUE);
    expect(out.output).not.toContain('api_key');
    expect(out.output).not.toContain('database');
    const outside = await run(h, `cat ${h.secrets.configFile} ${h.secrets.dotenv}`);
    expect(outside.output).not.toContain(SECRET_VALUE);
  });

  it('has no network: the host loopback is unreachable', async () => {
    const out = await run(h, `cat < /dev/tcp/127.0.0.1/${port}`);
    expect(out.status).toBe('error');
    expect(out.output).not.toContain('hello from the host');
  });

  it('keeps the host loopback unreachable when execution.network is true (docs/security.md: network)', async () => {
    const net = await createExecutionHarness({
      config: { execution: { sandbox: 'bwrap', network: true } },
    });
    try {
      const out = await run(
        net,
        `grep -q "10.0.2.100" /proc/net/fib_trie && echo has-address; (cat < /dev/tcp/127.0.0.1/${port}) 2>&1; (cat < /dev/tcp/10.0.2.2/${port}) 2>&1; echo end`,
      );
      expect(out.data?.stdout).toMatch(/^has-address\n/);
      expect(out.output).toContain('end');
      expect(out.output).not.toContain('hello from the host');
    } finally {
      await net.close();
    }
  });

  it('sees only its own processes, a private /tmp and no capabilities', async () => {
    const out = await run(
      h,
      'ls /proc | grep -c "^[0-9]"; echo tmp-file > /tmp/private; grep CapEff /proc/self/status; hostname',
    );
    const [count, cap, host] = (out.data!.stdout as string).trim().split('\n');
    expect(Number(count)).toBeLessThan(10);
    expect(cap).toMatch(/CapEff:\s+0+$/);
    expect(host).toBe('sandbox');
    expect(existsSync('/tmp/private')).toBe(false);
  });

  it('unknowable commands run inside the sandbox, forbidden ones still do not', async () => {
    expect(await run(h, 'echo $(echo computed)')).toMatchObject({
      status: 'ok',
      data: { stdout: 'computed\n' },
    });
    expect(await run(h, `bash -c "rm -rf ${h.outside}"`)).toMatchObject({ status: 'denied' });
    expect(h.snapshot(h.outside)).toEqual(before);
  });
});
