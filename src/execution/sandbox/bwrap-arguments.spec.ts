import { bwrapArguments } from './bwrap-arguments';

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

  it('shares the network only when asked and sizes /tmp', () => {
    const args = bwrapArguments({ ...base, network: true, tmpfsBytes: 1024 });
    expect(args).toContain('--share-net');
    expect(args.join(' ')).toContain('--size 1024 --tmpfs /tmp');
  });

  it('masks hidden files and folders', () => {
    const args = bwrapArguments({ ...base, hidden: ['/etc/hostname', '/usr/share'] }).join(' ');
    expect(args).toContain('--ro-bind /dev/null /etc/hostname');
    expect(args).toContain('--tmpfs /usr/share');
  });
});
