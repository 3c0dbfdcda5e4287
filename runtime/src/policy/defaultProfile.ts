/**
 * The built-in seccomp profile, used when a run names none (`phantom run -- CMD`, "Run in Sandbox").
 *
 * Start: Docker's default profile (moby/profiles seccomp/default.json) as it applies to a process with NO
 * capabilities — the sandbox drops them all. Then removed on top of Docker (see REMOVED_FROM_DOCKER):
 * file-handle lookups and fanotify marks. Never allowed (Docker already denies them without capabilities, and
 * this profile keeps them denied by construction): namespace creation (`unshare`, `setns`, `clone` with any
 * CLONE_NEW* flag), the mount API, `ptrace` and `process_vm_*`, `bpf`, the kernel keyring, `perf_event_open`,
 * io_uring, kexec, module loading, `userfaultfd`, `personality` beyond the safe values.
 * Refused on top of Docker (seccompHardening.ts, every comparison on the low 32 bits the kernel reads): the
 * terminal ioctls TIOCSTI, TIOCLINUX and TIOCSETD; set-id bits in any mode (chmod*, open/openat/creat, mkdir*,
 * mknod*), `openat2` (ENOSYS: its mode is in a struct); the socket families AF_ALG and AF_VSOCK — Docker's
 * 64-bit `family > 40` rule let `socket(0x100000028, …)` open a vsock socket.
 * Default action: ERRNO(EPERM). `clone3` answers ENOSYS so glibc falls back to `clone`, whose flags ARE
 * checkable (clone3 passes them in memory, where seccomp cannot look).
 *
 * Every rule carries a `comment` saying why its syscalls are allowed.
 */
import type { SeccompProfile, SeccompRule } from '../../../model';
import { deepFreeze } from './parseMemo';
import { CLONE_NAMESPACE_FLAGS, ENOSYS, OPENAT2_RULE, ioctlAllowArgs, low32Equals, modeAllowRules, socketAllowArgs } from './seccompHardening';

export { CLONE_NAMESPACE_FLAGS };

/** Syscalls Docker's no-capability default allows that this profile does not, and why. */
export const REMOVED_FROM_DOCKER: Readonly<Record<string, string>> = {
  name_to_handle_at: 'file handles are only useful with open_by_handle_at (denied); they also identify host inodes',
  fanotify_mark: 'useless without fanotify_init, which needs CAP_SYS_ADMIN; one less filesystem-watch surface',
  openat2: 'answered ENOSYS: its mode is in a struct seccomp cannot read, so set-id bits could not be refused; C libraries, Python and Node fall back to openat',
};

const allow = (comment: string, names: string[], extra: Partial<SeccompRule> = {}): SeccompRule => ({
  names, action: 'SCMP_ACT_ALLOW', comment, ...extra,
});

const rules: SeccompRule[] = [
  allow('I/O on descriptors the process already holds: the core of every program', [
    'read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'preadv', 'preadv2', 'pwritev', 'pwritev2', 'lseek',
    '_llseek', 'close', 'close_range', 'dup', 'dup2', 'dup3', 'fcntl', 'fcntl64', 'sendfile', 'sendfile64', 'splice',
    'tee', 'vmsplice', 'copy_file_range', 'readahead', 'fadvise64', 'fadvise64_64', 'fallocate', 'ftruncate',
    'ftruncate64', 'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range', 'flock', 'cachestat', 'pipe', 'pipe2',
  ]),
  allow('path operations: what a path may reach is decided by the mount view and Landlock, not by seccomp', [
    'access', 'faccessat', 'faccessat2', 'stat', 'lstat', 'fstat', 'stat64',
    'lstat64', 'fstat64', 'fstatat64', 'newfstatat', 'statx', 'statfs', 'statfs64', 'fstatfs', 'fstatfs64', 'readlink',
    'readlinkat', 'getcwd', 'chdir', 'fchdir', 'getdents', 'getdents64', 'rmdir', 'rename',
    'renameat', 'renameat2', 'link', 'linkat', 'symlink', 'symlinkat', 'unlink', 'unlinkat', 'truncate', 'truncate64',
    'umask', 'utime', 'utimes', 'utimensat', 'utimensat_time64', 'futimesat',
  ]),
  ...modeAllowRules(['open', 'openat', 'creat', 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'chmod', 'fchmod', 'fchmodat', 'fchmodat2'],
    'opening, creating and changing the mode of files, never with S_ISUID or S_ISGID (a set-id file in the workspace could reach the host)'),
  OPENAT2_RULE,
  allow('owners of files the sandbox user owns (the kernel checks ownership; only one id is mapped)', [
    'chown', 'chown32', 'fchown', 'fchown32', 'fchownat', 'lchown', 'lchown32',
  ]),
  allow('extended attributes: used by cp -a, tar, Python shutil; permission-checked by the filesystem', [
    'getxattr', 'lgetxattr', 'fgetxattr', 'listxattr', 'llistxattr', 'flistxattr', 'setxattr', 'lsetxattr', 'fsetxattr',
    'removexattr', 'lremovexattr', 'fremovexattr', 'getxattrat', 'listxattrat', 'setxattrat', 'removexattrat',
  ]),
  allow('memory management of the process itself: allocators, loaders, JITs (node) need all of these', [
    'brk', 'mmap', 'mmap2', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'mlock', 'mlock2', 'mlockall', 'munlock',
    'munlockall', 'msync', 'remap_file_pages', 'membarrier', 'pkey_alloc', 'pkey_free', 'pkey_mprotect',
    'map_shadow_stack', 'mseal', 'memfd_create', 'memfd_secret',
  ]),
  allow('process life cycle: shells and build tools fork and exec; the pid namespace confines what they see', [
    'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'wait4', 'waitid', 'waitpid', 'getpid', 'getppid',
    'gettid', 'getpgid', 'getpgrp', 'setpgid', 'getsid', 'setsid', 'set_tid_address', 'prctl', 'get_thread_area',
    'set_thread_area', 'rseq', 'restart_syscall', 'pidfd_open', 'pidfd_send_signal', 'process_mrelease',
  ]),
  allow('threads and processes WITHOUT new namespaces: clone with no CLONE_NEW* flag (masked as Docker does)', ['clone'], {
    args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
  }),
  {
    names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS,
    comment: 'clone3 passes its flags in memory seccomp cannot inspect: ENOSYS makes glibc fall back to clone (EPERM would break threads)',
  },
  allow('credentials inside the user namespace, where exactly one id is mapped: nothing to switch to', [
    'getuid', 'getuid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32', 'getegid', 'getegid32', 'getresuid',
    'getresuid32', 'getresgid', 'getresgid32', 'getgroups', 'getgroups32', 'setuid', 'setuid32', 'setgid', 'setgid32',
    'setreuid', 'setreuid32', 'setregid', 'setregid32', 'setresuid', 'setresuid32', 'setresgid', 'setresgid32',
    'setfsuid', 'setfsuid32', 'setfsgid', 'setfsgid32', 'setgroups', 'setgroups32', 'capget', 'capset',
  ]),
  allow('signals: delivery is limited to the sandbox by the pid namespace (and Landlock signal scoping)', [
    'kill', 'tkill', 'tgkill', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'sigreturn', 'rt_sigpending',
    'rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaltstack',
    'sigprocmask', 'signalfd', 'signalfd4', 'pause',
  ]),
  allow('clocks, sleeps and timers (reading or adjusting the clock without CAP_SYS_TIME only reads it)', [
    'clock_gettime', 'clock_gettime64', 'clock_getres', 'clock_getres_time64', 'clock_nanosleep', 'clock_nanosleep_time64',
    'nanosleep', 'gettimeofday', 'time', 'times', 'alarm', 'getitimer', 'setitimer', 'timer_create', 'timer_delete',
    'timer_getoverrun', 'timer_gettime', 'timer_gettime64', 'timer_settime', 'timer_settime64', 'timerfd_create',
    'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64', 'adjtimex', 'clock_adjtime',
    'clock_adjtime64',
  ]),
  allow('thread synchronisation: mutexes, condition variables and robust lists of every threaded runtime', [
    'futex', 'futex_time64', 'futex_requeue', 'futex_wait', 'futex_waitv', 'futex_wake', 'set_robust_list', 'get_robust_list',
  ]),
  allow('scheduling, priorities and limits of its own processes (lowering is free; raising needs capabilities)', [
    'sched_getaffinity', 'sched_setaffinity', 'sched_getattr', 'sched_setattr', 'sched_getparam', 'sched_setparam',
    'sched_get_priority_max', 'sched_get_priority_min', 'sched_getscheduler', 'sched_setscheduler',
    'sched_rr_get_interval', 'sched_rr_get_interval_time64', 'sched_yield', 'getpriority', 'setpriority', 'ioprio_get',
    'ioprio_set', 'getrlimit', 'setrlimit', 'prlimit64', 'ugetrlimit', 'getrusage', 'getcpu', 'sysinfo', 'uname',
  ]),
  allow('waiting for events: poll/select/epoll loops (node, Python asyncio), eventfd, inotify watches', [
    'poll', 'ppoll', 'ppoll_time64', 'select', '_newselect', 'pselect6', 'pselect6_time64', 'epoll_create',
    'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2', 'epoll_wait', 'epoll_wait_old',
    'eventfd', 'eventfd2', 'inotify_init', 'inotify_init1', 'inotify_add_watch', 'inotify_rm_watch',
  ]),
  allow('socket use: with no network the namespace has no route out; unix sockets are confined by the mount view', [
    'socketpair', 'bind', 'listen', 'accept', 'accept4', 'connect', 'getsockname', 'getpeername', 'getsockopt',
    'setsockopt', 'shutdown', 'send', 'sendto', 'sendmsg', 'sendmmsg', 'recv', 'recvfrom', 'recvmsg', 'recvmmsg',
    'recvmmsg_time64', 'socketcall',
  ]),
  allow('sockets of every family but AF_ALG (38) and AF_VSOCK (40, not network-namespaced), compared on the 32-bit int the kernel reads',
    ['socket'], { args: socketAllowArgs() }),
  allow('System V and POSIX IPC: the IPC namespace is private to the sandbox', [
    'ipc', 'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'semctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64',
    'shmat', 'shmctl', 'shmdt', 'shmget', 'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive',
    'mq_timedreceive_time64', 'mq_timedsend', 'mq_timedsend_time64', 'mq_unlink',
  ]),
  allow('Linux AIO (not io_uring, which bypasses seccomp for the operations it queues)', [
    'io_setup', 'io_destroy', 'io_submit', 'io_cancel', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64',
  ]),
  allow('device and terminal control on descriptors it holds (isatty, window size, FIONREAD), never TIOCSTI, TIOCLINUX or TIOCSETD (input injection into a terminal), on the 32-bit request the kernel reads',
    ['ioctl'], { args: ioctlAllowArgs() }),
  allow('randomness for hash seeds, TLS, uuid: every runtime reads it at start', ['getrandom']),
  allow('self-restriction: a program may stack its own seccomp filter or Landlock domain, never loosen one', [
    'seccomp', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self',
  ]),
  allow('reading the mount table of its own mount namespace (findmnt, df)', ['listmount', 'statmount']),
  allow('return trampoline of user-space probes the HOST attached; the kernel only honours it from its trampoline', ['uretprobe']),
  ...[0, 8, 0x20000, 0x20008, 0xffffffff].map((value) =>
    allow('personality: only PER_LINUX, PER_LINUX32, UNAME26 variants and the query 0xffffffff (Docker\'s safe values)',
      ['personality'], { args: [low32Equals(0, value)] })),
  allow('x86 thread-local storage (FS/GS base)', ['arch_prctl'], { includes: { arches: ['amd64', 'x32'] } }),
  allow('x86 local descriptor table (Wine, some JITs)', ['modify_ldt'], { includes: { arches: ['amd64', 'x32', 'x86'] } }),
  allow('arm cache and TLS helpers of the C library', ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
    { includes: { arches: ['arm', 'arm64'] } }),
  allow('powerpc variants of common calls', ['sync_file_range2', 'swapcontext'], { includes: { arches: ['ppc64le'] } }),
  allow('s390 PCI and runtime instrumentation helpers', ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'],
    { includes: { arches: ['s390', 's390x'] } }),
  allow('riscv instruction cache flush and hardware probing', ['riscv_flush_icache', 'riscv_hwprobe'], { includes: { arches: ['riscv64'] } }),
];

/** Frozen all the way down: compiled programs are cached by the object (seccompCompiler.ts profileHash). */
export const DEFAULT_SECCOMP_PROFILE: SeccompProfile = deepFreeze({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 1,
  archMap: [
    // Native ABIs only (Docker also allows the 32-bit ones): a 32-bit syscall is killed as a bad architecture,
    // which removes the historically buggy compat entry points and halves the filter.
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: [] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: [] },
    { architecture: 'SCMP_ARCH_RISCV64', subArchitectures: [] },
    { architecture: 'SCMP_ARCH_PPC64LE', subArchitectures: [] },
    { architecture: 'SCMP_ARCH_S390X', subArchitectures: [] },
  ],
  syscalls: rules,
});

/** The name shown in notes and errors for the built-in profile. */
export const DEFAULT_PROFILE_NAME = 'built-in default profile';

/**
 * Allow rules for `names` that keep this profile's conditions: a name the built-in profile allows only with
 * arguments checked (ioctl without TIOCSTI, socket without AF_VSOCK, modes without set-id bits, clone without
 * namespace flags, personality's safe values) gets those rules; `openat2` gets its ENOSYS; the rest one plain
 * allow rule. Used where fragments grant syscalls by name (profileRun.ts): a plain `ioctl` there would undo
 * the refusals.
 */
export function allowKeepingConditions(names: string[], comment: string): SeccompRule[] {
  const conditional = new Map<string, SeccompRule[]>();
  for (const rule of rules) {
    if (!rule.args?.length && rule.action === 'SCMP_ACT_ALLOW') continue;
    for (const n of rule.names) conditional.set(n, [...(conditional.get(n) ?? []), { ...rule, names: [n] }]);
  }
  const plain = names.filter((n) => !conditional.has(n));
  const kept = [...new Set(names.filter((n) => conditional.has(n)))].flatMap((n) => conditional.get(n)!);
  return [...(plain.length ? [{ names: plain, action: 'SCMP_ACT_ALLOW', comment }] : []), ...kept.map((r) => ({ ...r, comment: `${comment}; ${r.comment ?? ''}` }))];
}
