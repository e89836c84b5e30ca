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
  network: boolean;
  /** Size of the private /tmp in bytes (0 = bubblewrap's default). */
  tmpfsBytes: number;
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
 * /dev, /proc and /tmp, the task's roots read-write, every namespace unshared (network only
 * when allowed), no capabilities, no nested user namespaces, a new session, and death with
 * the service.
 */
export function bwrapArguments(spec: BwrapSpec): string[] {
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
  ];
  if (spec.network) args.push('--share-net');
  for (const dir of SYSTEM_DIRS) args.push(...bindSystemPath(dir));
  for (const entry of ETC_ENTRIES) {
    const p = join('/etc', entry);
    if (existsSync(p)) args.push('--ro-bind-try', p, p);
  }
  if (spec.network && existsSync('/etc/resolv.conf'))
    args.push('--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf');
  const prefix = dirname(dirname(process.execPath));
  if (!SYSTEM_DIRS.some((d) => prefix === d || prefix.startsWith(`${d}/`)))
    args.push('--ro-bind', prefix, prefix);
  args.push('--dev', '/dev', '--proc', '/proc');
  if (spec.tmpfsBytes > 0) args.push('--size', String(spec.tmpfsBytes));
  args.push('--tmpfs', '/tmp');
  for (const root of spec.writable) args.push('--bind', root, root);
  for (const h of spec.hidden) {
    if (!existsSync(h)) continue;
    if (lstatSync(h).isDirectory()) args.push('--tmpfs', h);
    else args.push('--ro-bind', '/dev/null', h);
  }
  // The new root itself (where /etc's entries were mounted) becomes read-only; binds keep their mode.
  args.push('--remount-ro', '/', '--chdir', spec.cwd, '--hostname', 'sandbox');
  return args;
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
