import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** A user-mode network plugged into one sandboxed command's network namespace. */
export interface NetworkAttachment {
  /** Stops the network stack (it also stops by itself when the service dies). */
  close(): void;
}

/** The address slirp4netns answers DNS on inside the namespace (its default 10.0.2.0/24 network). */
export const SLIRP_DNS = '10.0.2.3';
const READY_TIMEOUT_MS = 10_000;

/**
 * Starts slirp4netns for the network namespace of `childPid` (bubblewrap's sandbox process) and
 * resolves once `tap0` is configured. `--disable-host-loopback` keeps the gateway (10.0.2.2) from
 * reaching the host's 127.0.0.1, and the namespace has no other way out, so the command can reach
 * the internet but not the service or other services listening on the host's loopback.
 * slirp4netns runs with a seccomp filter (it parses the command's packets), in its own mount
 * namespace when the service is root, and exits when the service closes its exit pipe or dies.
 */
export function attachSlirpNetwork(
  slirp4netns: string,
  childPid: number,
  options: { joinUserNamespace: boolean },
): Promise<NetworkAttachment> {
  const target = options.joinUserNamespace
    ? [`--userns-path=/proc/${childPid}/ns/user`, '--netns-type=path', `/proc/${childPid}/ns/net`]
    : [String(childPid)];
  const child = spawn(
    slirp4netns,
    [
      '--configure',
      '--mtu=65520',
      '--disable-host-loopback',
      // Its own mount namespace needs root (it fails with "setegid(0)" otherwise).
      ...(process.getuid?.() === 0 ? ['--enable-sandbox'] : []),
      '--enable-seccomp',
      '--ready-fd=3',
      '--exit-fd=4',
      ...target,
      'tap0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  const ready = child.stdio[3] as Readable;
  const exitPipe = child.stdio[4] as Writable;
  exitPipe.on('error', () => undefined);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const close = () => {
    exitPipe.destroy();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return new Promise<NetworkAttachment>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      close();
      reject(new Error(`slirp4netns could not set up the network: ${why}`));
    };
    const timer = setTimeout(() => fail('it did not report ready in time'), READY_TIMEOUT_MS);
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code, signal) =>
      fail(stderr.trim().split('\n').pop() || `it exited (${code ?? signal})`),
    );
    ready.once('data', () => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      child.on('error', () => undefined);
      resolve({ close });
    });
  });
}
