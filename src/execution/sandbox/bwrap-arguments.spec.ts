import { bwrapArguments, bwrapPipes } from './bwrap-arguments';

describe('bwrapArguments', () => {
  const base = {
    writable: ['/w/a', '/w/b'],
    cwd: '/w/a',
    hidden: [],
    network: false,
    tmpfsBytes: 0,
  };

  it('isolates: all namespaces, no capabilities, read-only root, only the roots writable', () => {
    const args = bwrapArguments(base);
    for (const flag of [
      '--unshare-all',
      '--cap-drop',
      '--die-with-parent',
      '--new-session',
      '--disable-userns',
    ]) {
      expect(args).toContain(flag);
    }
    expect(args).not.toContain('--share-net');
    expect(args.join(' ')).toContain('--bind /w/a /w/a --bind /w/b /w/b');
    expect(args.join(' ')).toContain('--tmpfs /tmp');
    expect(args.join(' ')).toContain('--remount-ro / --chdir /w/a');
    expect(args.join(' ')).not.toMatch(/--(ro-)?bind(-try)? \/etc\/(shadow|sudoers|ssh|npmrc) /);
    expect(args.join(' ')).not.toMatch(/--bind \/ \//);
  });

  it('never shares the host network: with network the slirp4netns handshake and resolv.conf instead', () => {
    expect(bwrapArguments(base).join(' ')).not.toMatch(/--share-net|--info-fd|--block-fd/);
    const args = bwrapArguments({ ...base, network: true, tmpfsBytes: 1024 });
    expect(args).not.toContain('--share-net');
    expect(args).toContain('--unshare-all');
    const text = args.join(' ');
    expect(bwrapPipes({ network: true })).toEqual({ info: 3, block: 4, resolv: 5, count: 3 });
    expect(text).toContain('--info-fd 3 --block-fd 4');
    expect(text).toContain('--perms 0644 --ro-bind-data 5 /etc/resolv.conf');
    expect(text).not.toContain('--ro-bind-try /etc/resolv.conf');
    expect(text).toContain('--size 1024 --tmpfs /tmp');
  });

  it('without a user namespace when it drops privileges inside: only the capabilities setpriv needs', () => {
    const args = bwrapArguments({
      ...base,
      writable: ['/srv/ws/a'],
      cwd: '/srv/ws/a',
      dropsPrivileges: true,
    });
    const text = args.join(' ');
    expect(args).not.toContain('--unshare-all');
    expect(args).not.toContain('--unshare-user');
    for (const ns of ['--unshare-ipc', '--unshare-pid', '--unshare-uts', '--unshare-net'])
      expect(args).toContain(ns);
    const added = args.flatMap((a, i) => (a === '--cap-add' ? [args[i + 1]] : []));
    expect(added.sort()).toEqual([
      'CAP_DAC_READ_SEARCH',
      'CAP_SETGID',
      'CAP_SETPCAP',
      'CAP_SETUID',
    ]);
    expect(text).toContain('--cap-drop ALL');
    // Folders bubblewrap makes for the mounts must let the unprivileged user through.
    expect(text).toContain(
      '--perms 0755 --dir /srv --perms 0755 --dir /srv/ws --bind /srv/ws/a /srv/ws/a',
    );
    expect(text).toContain('--perms 0755 --dir /etc');
    expect(text).toContain('--perms 1777 --tmpfs /tmp');
    const underTmp = bwrapArguments({
      ...base,
      writable: ['/tmp/x/y/ws'],
      cwd: '/tmp/x/y/ws',
      dropsPrivileges: true,
    }).join(' ');
    expect(underTmp).toContain(
      '--tmpfs /tmp --perms 0755 --dir /tmp/x --perms 0755 --dir /tmp/x/y --bind /tmp/x/y/ws',
    );
  });

  it('loads the seccomp filter from the pipe after the network ones', () => {
    expect(bwrapPipes({ network: false, seccomp: true })).toEqual({ seccomp: 3, count: 1 });
    expect(bwrapPipes({ network: true, seccomp: true })).toMatchObject({ seccomp: 6, count: 4 });
    const args = bwrapArguments({ ...base, dropsPrivileges: true, seccomp: true }).join(' ');
    expect(args).toContain('--seccomp 3');
    expect(bwrapArguments(base).join(' ')).not.toContain('--seccomp');
  });

  it('lets the runner map the user namespace (no nested one) for the network of a non-root service', () => {
    const spec = { ...base, network: true, seccomp: true, mapsUserNamespace: true };
    expect(bwrapPipes(spec)).toEqual({
      info: 3,
      block: 4,
      resolv: 5,
      seccomp: 6,
      userns: 7,
      count: 5,
    });
    const args = bwrapArguments(spec);
    expect(args.join(' ')).toContain('--unshare-all --unshare-user --userns-block-fd 7');
    expect(args).not.toContain('--disable-userns');
    // The seccomp filter replaces --disable-userns wherever there is one.
    expect(bwrapArguments({ ...base, seccomp: true })).not.toContain('--disable-userns');
  });

  it('binds outer roots before nested ones', () => {
    const text = bwrapArguments({ ...base, writable: ['/w/a/b', '/w/a'] }).join(' ');
    expect(text.indexOf('--bind /w/a /w/a')).toBeLessThan(text.indexOf('--bind /w/a/b /w/a/b'));
  });

  it('masks hidden files and folders', () => {
    const args = bwrapArguments({ ...base, hidden: ['/etc/hostname', '/usr/share'] }).join(' ');
    expect(args).toContain('--ro-bind /dev/null /etc/hostname');
    expect(args).toContain('--tmpfs /usr/share');
  });
});
