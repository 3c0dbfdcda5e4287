/**
 * Refusals every sandbox policy this runtime writes must carry, expressed as seccomp rules that compare what the
 * kernel actually reads.
 *
 * 32-bit arguments. seccomp sees each argument as the full 64-bit register, but the kernel reads many of them as a
 * C `int`/`unsigned int` and ignores the upper half: socket()'s family, ioctl()'s request, prctl()'s option,
 * personality()'s persona, the `mode_t` of chmod/open/mkdir. A 64-bit comparison such as Docker's
 * `socket: arg0 > 40` is bypassed by `socket(0x100000028, …)`: seccomp sees a huge number, the kernel sees 40
 * (AF_VSOCK). So every comparison here looks at the low 32 bits only: `SCMP_CMP_MASKED_EQ` with a mask whose upper
 * half is zero (libseccomp then compares the upper half with itself masked to zero, which always holds).
 *
 * An allow-list cannot say "allow ioctl except TIOCSTI" with one masked comparison, and libseccomp lets an
 * unconditional allow rule absorb any conditional rule of the same syscall. So exclusions are written as the
 * complement: a handful of masked "prefix blocks" that together cover every 32-bit value except the refused ones
 * (maskedComplement).
 */
import type { SeccompArg, SeccompProfile, SeccompRule } from '../../../model';

export const EPERM = 1;
export const ENOSYS = 38;
const LOW32 = 0xffffffff;

/** CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: clone must carry none of them (flags are 64-bit). */
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;

/** ioctl requests no sandbox may make on a terminal (include/uapi/asm-generic/ioctls.h). */
export const REFUSED_IOCTLS: Readonly<Record<string, number>> = {
  TIOCSTI: 0x5412, // pushes bytes into a terminal's input queue: typed commands in the user's shell
  TIOCLINUX: 0x541c, // virtual-console tricks: selection paste (input injection again), console dumps
  TIOCSETD: 0x5423, // changes the line discipline: loads tty ldisc modules, historically a kernel-bug magnet
};

/** Socket families refused (include/linux/socket.h), under every network mode: `host` too, for one rule everywhere. */
export const AF_ALG = 38; // the kernel crypto API: a large attack surface no ordinary program needs (as Docker)
export const AF_VSOCK = 40; // VM sockets are not network-namespaced: on a VM they reach the host

/** S_ISUID | S_ISGID: a set-id file created through the workspace could be owned by host root. */
export const SETID_BITS = 0o6000;

/** Where the mode_t argument is, per syscall that sets or creates a file mode. */
export const MODE_ARG: Readonly<Record<string, number>> = {
  chmod: 1, fchmod: 1, fchmodat: 2, fchmodat2: 2,
  open: 2, openat: 3, creat: 1, mkdir: 1, mkdirat: 2, mknod: 1, mknodat: 2,
};

/** Syscalls that create namespaces, mount, load kernel code or reach other processes: refused while learning, never proposed. */
export const NEVER_LEARNED: Readonly<Record<string, string>> = Object.fromEntries([
  ...['unshare', 'setns'].map((n) => [n, 'creates or joins namespaces (a user namespace gives the program every capability in it)']),
  ...['mount', 'umount', 'umount2', 'pivot_root', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr']
    .map((n) => [n, 'the mount API: changes what the sandbox sees of the filesystem']),
  ['bpf', 'loads eBPF programs into the kernel'],
  ...['keyctl', 'add_key', 'request_key'].map((n) => [n, 'the kernel keyring, shared beyond the sandbox']),
  ...['io_uring_setup', 'io_uring_enter', 'io_uring_register'].map((n) => [n, 'io_uring runs operations seccomp never sees']),
  ['userfaultfd', 'a favourite tool of kernel exploits (stalls the kernel on a page fault)'],
  ...['ptrace', 'process_vm_readv', 'process_vm_writev'].map((n) => [n, 'reads or writes other processes']),
  ['perf_event_open', 'kernel performance counters: a large attack surface, and a side channel'],
  ...['kexec_load', 'kexec_file_load'].map((n) => [n, 'replaces the running kernel']),
  ...['init_module', 'finit_module', 'delete_module'].map((n) => [n, 'loads or unloads kernel modules']),
]);

/**
 * Masked blocks `(x & mask) == value` over 32-bit x that together match every value except `excluded`: walk
 * the binary trie of the excluded values from the top bit; at each level the sibling branch that contains no
 * excluded value is one block. At most 32 blocks per excluded value, fewer when they share a prefix.
 */
export function maskedComplement(excluded: number[]): { mask: number; value: number }[] {
  const blocks: { mask: number; value: number }[] = [];
  const walk = (prefix: number, depth: number, values: number[]) => {
    if (depth === 32) return; // the excluded value itself
    const bit = 31 - depth;
    const mask = depth === 31 ? LOW32 : (LOW32 - (2 ** bit - 1)) >>> 0; // the top depth+1 bits
    for (const b of [0, 1]) {
      const value = (prefix + b * 2 ** bit) >>> 0;
      const inside = values.filter((v) => ((v >>> bit) & 1) === b);
      if (inside.length === 0) blocks.push({ mask, value });
      else walk(value, depth + 1, inside);
    }
  };
  walk(0, 0, [...new Set(excluded.map((v) => v >>> 0))]);
  return blocks;
}

/** Masked blocks matching exactly the 32-bit values lo..hi (inclusive): the aligned power-of-two pieces of the range. */
export function maskedRange(lo: number, hi: number): { mask: number; value: number }[] {
  const blocks: { mask: number; value: number }[] = [];
  let at = lo;
  while (at <= hi) {
    let size = 1;
    while (at % (size * 2) === 0 && at + size * 2 - 1 <= hi && size < 2 ** 31) size *= 2;
    blocks.push({ mask: (LOW32 - (size - 1)) >>> 0, value: at });
    at += size;
  }
  return blocks;
}

const masked = (index: number, b: { mask: number; value: number }): SeccompArg => ({ index, value: b.mask, valueTwo: b.value, op: 'SCMP_CMP_MASKED_EQ' });

/** One argument's low 32 bits equal `value` (what a learned `int` argument becomes). */
export function low32Equals(index: number, value: number | bigint): SeccompArg {
  return { index, value: LOW32, valueTwo: Number(BigInt(value) & 0xffffffffn), op: 'SCMP_CMP_MASKED_EQ' };
}

/** "ioctl, but never one of REFUSED_IOCTLS": complement blocks on the request (argument 1). */
export function ioctlAllowArgs(): SeccompArg[] {
  return maskedComplement(Object.values(REFUSED_IOCTLS)).map((b) => masked(1, b));
}

/** The highest family number worth allowing (AF_MCTP 45 in Linux 6.x; the kernel answers EAFNOSUPPORT above). */
const AF_TOP = 47;

/** "socket, for any family but AF_ALG and AF_VSOCK (unless allowVsock)", on the low 32 bits of the family. */
export function socketAllowArgs(allowVsock = false): SeccompArg[] {
  const refused = allowVsock ? [AF_ALG] : [AF_ALG, AF_VSOCK];
  const blocks: { mask: number; value: number }[] = [];
  let lo = 0;
  for (const r of [...refused, AF_TOP + 1]) {
    if (r > lo) blocks.push(...maskedRange(lo, r - 1));
    lo = r + 1;
  }
  return blocks.map((b) => masked(0, b));
}

/** "no S_ISUID or S_ISGID in the mode": the mode is a 32-bit mode_t, and the mask's upper half is zero. */
export function noSetIdArg(name: string): SeccompArg | undefined {
  const index = MODE_ARG[name];
  return index === undefined ? undefined : { index, value: SETID_BITS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' };
}

/** Allow rules for syscalls that set a file mode, each only without set-id bits. */
export function modeAllowRules(names: string[], comment: string): SeccompRule[] {
  return names.map((n) => {
    const arg = noSetIdArg(n);
    return { names: [n], action: 'SCMP_ACT_ALLOW' as const, comment, ...(arg ? { args: [arg] } : {}) };
  });
}

/** openat2 passes its mode in a struct seccomp cannot read: ENOSYS, and the C libraries fall back to openat. */
export const OPENAT2_RULE: SeccompRule = {
  names: ['openat2'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS,
  comment: 'openat2 passes its mode in a struct seccomp cannot read (set-id bits): ENOSYS makes callers fall back to openat',
};

/**
 * The fixed deny layer learn mode records under (installed before the notify filter; ERRNO beats USER_NOTIF, so
 * the supervisor never gets to CONTINUE these): everything in NEVER_LEARNED, clone with a namespace flag, clone3
 * and openat2 (ENOSYS), the refused ioctls, set-id modes and the refused socket families (AF_VSOCK under every
 * network mode, as in the built-in profile and the proposals: a vsock-using workload writes its own profile). Default ALLOW: the
 * notify filter beside it sees and records everything else. Native architecture only: libseccomp kills any
 * other ABI (an `int 0x80` call on x86_64), so a recording never depends on a compat entry point.
 */
export function learnBaseProfile(): SeccompProfile {
  const errno = (comment: string, names: string[], args?: SeccompArg[], errnoRet = EPERM): SeccompRule =>
    ({ names, action: 'SCMP_ACT_ERRNO', errnoRet, comment, ...(args ? { args } : {}) });
  const rules: SeccompRule[] = [
    errno('never allowed while learning (see NEVER_LEARNED)', Object.keys(NEVER_LEARNED)),
    errno('clone3 hides its flags in memory: ENOSYS, glibc falls back to clone', ['clone3'], undefined, ENOSYS),
    OPENAT2_RULE,
  ];
  // One rule per comparison: several comparisons in one rule would all have to hold.
  for (let bit = 0; bit < 32; bit++) {
    const flag = 2 ** bit;
    if (CLONE_NAMESPACE_FLAGS & flag) rules.push(errno('clone with a CLONE_NEW* flag', ['clone'], [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }]));
  }
  for (const [name, request] of Object.entries(REFUSED_IOCTLS)) rules.push(errno(`ioctl ${name}`, ['ioctl'], [low32Equals(1, request)]));
  for (const [name, index] of Object.entries(MODE_ARG)) {
    for (const bit of [0o4000, 0o2000]) rules.push(errno('a set-id mode', [name], [{ index, value: bit, valueTwo: bit, op: 'SCMP_CMP_MASKED_EQ' }]));
  }
  for (const family of [AF_ALG, AF_VSOCK]) rules.push(errno(`socket family ${family}`, ['socket'], [low32Equals(0, family)]));
  return { defaultAction: 'SCMP_ACT_ALLOW', syscalls: rules };
}

/**
 * The guard stacked under a profile someone wrote (a file, or a phantom-fragment.yaml profile): the refusals no
 * profile lifts — the terminal ioctls, set-id modes, and AF_VSOCK unless the network is `host` — on the low 32
 * bits. Default ALLOW, so it only narrows; installed as its own filter (`--seccomp-guard`), the kernel runs both
 * and the strongest answer wins. It covers the native ABI; another ABI a profile allows (x86 beside x86_64) is
 * let through by the guard (`badArch: allow`) and keeps what that profile says.
 */
export function guardProfile(network: string): SeccompProfile {
  const errno = (comment: string, name: string, arg: SeccompArg): SeccompRule => ({ names: [name], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, comment, args: [arg] });
  const rules: SeccompRule[] = Object.entries(REFUSED_IOCTLS).map(([n, request]) => errno(`ioctl ${n}: input injection into a terminal`, 'ioctl', low32Equals(1, request)));
  for (const [name, index] of Object.entries(MODE_ARG)) {
    for (const bit of [0o4000, 0o2000]) rules.push(errno('a set-id mode', name, { index, value: bit, valueTwo: bit, op: 'SCMP_CMP_MASKED_EQ' }));
  }
  if (network !== 'host') rules.push(errno('AF_VSOCK is not network-namespaced', 'socket', low32Equals(0, AF_VSOCK)));
  return { defaultAction: 'SCMP_ACT_ALLOW', syscalls: rules };
}

const guards = new Map<boolean, SeccompProfile>();

/** guardProfile, one object per "network is host" (compiled programs are cached by the object). */
export function guardProfileFor(network: string | undefined): SeccompProfile {
  const host = network === 'host';
  let g = guards.get(host);
  if (!g) guards.set(host, (g = guardProfile(host ? 'host' : 'none')));
  return g;
}

export const GUARD_NAME = 'seccomp guard (refusals every profile keeps)';

/** The name of the learn deny layer in notes and errors. */
export const LEARN_BASE_LAYER_NAME = 'learn mode deny layer';

let baseProfile: SeccompProfile | undefined;

/** learnBaseProfile, one object for the process (compiled programs are cached by the object). */
export function learnBaseProfileOnce(): SeccompProfile {
  return (baseProfile ??= learnBaseProfile());
}

/** Why a name is missing from a proposal, or undefined when it may be proposed. */
export function neverProposed(name: string): string | undefined {
  return NEVER_LEARNED[name];
}
