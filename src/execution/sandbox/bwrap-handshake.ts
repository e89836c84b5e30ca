import { readFile, writeFile } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import type { BwrapPipes } from './bwrap-arguments';
import { attachSlirpNetwork, SLIRP_DNS } from './slirp-network';

/** What the runner hands bubblewrap through its extra pipes. */
export interface BwrapHandshake {
  /** The seccomp program (userns-seccomp.ts). */
  seccomp?: Buffer;
  /** Plug slirp4netns into the sandbox's network namespace. */
  network?: { slirp4netns: string; joinUserNamespace: boolean };
  /** Write these identity uid/gid maps of the sandbox's user namespace (see mapsUserNamespace). */
  userMap?: { uid: number; gid: number };
}

/**
 * Talks to a bubblewrap that was started with `pipes`: writes the seccomp program, and for the
 * network reads the sandbox's pid from the info pipe, writes its user namespace's maps when asked
 * to, plugs slirp4netns into its network namespace, hands it a resolv.conf naming slirp's DNS,
 * then lets the command start. Resolves to
 * the function that stops the network (a no-op without one).
 */
export async function bwrapHandshake(
  child: { stdio: readonly unknown[] },
  pipes: BwrapPipes,
  handshake: BwrapHandshake,
): Promise<() => void> {
  const pipe = (fd: number | undefined) => {
    const stream = fd === undefined ? undefined : (child.stdio[fd] as Writable | undefined);
    stream?.on('error', () => undefined);
    return stream;
  };
  if (handshake.seccomp) pipe(pipes.seccomp)?.end(handshake.seccomp);
  if (!handshake.network) return () => undefined;
  pipe(pipes.resolv)?.end(`nameserver ${SLIRP_DNS}\n`);
  const info = child.stdio[pipes.info!] as Readable;
  // The sandbox process holds its copy of the pipe until its setup is done, which may wait for
  // this very handshake: take the report as soon as it is complete, not at the end of the pipe.
  const report = await new Promise<{ 'child-pid'?: number }>((resolve, reject) => {
    let data = '';
    const complete = () => {
      try {
        return JSON.parse(data) as { 'child-pid'?: number };
      } catch {
        return undefined;
      }
    };
    info.on('data', (d: Buffer) => {
      data += d.toString();
      const parsed = complete();
      if (parsed) resolve(parsed);
    });
    info.once('end', () => resolve(complete() ?? {}));
    info.once('error', reject);
  });
  const pid = Number(report['child-pid']);
  if (!Number.isInteger(pid) || pid <= 0)
    throw new Error('bubblewrap did not report its sandbox process');
  if (handshake.userMap) {
    // The rules of an unprivileged writer: one line, its own ids, setgroups denied first.
    const { uid, gid } = handshake.userMap;
    await writeFile(`/proc/${pid}/uid_map`, `${uid} ${uid} 1\n`);
    await writeFile(`/proc/${pid}/setgroups`, 'deny');
    await writeFile(`/proc/${pid}/gid_map`, `${gid} ${gid} 1\n`);
    pipe(pipes.userns)!.end('1');
  }
  await loopbackReady(pid);
  const attachment = await attachSlirpNetwork(handshake.network.slirp4netns, pid, {
    joinUserNamespace: handshake.network.joinUserNamespace,
  });
  pipe(pipes.block)!.end('1');
  return () => attachment.close();
}

const LOOPBACK_WAIT_MS = 5000;

/**
 * Waits until bubblewrap has set up the sandbox's loopback: slirp4netns brings `lo` up too, and if
 * it came first bubblewrap's own setup would fail ("loopback: Failed RTM_NEWADDR").
 */
async function loopbackReady(pid: number): Promise<void> {
  const deadline = Date.now() + LOOPBACK_WAIT_MS;
  for (;;) {
    const routes = await readFile(`/proc/${pid}/net/fib_trie`, 'utf8').catch(() => '');
    if (routes.includes('127.0.0.1')) return;
    if (Date.now() > deadline) throw new Error('bubblewrap did not set up the loopback in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
