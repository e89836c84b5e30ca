import type { Readable, Writable } from 'node:stream';
import type { BwrapPipes } from './bwrap-arguments';
import { attachSlirpNetwork, SLIRP_DNS } from './slirp-network';

/** What the runner hands bubblewrap through its extra pipes. */
export interface BwrapHandshake {
  /** The seccomp program (userns-seccomp.ts). */
  seccomp?: Buffer;
  /** Plug slirp4netns into the sandbox's network namespace. */
  network?: { slirp4netns: string; joinUserNamespace: boolean };
}

/**
 * Talks to a bubblewrap that was started with `pipes`: writes the seccomp program, and for the
 * network reads the sandbox's pid from the info pipe, plugs slirp4netns into its network
 * namespace, hands it a resolv.conf naming slirp's DNS, then lets the command start. Resolves to
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
  const text = await new Promise<string>((resolve, reject) => {
    let data = '';
    info.on('data', (d: Buffer) => (data += d.toString()));
    info.once('end', () => resolve(data));
    info.once('error', reject);
  });
  const pid = Number((JSON.parse(text || '{}') as { 'child-pid'?: number })['child-pid']);
  if (!Number.isInteger(pid) || pid <= 0)
    throw new Error('bubblewrap did not report its sandbox process');
  const attachment = await attachSlirpNetwork(handshake.network.slirp4netns, pid, {
    joinUserNamespace: handshake.network.joinUserNamespace,
  });
  pipe(pipes.block)!.end('1');
  return () => attachment.close();
}
