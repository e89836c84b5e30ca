import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What one sandboxed command may see. */
export interface BwrapSpec {
  /** Real paths bound read-write at the same place (the task's roots). */
  writable: string[];
  /** Working directory inside the sandbox (a path inside `writable`). */
  cwd: string;
  /** Paths inside the writable roots to mask (the service's secrets). */
  hidden: string[];
  /**
   * Give the command a network: its own namespace is always unshared; with this the runner plugs
   * slirp4netns into it through the pipes of {@link bwrapPipes}.
   */
  network: boolean;
  /** Size of the private /tmp in bytes (0 = bubblewrap's default). */
  tmpfsBytes: number;
  /**
   * The service is root and the command drops to `execution.run_as_user` inside (setpriv). Then
   * bubblewrap runs without a user namespace (whose only mapped uid would be root) and keeps just
   * the capabilities setpriv needs to drop; every folder it creates is made traversable.
   */
  dropsPrivileges?: boolean;
  /**
   * Keep the command from creating user namespaces with a seccomp filter read from a pipe
   * (userns-seccomp.ts) instead of bubblewrap's `--disable-userns`, which needs a user namespace
   * for the sandbox (not there when it drops privileges) and moves the command into a second,
   * nested one (whose namespace slirp4netns could not join to plug the network in). Without the
   * filter (an architecture it does not know) `--disable-userns` is used where it can be.
   */
  seccomp?: boolean;
  /**
   * The runner writes the identity uid/gid maps of the sandbox's user namespace itself while
   * bubblewrap waits (`--userns-block-fd`). Needed for the network of a service that is not root:
   * bubblewrap would otherwise move the command into a nested user namespace, and slirp4netns,
   * which must join the namespace that owns the network namespace, could no longer reach it.
   */
  mapsUserNamespace?: boolean;
}

/** The pipes bubblewrap reads or writes besides stdio, as fd numbers from 3 on. */
export interface BwrapPipes {
  /** bubblewrap writes `{"child-pid": N}` here once the sandbox process exists. */
  info?: number;
  /** bubblewrap waits for a byte here before it runs the command (the network is plugged in then). */
  block?: number;
  /** The sandbox's /etc/resolv.conf is read from here (slirp4netns answers DNS itself). */
  resolv?: number;
  /** The seccomp program is read from here. */
  seccomp?: number;
  /** bubblewrap waits for a byte here while the runner writes the user namespace's maps. */
  userns?: number;
  /** How many extra pipes the command needs. */
  count: number;
}

export function bwrapPipes(
  spec: Pick<BwrapSpec, 'network' | 'seccomp' | 'mapsUserNamespace'>,
): BwrapPipes {
  const pipes: BwrapPipes = { count: 0 };
  let next = 3;
  if (spec.network) {
    pipes.info = next++;
    pipes.block = next++;
    pipes.resolv = next++;
  }
  if (spec.seccomp) pipes.seccomp = next++;
  if (spec.mapsUserNamespace) pipes.userns = next++;
  pipes.count = next - 3;
  return pipes;
}

/** Top-level system folders bound read-only (or re-created as links on merged-/usr systems). */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** The parts of /etc programs need; secrets (shadow, ssh, sudoers, npmrc, pip.conf …) stay out. */
const ETC_ENTRIES = [
  'alternatives',
  'ca-certificates',
  'ca-certificates.conf',
  'ssl',
  'pki',
  'crypto-policies',
  'debian_version',
  'os-release',
  'lsb-release',
  'passwd',
  'group',
  'nsswitch.conf',
  'host.conf',
  'hosts',
  'gai.conf',
  'localtime',
  'timezone',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'locale.alias',
  'locale.conf',
  'magic',
  'magic.mime',
  'mime.types',
  'protocols',
  'services',
  'networks',
  'shells',
  'terminfo',
  'inputrc',
  'gitconfig',
  'perl',
  'python3',
  'fonts',
  'xml',
  'sgml',
];

/**
 * bubblewrap arguments (before the program): a new root with the system read-only, private
 * /dev, /proc and /tmp, the task's roots read-write, every namespace unshared (the network
 * namespace too: `network` plugs a user-mode stack into it), no capabilities (but the few
 * setpriv needs when it drops privileges inside), no nested user namespaces, a new session, and
 * death with the service.
 */
export function bwrapArguments(spec: BwrapSpec): string[] {
  const drops = spec.dropsPrivileges === true;
  const pipes = bwrapPipes(spec);
  const args = isolationArguments(spec, pipes, drops);
  args.push('--die-with-parent', '--new-session');
  args.push(...filesystemArguments(spec, pipes, drops));
  if (spec.network) args.push('--info-fd', String(pipes.info), '--block-fd', String(pipes.block));
  if (spec.seccomp) args.push('--seccomp', String(pipes.seccomp));
  // The new root itself (where /etc's entries were mounted) becomes read-only; binds keep their mode.
  args.push('--remount-ro', '/', '--chdir', spec.cwd, '--hostname', 'sandbox');
  return args;
}

/** Namespaces and capabilities: all unshared and none kept, but what setpriv needs to drop. */
function isolationArguments(spec: BwrapSpec, pipes: BwrapPipes, drops: boolean): string[] {
  if (drops)
    return [
      '--unshare-ipc',
      '--unshare-pid',
      '--unshare-uts',
      '--unshare-net',
      '--unshare-cgroup-try',
      '--cap-drop',
      'ALL',
      // setpriv needs these to drop, and bubblewrap the last one to enter the (handed-over)
      // working folder; the kernel clears them all when setpriv leaves uid 0.
      ...['CAP_SETUID', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_DAC_READ_SEARCH'].flatMap((c) => [
        '--cap-add',
        c,
      ]),
    ];
  return [
    '--unshare-all',
    '--unshare-user',
    // --disable-userns cannot go with --userns-block-fd; the seccomp filter does its job.
    ...(spec.seccomp || spec.mapsUserNamespace ? [] : ['--disable-userns']),
    ...(spec.mapsUserNamespace ? ['--userns-block-fd', String(pipes.userns)] : []),
    '--cap-drop',
    'ALL',
  ];
}

/**
 * The new root: the system read-only, the parts of /etc programs need, private /dev, /proc and
 * /tmp, the task's roots read-write and the service's secrets masked.
 */
function filesystemArguments(spec: BwrapSpec, pipes: BwrapPipes, drops: boolean): string[] {
  const args: string[] = [];
  const mounted: string[] = [];
  const made = new Set<string>();
  // As root, folders bubblewrap creates for a mount are 0700: the dropped user could not pass them.
  const mount = (op: string[], dest: string) => {
    if (drops) args.push(...traversableParents(dest, mounted, made));
    args.push(...op);
    mounted.push(dest);
  };
  for (const dir of SYSTEM_DIRS) {
    const op = bindSystemPath(dir);
    if (op.length) mount(op, dir);
  }
  for (const entry of ETC_ENTRIES) {
    const p = join('/etc', entry);
    if (existsSync(p)) mount(['--ro-bind-try', p, p], p);
  }
  if (spec.network)
    mount(
      ['--perms', '0644', '--ro-bind-data', String(pipes.resolv), '/etc/resolv.conf'],
      '/etc/resolv.conf',
    );
  const prefix = dirname(dirname(process.execPath));
  if (!SYSTEM_DIRS.some((d) => prefix === d || prefix.startsWith(`${d}/`)))
    mount(['--ro-bind', prefix, prefix], prefix);
  args.push('--dev', '/dev', '--proc', '/proc');
  mounted.push('/dev', '/proc');
  if (drops) args.push('--perms', '1777');
  if (spec.tmpfsBytes > 0) args.push('--size', String(spec.tmpfsBytes));
  args.push('--tmpfs', '/tmp');
  // An empty tmpfs: folders below it are bubblewrap's to make (traversable), unlike a bind's.
  made.add('/tmp');
  // Outer roots first, so a nested root is bound on top of its parent, not hidden by it.
  for (const root of [...spec.writable].sort((a, b) => a.length - b.length))
    mount(['--bind', root, root], root);
  for (const h of spec.hidden) {
    if (!existsSync(h)) continue;
    if (lstatSync(h).isDirectory()) args.push('--tmpfs', h);
    else args.push('--ro-bind', '/dev/null', h);
  }
  return args;
}

/**
 * `--perms 0755 --dir` for each folder above `dest` that bubblewrap has to create (not `/`, not
 * one already `made`, not inside something `mounted` before).
 */
function traversableParents(dest: string, mounted: string[], made: Set<string>): string[] {
  const out: string[] = [];
  const parts = dest.split('/').filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    if (made.has(dir) || mounted.some((m) => dir === m || dir.startsWith(`${m}/`))) continue;
    out.push('--perms', '0755', '--dir', dir);
    made.add(dir);
  }
  return out;
}

function bindSystemPath(dir: string): string[] {
  try {
    const st = lstatSync(dir);
    if (st.isSymbolicLink()) return ['--symlink', readlinkSync(dir), dir];
    if (st.isDirectory()) return ['--ro-bind', dir, dir];
  } catch {
    // Not on this system.
  }
  return [];
}
