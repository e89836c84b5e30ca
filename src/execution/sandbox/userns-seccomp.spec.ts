import { noUserNamespacesFilter } from './userns-seccomp';

describe('noUserNamespacesFilter', () => {
  /** Runs the classic BPF program on one system call, as the kernel would. */
  function verdict(filter: Buffer, arch: number, nr: number, arg0 = 0): number {
    const data = Buffer.alloc(64);
    data.writeInt32LE(nr, 0);
    data.writeUInt32LE(arch, 4);
    data.writeUInt32LE(arg0, 16);
    let a = 0;
    for (let pc = 0; pc < filter.length / 8; pc++) {
      const [code, jt, jf, k] = [
        filter.readUInt16LE(pc * 8),
        filter.readUInt8(pc * 8 + 2),
        filter.readUInt8(pc * 8 + 3),
        filter.readUInt32LE(pc * 8 + 4),
      ];
      if (code === 0x20) a = data.readUInt32LE(k);
      else if (code === 0x06) return k;
      else if (code === 0x15) pc += a === k ? jt : jf;
      else if (code === 0x35) pc += a >= k ? jt : jf;
      else if (code === 0x45) pc += (a & k) !== 0 ? jt : jf;
      else throw new Error(`unexpected instruction ${code}`);
    }
    throw new Error('fell off the end');
  }
  const ALLOW = 0x7fff0000;
  const EPERM = 0x00050001;
  const ENOSYS = 0x00050026;
  const NEWUSER = 0x10000000;

  it.each([
    ['x64', 0xc000003e, { unshare: 272, clone: 56, clone3: 435 }],
    ['arm64', 0xc00000b7, { unshare: 97, clone: 220, clone3: 435 }],
  ] as const)('on %s refuses new user namespaces and nothing else', (arch, audit, nr) => {
    const filter = noUserNamespacesFilter(arch)!;
    expect(verdict(filter, audit, nr.unshare, NEWUSER)).toBe(EPERM);
    expect(verdict(filter, audit, nr.unshare, NEWUSER | 0x20000)).toBe(EPERM);
    expect(verdict(filter, audit, nr.clone, NEWUSER | 0x11)).toBe(EPERM);
    expect(verdict(filter, audit, nr.clone3)).toBe(ENOSYS);
    expect(verdict(filter, audit, nr.unshare, 0x20000)).toBe(ALLOW);
    expect(verdict(filter, audit, nr.clone, 0x3d0f00)).toBe(ALLOW);
    expect(verdict(filter, audit, 0)).toBe(ALLOW);
    expect(verdict(filter, 0x40000003, nr.unshare, NEWUSER)).toBe(ALLOW);
  });

  it('refuses x32 system calls on x86_64 (they would walk around the numbers)', () => {
    expect(verdict(noUserNamespacesFilter('x64')!, 0xc000003e, 0x40000000 | 272, NEWUSER)).toBe(
      EPERM,
    );
  });

  it('has no filter for architectures it does not know', () => {
    expect(noUserNamespacesFilter('s390x')).toBeUndefined();
  });
});
