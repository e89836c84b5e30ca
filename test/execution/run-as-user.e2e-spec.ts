import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxMode } from '../../src/config/config.schema';
import { AppConfigService } from '../../src/config/app-config.service';
import {
  unsafeToHandOver,
  WorkspaceOwnership,
} from '../../src/execution/sandbox/workspace-ownership.service';
import { ServerProcess, startServerProcess } from '../support/server-process';
import {
  bwrapUnavailableReason,
  createExecutionHarness,
  ExecutionHarness,
} from './support/execution-harness';

const notRoot =
  process.getuid?.() === 0
    ? undefined
    : 'the tests do not run as root, so commands cannot drop to another user';
const bwrapMissing = bwrapUnavailableReason();
if (notRoot) console.warn(`run_as_user tests skipped: ${notRoot}`);
if (!notRoot && bwrapMissing) console.warn(`run_as_user under bubblewrap skipped: ${bwrapMissing}`);
const modes: SandboxMode[] = notRoot ? [] : bwrapMissing ? ['none'] : ['none', 'bwrap'];
const describeRoot = notRoot ? describe.skip : describe;

const nobody = notRoot
  ? { uid: -1, gid: -1 }
  : {
      uid: Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })),
      gid: Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' })),
    };
const config = (sandbox: SandboxMode) => ({
  execution: { sandbox, allow_unsandboxed_commands: sandbox === 'none' },
});

/** The service runs as root (like many containers): its commands must not. */
describe.each(modes)('commands of a root service run as run_as_user (sandbox %s)', (sandbox) => {
  let h: ExecutionHarness;

  beforeAll(async () => {
    h = await createExecutionHarness({ serviceInWorkspace: true, config: config(sandbox) });
  });
  afterAll(() => h.close());

  const run = (command: string) => h.call('run_command', { command, timeout_seconds: 20 });

  it('reports the user in the sandbox status', () => {
    expect(h.probe.status().run_as).toEqual({
      user: 'nobody',
      applied: true,
      uid: nobody.uid,
      gid: nobody.gid,
      usable: true,
    });
  });

  it('runs commands as nobody, with no groups and no capabilities', async () => {
    const out = await run('id -u; id -g; id -G; grep -E "^Cap(Prm|Eff|Bnd|Amb)" /proc/self/status');
    const [uid, gid, groups, ...caps] = (out.data!.stdout as string).trim().split('\n');
    expect([Number(uid), Number(gid), groups]).toEqual([
      nobody.uid,
      nobody.gid,
      String(nobody.gid),
    ]);
    expect(caps).toHaveLength(4);
    for (const cap of caps) expect(cap).toMatch(/:\s+0+$/);
  });

  // Only inside bubblewrap: without it, commands have the host's user namespaces like any user.
  if (sandbox === 'bwrap')
    it('cannot create user namespaces inside bubblewrap (a seccomp filter stands in for --disable-userns); threads still start', async () => {
      const out = await run(
        "unshare -U true; echo \"unshare $?\"; unshare -Ur id; echo \"map $?\"; grep Seccomp: /proc/self/status; node -e \"new (require('node:worker_threads').Worker)('0', { eval: true }).on('exit', (c) => console.log('thread', c))\"",
      );
      expect(out.data?.stdout).toBe('unshare 1\nmap 1\nSeccomp:\t2\nthread 0\n');
      expect(out.data?.stderr).toContain('Operation not permitted');
    });

  it('makes the workspace theirs: files the service and the tools made are writable by commands', async () => {
    expect(
      await h.call('write_file', { path: 'made/by/tool.txt', content: 'from the tool\n' }),
    ).toMatchObject({ status: 'ok' });
    const out = await run(
      'echo more >> made/by/tool.txt && echo edit >> README.md && mkdir made/by/cmd && touch made/by/cmd/x && cat made/by/tool.txt',
    );
    expect(out).toMatchObject({ status: 'ok', data: { stdout: 'from the tool\nmore\n' } });
    for (const p of ['made', 'made/by', 'made/by/tool.txt', 'made/by/cmd/x', 'README.md']) {
      const st = statSync(join(h.workspace, p));
      expect({ p, uid: st.uid, gid: st.gid }).toEqual({ p, uid: nobody.uid, gid: nobody.gid });
    }
    // A file the tool replaces keeps the owner it had.
    await h.call('write_file', { path: 'made/by/tool.txt', content: 'again\n' });
    expect(statSync(join(h.workspace, 'made/by/tool.txt')).uid).toBe(nobody.uid);
  });

  it("leaves the service's own code to the service when a workspace holds it", async () => {
    const install = join(h.base, 'install');
    for (const folder of ['dist', 'node_modules', 'prompts', 'src'])
      mkdirSync(join(install, folder), { recursive: true });
    for (const file of ['dist/main.js', 'package.json', 'README.md'])
      writeFileSync(join(install, file), 'x');
    class Ownership extends WorkspaceOwnership {
      protected override readonly serviceCode = new Set(
        ['dist', 'node_modules', 'prompts', 'package.json'].map((p) => join(install, p)),
      );
    }
    await new Ownership().handOver([install], () => false, nobody);
    const owner = (p: string) => statSync(join(install, p)).uid;
    expect(['dist', 'dist/main.js', 'node_modules', 'prompts', 'package.json'].map(owner)).toEqual([
      0, 0, 0, 0, 0,
    ]);
    expect(['.', 'src', 'README.md'].map(owner)).toEqual([nobody.uid, nobody.uid, nobody.uid]);
  });

  it("leaves the service's own files in the workspace to the service", async () => {
    await run('true');
    for (const p of [h.secrets.configFile, h.secrets.dotenv, h.secrets.dataDir])
      expect({ p, uid: statSync(p).uid }).toEqual({ p, uid: 0 });
  });
});

describeRoot('run_as_user settings and limits', () => {
  it('needs every folder above the workspace to let the user pass without the OS sandbox, and says so', async () => {
    const h = await createExecutionHarness({ config: config('none') });
    const locked = join(h.base, 'locked');
    try {
      mkdirSync(join(locked, 'ws'), { recursive: true });
      chmodSync(locked, 0o700);
      h.module.get(AppConfigService).update({ tools: { working_directory: join(locked, 'ws') } });
      const out = await h.call('run_command', { command: 'id -u' });
      expect(out.status).toBe('error');
      expect(out.output).toContain(`cannot pass ${locked} (mode 0700, owner uid 0)`);
      expect(out.output).toContain('chmod o+x');
    } finally {
      await h.close();
    }
  });

  (bwrapMissing ? it.skip : it)(
    'inside bubblewrap the same layout works (the sandbox makes the folders above)',
    async () => {
      const h = await createExecutionHarness({ config: config('bwrap') });
      const locked = join(h.base, 'locked');
      try {
        mkdirSync(join(locked, 'deeper', 'ws'), { recursive: true });
        chmodSync(locked, 0o700);
        h.module.get(AppConfigService).update({
          tools: { working_directory: join(locked, 'deeper', 'ws') },
        });
        const out = await h.call('run_command', {
          command: `id -u && touch "$PWD/x" && ls ${locked}`,
        });
        expect(out).toMatchObject({ status: 'ok', data: { stdout: `${nobody.uid}\ndeeper\n` } });
      } finally {
        await h.close();
      }
    },
  );

  it('never hands a system top-level folder or the home folder to the user', async () => {
    expect(unsafeToHandOver('/', '/root')).toContain('top-level');
    expect(unsafeToHandOver('/srv', '/root')).toContain('top-level');
    expect(unsafeToHandOver('/workspace', '/root')).toBeUndefined();
    expect(unsafeToHandOver('/home/svc', '/home/svc')).toContain('home folder');
    expect(unsafeToHandOver('/srv/workspaces', '/root')).toBeUndefined();
    const h = await createExecutionHarness({ config: config('none') });
    try {
      h.module.get(AppConfigService).update({ tools: { working_directory: '/tmp' } });
      const before = statSync('/tmp').uid;
      const out = await h.call('run_command', { command: 'true' });
      expect(out.status).toBe('error');
      expect(out.output).toContain('/tmp is a system or shared top-level folder');
      expect(statSync('/tmp').uid).toBe(before);
    } finally {
      await h.close();
    }
  });

  it('runs commands as the service user only when run_as_user is ""', async () => {
    const h = await createExecutionHarness({
      config: { execution: { ...config('none').execution, run_as_user: '' } },
    });
    try {
      expect(h.probe.status().run_as).toMatchObject({ applied: false, usable: true });
      expect(await h.call('run_command', { command: 'id -u' })).toMatchObject({
        data: { stdout: '0\n' },
      });
    } finally {
      await h.close();
    }
  });

  it('refuses every command when the user does not exist (never falls back to root)', async () => {
    const h = await createExecutionHarness({ config: config('none') });
    try {
      h.module.get(AppConfigService).update({ execution: { run_as_user: 'no-such-user-test' } });
      const out = await h.call('run_command', { command: 'id -u' });
      expect(out.status).toBe('denied');
      expect(out.output).toContain('"no-such-user-test" is not a user of this host');
      expect(h.registry.disabledTools()).toEqual([
        { name: 'run_command', reason: expect.stringContaining('no-such-user-test') },
      ]);
    } finally {
      await h.close();
    }
  });
});

describeRoot('a service that is not root', () => {
  const slirpMissing =
    bwrapMissing ??
    (spawnSync('sh', ['-c', 'command -v slirp4netns']).status === 0
      ? undefined
      : 'slirp4netns is not installed');
  if (slirpMissing) console.warn(`non-root network check skipped: ${slirpMissing}`);
  let dir: string;
  let server: ServerProcess;
  let hostPort = 0;
  const host = createServer((c) => c.end('hello from the host loopback\n'));

  beforeAll(async () => {
    host.listen(0, '127.0.0.1');
    await once(host, 'listening');
    hostPort = (host.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'agent-runner-nonroot-'));
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, 'README.md'), 'hello\n');
    server = await startServerProcess({
      cwd: dir,
      wrapper: ['setpriv', `--reuid=${nobody.uid}`, `--regid=${nobody.gid}`, '--clear-groups'],
      env: {
        AGENT_RUNNER_STORAGE_DRIVER: 'memory',
        ...(slirpMissing ? {} : { AGENT_RUNNER__EXECUTION__NETWORK: 'true' }),
      },
    });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  (slirpMissing ? it.skip : it)(
    'still gives sandboxed commands their own network, without the host loopback, and no user namespaces',
    async () => {
      const res = await fetch(`${server.baseUrl}/api/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          task: `run \`grep -c tap0 /proc/net/dev; id -u; (cat < /dev/tcp/127.0.0.1/${hostPort}) 2>&1; unshare -U true 2>&1; echo done\``,
        }),
      });
      const task = (await res.json()) as { result: { summary: string } };
      const summary = task.result.summary;
      expect(summary).toMatch(new RegExp(`stdout:\\n1\\n${nobody.uid}\\n`));
      expect(summary).toContain('Connection refused');
      expect(summary).toContain('Operation not permitted');
      expect(summary).not.toContain('hello from the host loopback');
    },
  );

  it('cannot switch users: status says why, commands run as the service user', async () => {
    {
      const status = (await (await fetch(`${server.baseUrl}/api/v1/status`)).json()) as {
        sandbox: { run_as: Record<string, unknown> };
      };
      expect(status.sandbox.run_as).toEqual({
        user: 'nobody',
        applied: false,
        uid: nobody.uid,
        gid: null,
        usable: true,
        reason: `the service does not run as root (uid ${nobody.uid}), so commands run as the service's own user`,
      });
    }
  });
});
