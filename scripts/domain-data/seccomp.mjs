// model/data/seccomp.json: actions, operators, flags, architectures, capabilities. One step of scripts/gen-domain-data.mjs.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { MAN7, warn, ARCHES } from './common.mjs';

// ---------------------------------------------------------------------------------------------
// seccomp.json — facts from the kernel uapi (linux/seccomp.h), seccomp(2), libseccomp and the
// OCI runtime-spec (config-linux.md); capability numbers from linux/capability.h, "since" from
// capabilities(7).
// ---------------------------------------------------------------------------------------------
export const SECCOMP_ACTIONS = [
  { name: 'SCMP_ACT_KILL', ret: 'SECCOMP_RET_KILL_THREAD', value: 0x00000000, kernel: '3.5', libseccomp: '1.0', errnoRet: false, oci: true,
    summary: 'Kill the calling thread.',
    meaning: 'The thread that made the syscall is killed as if by an unblockable SIGSYS; the syscall does not run. Only that thread dies: the rest of the process keeps running, which can leave it hung. Same as SCMP_ACT_KILL_THREAD; prefer SCMP_ACT_KILL_PROCESS.' },
  { name: 'SCMP_ACT_KILL_PROCESS', ret: 'SECCOMP_RET_KILL_PROCESS', value: 0x80000000, kernel: '4.14', libseccomp: '2.4', errnoRet: false, oci: true,
    summary: 'Kill the whole process.',
    meaning: 'All threads of the process are killed as if by an unblockable SIGSYS (a core dump is produced if enabled); the syscall does not run.' },
  { name: 'SCMP_ACT_KILL_THREAD', ret: 'SECCOMP_RET_KILL_THREAD', value: 0x00000000, kernel: '3.5', libseccomp: '2.4', errnoRet: false, oci: true,
    summary: 'Kill the calling thread.',
    meaning: 'The thread that made the syscall is killed as if by an unblockable SIGSYS; other threads keep running. Same as SCMP_ACT_KILL.' },
  { name: 'SCMP_ACT_TRAP', ret: 'SECCOMP_RET_TRAP', value: 0x00030000, kernel: '3.5', libseccomp: '1.0', errnoRet: false, oci: true,
    summary: 'Send SIGSYS to the thread.',
    meaning: 'The syscall does not run; the thread receives a catchable SIGSYS whose siginfo names the syscall (si_syscall, si_call_addr, si_arch), so a handler can emulate or report it.' },
  { name: 'SCMP_ACT_ERRNO', ret: 'SECCOMP_RET_ERRNO', value: 0x00050000, kernel: '3.5', libseccomp: '1.0', errnoRet: true, oci: true,
    summary: 'Fail the syscall with an errno.',
    meaning: 'The syscall does not run and returns -1 with errno set to errnoRet (defaultErrnoRet for the default action; EPERM = 1 when not given). Use ENOSYS (38) for syscalls that libc should treat as "not implemented" and fall back from (clone3, faccessat2, ...).' },
  { name: 'SCMP_ACT_TRACE', ret: 'SECCOMP_RET_TRACE', value: 0x7ff00000, kernel: '3.5', libseccomp: '1.0', errnoRet: true, oci: true,
    summary: 'Hand the syscall to a ptrace tracer.',
    meaning: 'A tracer that set PTRACE_O_TRACESECCOMP is stopped with PTRACE_EVENT_SECCOMP and can read errnoRet as the event message (PTRACE_GETEVENTMSG), change or skip the syscall. Without a tracer the syscall fails with ENOSYS.' },
  { name: 'SCMP_ACT_ALLOW', ret: 'SECCOMP_RET_ALLOW', value: 0x7fff0000, kernel: '3.5', libseccomp: '1.0', errnoRet: false, oci: true,
    summary: 'Run the syscall.',
    meaning: 'The syscall runs normally.' },
  { name: 'SCMP_ACT_LOG', ret: 'SECCOMP_RET_LOG', value: 0x7ffc0000, kernel: '4.14', libseccomp: '2.4', errnoRet: false, oci: true,
    summary: 'Run the syscall and log it.',
    meaning: 'The syscall runs and is logged to the audit log / kernel log (if "log" is listed in /proc/sys/kernel/seccomp/actions_logged). Useful to find what a profile would block before enforcing it.' },
  { name: 'SCMP_ACT_NOTIFY', ret: 'SECCOMP_RET_USER_NOTIF', value: 0x7fc00000, kernel: '5.0', libseccomp: '2.5', errnoRet: false, oci: true,
    summary: 'Ask a user-space supervisor.',
    meaning: 'The thread is suspended and the syscall is reported through the filter\'s listener fd (SECCOMP_FILTER_FLAG_NEW_LISTENER); a supervisor answers with a return value, an errno, or "continue" (SECCOMP_USER_NOTIF_FLAG_CONTINUE, Linux 5.5 — not a security boundary). OCI runtimes send the fd to the agent at listenerPath. runc refuses it as defaultAction and on the write syscall.' },
];
export const SECCOMP_OPERATORS = [
  { name: 'SCMP_CMP_NE', expr: 'arg != value', meaning: 'Matches when the argument is not equal to value.' },
  { name: 'SCMP_CMP_LT', expr: 'arg < value', meaning: 'Matches when the argument is less than value (unsigned 64-bit comparison).' },
  { name: 'SCMP_CMP_LE', expr: 'arg <= value', meaning: 'Matches when the argument is less than or equal to value (unsigned 64-bit comparison).' },
  { name: 'SCMP_CMP_EQ', expr: 'arg == value', meaning: 'Matches when the argument equals value.' },
  { name: 'SCMP_CMP_GE', expr: 'arg >= value', meaning: 'Matches when the argument is greater than or equal to value (unsigned 64-bit comparison).' },
  { name: 'SCMP_CMP_GT', expr: 'arg > value', meaning: 'Matches when the argument is greater than value (unsigned 64-bit comparison).' },
  { name: 'SCMP_CMP_MASKED_EQ', expr: '(arg & value) == valueTwo', meaning: 'Matches when the argument ANDed with the mask value equals valueTwo; the only operator that uses valueTwo. Typical use: flag bits (e.g. clone flags & CLONE_NEWUSER == 0).' },
];
export const SECCOMP_OPERATOR_NOTES = [
  'Every args[] entry of one rule must match (logical AND); to allow alternatives write several rules for the same syscall.',
  'value and valueTwo are compared with the full 64-bit argument. For an int argument holding a negative number (e.g. AT_FDCWD = -100) the upper 32 bits are not guaranteed to be a sign extension: compare only the low 32 bits with SCMP_CMP_MASKED_EQ (value 4294967295 as the mask, valueTwo the 32-bit pattern, e.g. 4294967196 for -100).',
  'libseccomp rejects a rule with two comparisons on the same argument index (EINVAL).',
];
export const SECCOMP_FLAGS = [
  { name: 'SECCOMP_FILTER_FLAG_TSYNC', bit: 0, kernel: '3.17', oci: true, meaning: 'Install the filter on all threads of the process at once (fails if a thread has a diverging filter).' },
  { name: 'SECCOMP_FILTER_FLAG_LOG', bit: 1, kernel: '4.14', oci: true, meaning: 'Log every action of the filter except SCMP_ACT_ALLOW (subject to /proc/sys/kernel/seccomp/actions_logged).' },
  { name: 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', bit: 2, kernel: '4.17', oci: true, meaning: 'Do not force the Speculative Store Bypass mitigation on the process (by default installing a filter enables it).' },
  { name: 'SECCOMP_FILTER_FLAG_NEW_LISTENER', bit: 3, kernel: '5.0', oci: false, meaning: 'Return a user-notification listener fd for SCMP_ACT_NOTIFY; runtimes set it themselves when a rule uses SCMP_ACT_NOTIFY (not allowed in profiles).' },
  { name: 'SECCOMP_FILTER_FLAG_TSYNC_ESRCH', bit: 4, kernel: '5.7', oci: false, meaning: 'With TSYNC, report a thread-sync failure as ESRCH so TSYNC can be combined with NEW_LISTENER (not an OCI profile flag).' },
  { name: 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV', bit: 5, kernel: '5.19', oci: true, meaning: 'Once the supervisor has received a user notification, the notifying thread ignores non-fatal signals until the answer (avoids restarting long supervisor operations).' },
];
// What a 64-bit kernel of the main architecture also runs (Docker's archMap sub-architectures).
export const SECCOMP_ARCH_FACTS = {
  SCMP_ARCH_X86_64: { bits: 64, endian: 'little', compat: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'], docker: 'amd64' },
  SCMP_ARCH_X86: { bits: 32, endian: 'little', compat: [], docker: 'x86' },
  SCMP_ARCH_X32: { bits: 32, endian: 'little', compat: [], docker: 'x32', note: 'x32 ABI of x86-64 kernels: its syscall numbers carry the 0x40000000 bit.' },
  SCMP_ARCH_AARCH64: { bits: 64, endian: 'little', compat: ['SCMP_ARCH_ARM'], docker: 'arm64' },
  SCMP_ARCH_ARM: { bits: 32, endian: 'little', compat: [], docker: 'arm' },
  SCMP_ARCH_RISCV64: { bits: 64, endian: 'little', compat: [], docker: 'riscv64' },
  SCMP_ARCH_LOONGARCH64: { bits: 64, endian: 'little', compat: [], docker: 'loongarch64', note: 'Needs libseccomp >= 2.6.0.' },
  SCMP_ARCH_S390X: { bits: 64, endian: 'big', compat: ['SCMP_ARCH_S390'], docker: 's390x' },
  SCMP_ARCH_S390: { bits: 32, endian: 'big', compat: [], docker: 's390' },
  SCMP_ARCH_PPC64LE: { bits: 64, endian: 'little', compat: [], docker: 'ppc64le' },
  SCMP_ARCH_PPC64: { bits: 64, endian: 'big', compat: ['SCMP_ARCH_PPC'], docker: 'ppc64' },
  SCMP_ARCH_PPC: { bits: 32, endian: 'big', compat: [], docker: 'ppc' },
  SCMP_ARCH_MIPS: { bits: 32, endian: 'big', compat: [], docker: null },
  SCMP_ARCH_MIPSEL: { bits: 32, endian: 'little', compat: [], docker: 'mipsel' },
  SCMP_ARCH_MIPS64: { bits: 64, endian: 'big', compat: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64N32'], docker: 'mips64' },
  SCMP_ARCH_MIPSEL64: { bits: 64, endian: 'little', compat: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64N32'], docker: 'mipsel64' },
  SCMP_ARCH_MIPS64N32: { bits: 32, endian: 'big', compat: ['SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64'], docker: 'mips64n32' },
  SCMP_ARCH_MIPSEL64N32: { bits: 32, endian: 'little', compat: ['SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64'], docker: 'mips3l64n32', note: 'Docker spells its includes/excludes arch "mips3l64n32" (sic).' },
  SCMP_ARCH_PARISC: { bits: 32, endian: 'big', compat: [], docker: null },
  SCMP_ARCH_PARISC64: { bits: 64, endian: 'big', compat: ['SCMP_ARCH_PARISC'], docker: null },
};
// OCI names libseccomp >= 2.6 / runtime-spec know but this data has no syscall table for.
export const SECCOMP_ARCHES_WITHOUT_TABLE = ['SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB'];
export const CAP_TEXT = {
  CAP_CHOWN: 'Make arbitrary changes to file UIDs and GIDs.',
  CAP_DAC_OVERRIDE: 'Bypass file read, write, and execute permission checks.',
  CAP_DAC_READ_SEARCH: 'Bypass file read and directory read/execute permission checks; open_by_handle_at(2).',
  CAP_FOWNER: 'Bypass checks that require the caller to own the file (chmod, utime, ACLs, O_NOATIME, ...).',
  CAP_FSETID: 'Keep set-user-ID/set-group-ID bits when a file is modified; set the set-group-ID bit freely.',
  CAP_KILL: 'Bypass permission checks for sending signals.',
  CAP_SETGID: 'Make arbitrary manipulations of process GIDs and supplementary groups; write gid_map.',
  CAP_SETUID: 'Make arbitrary manipulations of process UIDs; write uid_map.',
  CAP_SETPCAP: 'Change the bounding set, securebits and capabilities of itself.',
  CAP_LINUX_IMMUTABLE: 'Set the immutable and append-only file attributes.',
  CAP_NET_BIND_SERVICE: 'Bind a socket to a privileged port (< 1024).',
  CAP_NET_BROADCAST: '(Unused) socket broadcasting and multicast.',
  CAP_NET_ADMIN: 'Network administration: interfaces, routing, firewall, sockets options, ...',
  CAP_NET_RAW: 'Use RAW and PACKET sockets; bind to any address for transparent proxying.',
  CAP_IPC_LOCK: 'Lock memory (mlock, mlockall, mmap MAP_LOCKED, SHM_LOCK).',
  CAP_IPC_OWNER: 'Bypass permission checks on System V IPC objects.',
  CAP_SYS_MODULE: 'Load and unload kernel modules.',
  CAP_SYS_RAWIO: 'Raw I/O: iopl, ioperm, /dev/mem, /dev/kmem, some ioctls.',
  CAP_SYS_CHROOT: 'Use chroot(2); change mount namespaces with setns(2).',
  CAP_SYS_PTRACE: 'Trace arbitrary processes (ptrace, process_vm_readv/writev, kcmp, pidfd_getfd).',
  CAP_SYS_PACCT: 'Use acct(2).',
  CAP_SYS_ADMIN: 'A wide range of administration operations: mount, swapon, sethostname, namespaces, bpf (before CAP_BPF), ...',
  CAP_SYS_BOOT: 'Use reboot(2) and kexec_load(2).',
  CAP_SYS_NICE: 'Raise nice values, set real-time scheduling and CPU affinity of any process, migrate pages.',
  CAP_SYS_RESOURCE: 'Override resource limits, quotas and reserved filesystem space.',
  CAP_SYS_TIME: 'Set the system clock and the real-time (hardware) clock.',
  CAP_SYS_TTY_CONFIG: 'Use vhangup(2) and privileged ioctls on virtual terminals.',
  CAP_MKNOD: 'Create special files using mknod(2).',
  CAP_LEASE: 'Establish leases on arbitrary files (fcntl F_SETLEASE).',
  CAP_AUDIT_WRITE: 'Write records to the kernel audit log.',
  CAP_AUDIT_CONTROL: 'Enable and disable kernel auditing; change audit rules.',
  CAP_SETFCAP: 'Set arbitrary capabilities on a file; map user ID 0 in a user namespace.',
  CAP_MAC_OVERRIDE: 'Override Mandatory Access Control (Smack).',
  CAP_MAC_ADMIN: 'Allow MAC configuration or state changes (Smack, AppArmor).',
  CAP_SYSLOG: 'Privileged syslog(2) operations; see kernel addresses in /proc.',
  CAP_WAKE_ALARM: 'Trigger something that will wake up the system (CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM timers).',
  CAP_BLOCK_SUSPEND: 'Employ features that can block system suspend (EPOLLWAKEUP, /proc/sys/wake_lock).',
  CAP_AUDIT_READ: 'Read the audit log via a multicast netlink socket.',
  CAP_PERFMON: 'Privileged performance monitoring: perf_event_open(2) and related BPF operations.',
  CAP_BPF: 'Privileged BPF operations: create maps and load programs (bpf(2)).',
  CAP_CHECKPOINT_RESTORE: 'Checkpoint/restore: set ns_last_pid, clone3 set_tid, read /proc/pid/map_files links.',
};

export function buildCapabilities() {
  const hdr = fs.readFileSync('/usr/include/linux/capability.h', 'utf8');
  const caps = [];
  for (const m of hdr.matchAll(/^#define\s+(CAP_[A-Z_]+)\s+(\d+)\s*$/gm)) caps.push({ name: m[1], number: Number(m[2]) });
  let since = {};
  const manFile = path.join(MAN7, 'capabilities.7.gz');
  if (fs.existsSync(manFile)) {
    const src = zlib.gunzipSync(fs.readFileSync(manFile)).toString('utf8');
    for (const m of src.matchAll(/^\.BR\s+(CAP_[A-Z_]+)\s+"\s*\(since Linux ([0-9.]+)\)"/gm)) since[m[1]] = m[2];
  }
  for (const c of caps) {
    if (since[c.name]) c.since = since[c.name];
    c.description = CAP_TEXT[c.name] ?? 'See capabilities(7).';
    if (!CAP_TEXT[c.name]) warn(`no description for ${c.name}`);
  }
  return caps.sort((a, b) => a.number - b.number);
}

export function buildSeccomp(syscallStats) {
  return {
    $comment: 'Generated by scripts/gen-domain-data.mjs; do not edit by hand.',
    sources: [
      'Action values and flags: Linux uapi linux/seccomp.h; meanings: seccomp(2), seccomp_rule_add(3), OCI runtime-spec config-linux.md (Seccomp).',
      'Architectures: OCI names; compat siblings as in Docker\'s archMap (moby/profiles seccomp/default.json); "docker" is the spelling Docker compares includes/excludes "arches" with (moby/profiles seccomp_linux.go goToNative).',
      'Capabilities: numbers from /usr/include/linux/capability.h, "since" from capabilities(7) (Debian manpages).',
    ],
    actions: SECCOMP_ACTIONS.map((a) => ({ ...a, value: `0x${a.value.toString(16).padStart(8, '0')}` })),
    errnoRetDefault: { value: 1, name: 'EPERM', note: 'When errnoRet/defaultErrnoRet is absent, OCI runtimes return EPERM. runc fails if defaultErrnoRet is given with a defaultAction other than SCMP_ACT_ERRNO or SCMP_ACT_TRACE.' },
    operators: SECCOMP_OPERATORS,
    operatorNotes: SECCOMP_OPERATOR_NOTES,
    flags: SECCOMP_FLAGS.map((f) => ({ ...f, value: 1 << f.bit })),
    architectures: ARCHES.map((a) => ({
      name: a.id,
      libseccomp: a.lib,
      auditArch: `0x${a.audit.toString(16).padStart(8, '0')}`,
      ...SECCOMP_ARCH_FACTS[a.id],
      syscalls: syscallStats.counts[a.id],
    })),
    architecturesWithoutSyscallTable: SECCOMP_ARCHES_WITHOUT_TABLE,
    dockerArches: Object.fromEntries(
      Object.entries(SECCOMP_ARCH_FACTS)
        .filter(([, f]) => f.docker)
        .map(([id, f]) => [f.docker, id]),
    ),
    capabilities: buildCapabilities(),
  };
}
