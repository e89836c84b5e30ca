import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { eventually } from '../support/eventually';
import {
  bwrapUnavailableReason,
  createExecutionHarness,
  ExecutionHarness,
} from './support/execution-harness';

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root';
  const missing = bwrapUnavailableReason();
  if (missing) return missing;
  for (const tool of ['ip', 'slirp4netns'])
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      return `${tool} is not installed (apt-get install -y ${tool === 'ip' ? 'iproute2' : tool})`;
  return undefined;
}

const reason = unavailable();
if (reason) console.warn(`network attacks skipped: ${reason}`);
const describeNet = reason ? describe.skip : describe;

/** slirp4netns processes this test process started (its children). */
function ownSlirpProcesses(): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (
          stat.includes('(slirp4netns)') && Number(fields[1]) === process.pid && fields[0] !== 'Z'
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' }).toString();

/** A free /30 in 10.200.0.0/16 that no interface or route of this host uses. */
function freeSubnet(): [string, string] {
  const used = ip('-4', 'addr') + ip('-4', 'route');
  for (;;) {
    const [b, c] = [randomInt(0, 256), randomInt(0, 64) * 4];
    const prefix = `10.200.${b}.`;
    if (!used.includes(`${prefix}${c}`) && !used.includes(`${prefix}${c + 1}`))
      return [`${prefix}${c + 1}`, `${prefix}${c + 2}`];
  }
}

/**
 * `execution.network = true` gives a command the world, not the host: a listener on a
 * non-loopback address of another network namespace (standing in for a server on the internet)
 * answers, while a listener on the host's loopback (standing in for the service and local
 * databases) stays out of reach, directly and through slirp's gateway address.
 */
describeNet('execution.network = true (bubblewrap + slirp4netns)', () => {
  const tag = randomBytes(3).toString('hex');
  const ns = `ar-test-${tag}`;
  const [hostSide, nsSide] = [`arh${tag}`, `arn${tag}`];
  const [hostAddress, remoteAddress] = freeSubnet();
  let remote: ChildProcess;
  let remotePort = 0;
  let local: Server;
  let localPort = 0;
  let h: ExecutionHarness;
  let offline: ExecutionHarness;

  beforeAll(async () => {
    ip('netns', 'add', ns);
    ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide);
    ip('link', 'set', nsSide, 'netns', ns);
    ip('addr', 'add', `${hostAddress}/30`, 'dev', hostSide);
    ip('link', 'set', hostSide, 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${remoteAddress}/30`, 'dev', nsSide);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', nsSide, 'up');
    remote = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '-e',
        `const s = require('node:net').createServer((c) => c.end('hello from ${ns}\\n'));
         s.listen(0, '${remoteAddress}', () => console.log(s.address().port));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [line] = (await once(remote.stdout!, 'data')) as [Buffer];
    remotePort = Number(line.toString().trim());
    local = createServer((c) => c.end('hello from the host loopback\n'));
    local.listen(0, '127.0.0.1');
    await once(local, 'listening');
    localPort = (local.address() as { port: number }).port;
    h = await createExecutionHarness({
      config: { execution: { sandbox: 'bwrap', network: true } },
    });
    offline = await createExecutionHarness({ config: { execution: { sandbox: 'bwrap' } } });
  }, 30_000);

  afterAll(async () => {
    await h?.close();
    await offline?.close();
    remote?.kill('SIGKILL');
    local?.close();
    try {
      ip('netns', 'del', ns);
    } catch {
      // Not created.
    }
    try {
      ip('link', 'del', hostSide);
    } catch {
      // Gone with the namespace.
    }
  });

  const run = (harness: ExecutionHarness, command: string) =>
    harness.call('run_command', { command, timeout_seconds: 20 });

  it('reports the network and its stack', () => {
    expect(h.probe.status().network).toEqual({
      enabled: true,
      stack: 'slirp4netns',
      available: true,
    });
  });

  it('reaches a server on another host', async () => {
    const out = await run(h, `cat < /dev/tcp/${remoteAddress}/${remotePort}`);
    expect(out).toMatchObject({ status: 'ok', data: { stdout: `hello from ${ns}\n` } });
  });

  it.each([
    ['the host loopback', () => `127.0.0.1/${localPort}`],
    ["slirp's mapping of the host loopback", () => `10.0.2.2/${localPort}`],
    ['the host loopback by another name', () => `127.1.2.3/${localPort}`],
  ])('cannot reach %s', async (_name, target) => {
    const out = await run(h, `(cat < /dev/tcp/${target()}) 2>&1; echo "exit $?"`);
    expect(out.data?.stdout).toMatch(/exit 1\n$/);
    expect(out.output).not.toContain('hello from the host loopback');
  });

  it('has no network at all without execution.network', async () => {
    const out = await run(
      offline,
      `(cat < /dev/tcp/${remoteAddress}/${remotePort}) 2>&1; echo "exit $?"`,
    );
    expect(out.data?.stdout).toMatch(/exit 1\n$/);
    expect(out.output).not.toContain(`hello from ${ns}`);
  });

  it('leaves no network stack running after the command', async () => {
    await run(h, 'true');
    await eventually(() => expect(ownSlirpProcesses()).toEqual([]), {
      timeoutMs: 2000,
      intervalMs: 100,
    });
  });
});
