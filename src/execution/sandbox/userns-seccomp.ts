/**
 * A seccomp filter (classic BPF, as bubblewrap's `--seccomp` takes it) that keeps a sandboxed
 * command from creating user namespaces: `unshare` and `clone` with CLONE_NEWUSER fail with EPERM,
 * `clone3` (whose flags a filter cannot read) fails with ENOSYS so the C library falls back to
 * `clone`. bubblewrap's own `--disable-userns` needs a user namespace for the sandbox, which a root
 * service dropping to `run_as_user` cannot use (see bwrap-arguments.ts).
 */

const CLONE_NEWUSER = 0x10000000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;
/** x32 system calls on x86_64 carry this bit; the filter refuses them (nothing here uses x32). */
const X32_SYSCALL_BIT = 0x40000000;

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;

/** Offsets in struct seccomp_data. */
const NR = 0;
const ARCH = 4;
const ARG0_LOW = 16;

interface ArchSyscalls {
  audit: number;
  unshare: number;
  clone: number;
  clone3: number;
  x32?: boolean;
}

const ARCHES: Record<string, ArchSyscalls> = {
  x64: { audit: 0xc000003e, unshare: 272, clone: 56, clone3: 435, x32: true },
  arm64: { audit: 0xc00000b7, unshare: 97, clone: 220, clone3: 435 },
};

/** One instruction; jumps name their target (`next` = the following instruction). */
type Label = 'next' | 'check' | 'allow' | 'eperm' | 'enosys';
type Step = { op: number; k: number; jt?: Label; jf?: Label; label?: Label };

/** The filter for this machine's architecture, or undefined where it is not known here. */
export function noUserNamespacesFilter(arch: string = process.arch): Buffer | undefined {
  const a = ARCHES[arch];
  if (!a) return undefined;
  const steps: Step[] = [
    { op: BPF_LD_W_ABS, k: ARCH },
    { op: BPF_JEQ_K, k: a.audit, jf: 'allow' }, // another architecture: not ours to judge
    { op: BPF_LD_W_ABS, k: NR },
    ...(a.x32 ? [{ op: BPF_JGE_K, k: X32_SYSCALL_BIT, jt: 'eperm' as Label }] : []),
    { op: BPF_JEQ_K, k: a.clone3, jt: 'enosys' },
    { op: BPF_JEQ_K, k: a.unshare, jt: 'check' },
    { op: BPF_JEQ_K, k: a.clone, jt: 'check', jf: 'allow' },
    { op: BPF_LD_W_ABS, k: ARG0_LOW, label: 'check' },
    { op: BPF_JSET_K, k: CLONE_NEWUSER, jt: 'eperm', jf: 'allow' },
    { op: BPF_RET_K, k: SECCOMP_RET_ALLOW, label: 'allow' },
    { op: BPF_RET_K, k: SECCOMP_RET_ERRNO | EPERM, label: 'eperm' },
    { op: BPF_RET_K, k: SECCOMP_RET_ERRNO | ENOSYS, label: 'enosys' },
  ];
  const at = (label: Label | undefined, from: number) =>
    !label || label === 'next' ? 0 : steps.findIndex((s) => s.label === label) - from - 1;
  const out = Buffer.alloc(steps.length * 8);
  steps.forEach((step, i) => {
    out.writeUInt16LE(step.op, i * 8);
    out.writeUInt8(at(step.jt, i), i * 8 + 2);
    out.writeUInt8(at(step.jf, i), i * 8 + 3);
    out.writeUInt32LE(step.k >>> 0, i * 8 + 4);
  });
  return out;
}
