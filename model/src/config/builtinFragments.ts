/**
 * The built-in fragment library: capability bundles every `phantom-fragment.yaml` may compose without
 * declaring them. Data, not code — and every syscall carries the reason it is granted (as firecracker's
 * shipped profiles do), because an allow list nobody can explain is one nobody can shrink.
 *
 * Names are x86_64 syscall names (model/data/syscalls.json; test/unit/builtinFragments.test.ts checks
 * them). `core` is what every dynamically linked program needs to start and exit; every other fragment
 * adds one capability on top of it. Paths use `${workspaceFolder}`, substituted by the runtime.
 */
import type { FragmentSpec, GrantedSyscall } from './configModel';

export interface BuiltinFragment extends FragmentSpec {
  name: string;
  description: string;
  syscalls: Required<GrantedSyscall>[];
}

type Why = Record<string, string>;

function grants(why: Why): Required<GrantedSyscall>[] {
  return Object.entries(why).map(([name, reason]) => ({ name, why: reason }));
}

const CORE: Why = {
  execve: 'the sandbox starts the command with execve',
  brk: 'malloc grows the heap',
  mmap: 'the dynamic loader maps libraries; malloc maps large blocks',
  munmap: 'unmapping what mmap mapped',
  mprotect: 'the loader makes relocated segments read-only (RELRO)',
  mremap: 'realloc of large blocks',
  madvise: 'malloc returns freed pages to the kernel',
  arch_prctl: 'glibc sets the thread pointer (FS base) for thread-local storage',
  set_tid_address: 'glibc start-up registers the thread id address',
  set_robust_list: 'glibc start-up registers the robust futex list',
  rseq: 'glibc 2.35+ registers restartable sequences at start-up',
  prlimit64: 'glibc and runtimes read their stack and fd limits',
  getrandom: 'glibc seeds malloc and stack-protector randomness',
  read: 'reading files and stdin',
  write: 'writing to stdout, stderr and open files',
  readv: 'vectored reads (stdio)',
  writev: 'vectored writes (stdio, loggers)',
  pread64: 'the loader reads ELF headers at an offset',
  openat: 'opening files (libraries, the script) — Landlock and the mount view decide which',
  open: 'opening files through the legacy call some static binaries still use',
  close: 'closing file descriptors',
  lseek: 'seeking in files (stdio, interpreters reading sources)',
  fstat: 'stat of an open descriptor (stdio buffering, the loader)',
  newfstatat: 'stat of a path (glibc 2.33+ implements stat/fstat/lstat with it)',
  stat: 'stat of a path (older glibc)',
  lstat: 'lstat of a path (older glibc)',
  statx: 'stat with extended fields (coreutils, newer runtimes)',
  access: 'the loader checks for /etc/ld.so.preload',
  faccessat: 'access() relative to a directory',
  faccessat2: 'glibc 2.33+ implements access() with it',
  readlink: 'resolving /proc/self/exe and symlinks',
  readlinkat: 'readlink relative to a directory',
  getcwd: 'programs ask for their working directory',
  fcntl: 'descriptor flags (FD_CLOEXEC, O_NONBLOCK)',
  ioctl: 'isatty() on stdio (TCGETS) decides line buffering',
  dup: 'duplicating descriptors',
  dup2: 'duplicating descriptors onto a number',
  dup3: 'dup2 with flags',
  rt_sigaction: 'installing signal handlers',
  rt_sigprocmask: 'blocking signals around critical sections',
  rt_sigreturn: 'returning from a signal handler',
  sigaltstack: 'runtimes install an alternate stack for stack-overflow handlers',
  futex: 'glibc locks (stdio, malloc) use futexes even in one thread',
  getpid: 'process id (logging, temp-file names)',
  gettid: 'thread id (glibc internals, logging)',
  getuid: 'user id (the sandbox user)',
  geteuid: 'effective user id',
  getgid: 'group id (the sandbox group)',
  getegid: 'effective group id',
  uname: 'kernel version checks of glibc and runtimes',
  clock_gettime: 'time (when the vDSO cannot answer)',
  clock_getres: 'timer resolution',
  gettimeofday: 'time (legacy)',
  nanosleep: 'sleep() and usleep() in older glibc',
  clock_nanosleep: 'sleep() in glibc 2.31+',
  exit: 'a thread ends',
  exit_group: 'the process ends',
};

const DNS: Why = {
  socket: 'a UDP socket to the resolver (and AF_UNIX for nscd/systemd-resolved)',
  connect: 'glibc connects its UDP socket to the name server',
  sendto: 'sends the query',
  sendmmsg: 'glibc sends the A and AAAA queries in one call',
  recvfrom: 'reads the answer',
  recvmsg: 'reads the answer (some resolvers)',
  poll: 'waits for the answer with a timeout',
  bind: 'binds the query socket to an ephemeral port',
  getsockname: 'glibc checks the local address of its socket',
  setsockopt: 'socket options of the query socket',
};

const NETWORK_CLIENT: Why = {
  socket: 'creates TCP/UDP sockets',
  connect: 'connects to a server',
  sendto: 'sends data (UDP datagrams, TCP writes)',
  recvfrom: 'receives data',
  sendmsg: 'sends data with ancillary data',
  recvmsg: 'receives data with ancillary data',
  getsockname: 'local address of a connection',
  getpeername: 'remote address of a connection',
  setsockopt: 'socket options (TCP_NODELAY, timeouts)',
  getsockopt: 'reads SO_ERROR after a non-blocking connect',
  shutdown: 'half-closes a connection',
  poll: 'waits for sockets',
  ppoll: 'waits for sockets (with a signal mask)',
  select: 'waits for sockets (legacy)',
  pselect6: 'waits for sockets (with a signal mask)',
  epoll_create1: 'event loops wait for many sockets',
  epoll_ctl: 'event loop registration',
  epoll_wait: 'event loop wait',
  epoll_pwait: 'event loop wait (with a signal mask)',
};

const NETWORK_SERVER: Why = {
  socket: 'creates the listening socket',
  bind: 'binds it to its port',
  listen: 'marks it as listening',
  // With network loopback the sandbox's own loopback is all there is: without connect nothing could ever reach
  // the server (no client outside the sandbox can). Tests, health checks and the server's own workers connect.
  connect: 'clients inside the sandbox (tests, health checks, workers) connect to the server over its loopback',
  accept: 'accepts a connection',
  accept4: 'accepts a connection with flags',
  setsockopt: 'SO_REUSEADDR and other options of the listening socket',
  getsockopt: 'socket options',
  getsockname: 'the port actually bound (port 0)',
  getpeername: 'the client address',
  sendto: 'sends data (UDP datagrams, TCP writes)',
  recvfrom: 'receives data',
  sendmsg: 'sends data with ancillary data',
  recvmsg: 'receives data with ancillary data',
  shutdown: 'half-closes a connection',
  poll: 'waits for connections',
  epoll_create1: 'event loops wait for many sockets',
  epoll_ctl: 'event loop registration',
  epoll_wait: 'event loop wait',
  epoll_pwait: 'event loop wait (with a signal mask)',
};

/** Changing a directory tree (creating, renaming, removing), shared by the write fragments. */
const TREE_WRITES: Why = {
  mkdir: 'creates directories',
  mkdirat: 'creates directories relative to a directory',
  rmdir: 'removes directories',
  unlink: 'removes files',
  unlinkat: 'removes files relative to a directory',
  rename: 'renames files (atomic replace)',
  renameat: 'renames relative to directories',
  renameat2: 'renames with flags (glibc 2.28+ rename)',
  ftruncate: 'truncates an open file',
  truncate: 'truncates a file by path',
  fsync: 'flushes a file to disk',
  fdatasync: 'flushes a file’s data to disk',
  fchmod: 'sets the mode of a created file',
  fchmodat: 'sets the mode by path',
  utimensat: 'sets file times',
  symlink: 'creates symbolic links',
  symlinkat: 'creates symbolic links relative to a directory',
  link: 'creates hard links',
  linkat: 'creates hard links relative to a directory',
};

const THREADS: Why = {
  clone: 'pthread_create (CLONE_THREAD) on glibc before 2.34',
  clone3: 'pthread_create on glibc 2.34+',
  futex: 'mutexes, condition variables, joins',
  set_robust_list: 'each new thread registers its robust futex list',
  rseq: 'each new thread registers restartable sequences',
  mprotect: 'the guard page of each thread stack',
  madvise: 'thread stacks are returned to the kernel',
  sched_yield: 'spin locks yield',
  sched_getaffinity: 'sizing thread pools by the CPUs allowed',
  gettid: 'each thread reads its own id',
  tgkill: 'pthread_kill and abort() signal one thread',
  membarrier: 'runtimes (JITs) synchronise code changes across threads',
};

const SUBPROCESS: Why = {
  clone: 'fork() is clone(SIGCHLD) in glibc',
  clone3: 'posix_spawn on glibc 2.34+',
  fork: 'fork() of static or older binaries',
  vfork: 'posix_spawn and shells use vfork',
  execve: 'runs the child program',
  execveat: 'fexecve() runs a program from a descriptor',
  wait4: 'waitpid() collects a finished child',
  waitid: 'waitid() (Python subprocess, posix_spawn)',
  pipe: 'pipes to and from the child',
  pipe2: 'pipes with O_CLOEXEC',
  dup2: 'redirects the child’s stdio',
  dup3: 'redirects the child’s stdio with flags',
  kill: 'signals a child (timeouts, terminate())',
  getppid: 'the child reads its parent id',
  setpgid: 'job control puts children in process groups',
  getpgid: 'job control reads process groups',
  getpgrp: 'job control reads its process group',
  setsid: 'daemons and start_new_session detach from the terminal',
  prlimit64: 'children inherit and read limits',
  close_range: 'closes inherited descriptors before exec (glibc 2.34+, Python)',
};

const PYTHON: Why = {
  getdents64: 'the import system lists sys.path directories',
  sysinfo: 'os and multiprocessing read memory figures',
  sched_getaffinity: 'os.cpu_count() and os.process_cpu_count()',
  getpeername: 'the interpreter checks whether stdio is a socket',
  fadvise64: 'reading source and bytecode files sequentially',
  getxattr: 'shutil/os copy and stat helpers read extended attributes',
  lgetxattr: 'os.lstat-based helpers read extended attributes',
  pipe2: 'os.pipe() and the selectors self-pipe',
  epoll_create1: 'selectors/asyncio event loop',
  epoll_ctl: 'selectors/asyncio event loop',
  epoll_wait: 'selectors/asyncio event loop',
  eventfd2: 'asyncio and concurrent.futures wake-ups',
};

const NODE: Why = {
  getdents64: 'module resolution lists directories',
  epoll_create1: 'the libuv event loop',
  epoll_ctl: 'the libuv event loop',
  epoll_wait: 'the libuv event loop',
  epoll_pwait: 'the libuv event loop (with a signal mask)',
  eventfd2: 'libuv wakes its loop from the thread pool',
  pipe2: 'libuv signal and child pipes',
  sched_getaffinity: 'os.availableParallelism() and the thread pool size',
  capget: 'Node checks its capabilities at start-up',
  prctl: 'V8 and libuv name their threads (PR_SET_NAME)',
  getpriority: 'os.getPriority()',
  memfd_create: 'V8 maps JIT code through a memfd on some builds',
  pkey_alloc: 'V8 probes memory protection keys for its code space',
  ioctl: 'the TTY layer (TCGETS, FIONBIO)',
  statx: 'libuv uses statx for fs.stat',
  // The sandbox's stdio are sockets. libuv's uv_guess_handle asks their type and family; refused, Node takes
  // stdout for an unknown handle and silently discards everything written to it (exit status 0, no output).
  getsockopt: 'libuv asks the type of socket stdio (SO_TYPE) to pick its stream kind',
  getsockname: 'libuv asks the address family of socket stdio (unix or TCP) to pick its stream kind',
};

const SHELL: Why = {
  getdents64: 'globbing lists directories',
  getppid: 'the shell sets $PPID',
  getpgrp: 'job control reads its process group',
  setpgid: 'job control puts pipelines in process groups',
  chdir: 'the cd builtin',
  fchdir: 'returning to a saved directory',
  umask: 'the umask builtin and start-up',
  wait4: 'waits for commands',
  pipe: 'pipelines between commands',
  pipe2: 'pipelines and command substitution',
  getrlimit: 'the ulimit builtin',
  times: 'the times builtin',
  sysinfo: 'start-up of some shells',
};

/** The library, in the order it is listed (completion, docs). */
export const BUILTIN_FRAGMENTS: readonly BuiltinFragment[] = [
  {
    name: 'core',
    description: 'What every dynamically linked program needs to start, allocate memory, read and write its open files, handle signals and exit. Nothing else: no network, no new processes, no threads, no writes to new paths.',
    syscalls: grants(CORE),
  },
  {
    name: 'dns',
    description: 'Resolving host names through the system resolver: queries to the name servers of /etc/resolv.conf (UDP, and TCP for long answers), with /etc/hosts, /etc/nsswitch.conf and /etc/gai.conf.',
    syscalls: grants(DNS),
    network: 'host',
    filesystem: { readOnly: ['/etc/resolv.conf', '/etc/hosts', '/etc/nsswitch.conf', '/etc/gai.conf'] },
    // No Landlock netPort rule (e.g. connect_tcp on 53): a port rule is not a grant but a restriction of the
    // whole profile — once connect_tcp is handled, every port no rule names is denied — so it would take TCP
    // away from every fragment composed with dns (network-client could then only reach port 53). A profile
    // that wants TCP limited to port 53 says so in its own landlock, where it decides the whole port set.
  },
  {
    name: 'network-client',
    description: 'Outgoing TCP and UDP connections to any host (with DNS). Needs the host network.',
    fragments: ['dns'],
    syscalls: grants(NETWORK_CLIENT),
    network: 'host',
  },
  {
    name: 'network-server',
    description: 'Listening on TCP/UDP ports and accepting connections, on the sandbox loopback (set the profile’s network to host to serve outside); clients inside the sandbox may connect to it.',
    syscalls: grants(NETWORK_SERVER),
    network: 'loopback',
  },
  {
    name: 'tmp-write',
    description: 'Creating, writing and removing files in a private /tmp (empty at start, gone at the end).',
    syscalls: grants(TREE_WRITES),
    filesystem: { privateTmp: true },
    landlock: { pathBeneath: [{ allowedAccess: ['abi.read_write'], parent: ['/tmp'] }] },
  },
  {
    name: 'workspace-read',
    description: 'Reading (and listing) the workspace folder; nothing in it can be changed.',
    syscalls: grants({ getdents64: 'lists directories of the workspace', fadvise64: 'sequential reads of large files' }),
    filesystem: { readOnly: ['${workspaceFolder}'] },
    landlock: { pathBeneath: [{ allowedAccess: ['abi.read_execute'], parent: ['${workspaceFolder}'] }] },
  },
  {
    name: 'workspace-write',
    description: 'Reading and changing the workspace folder: creating, writing, renaming and removing files in it.',
    fragments: ['workspace-read'],
    syscalls: grants(TREE_WRITES),
    filesystem: { readWrite: ['${workspaceFolder}'] },
    landlock: { pathBeneath: [{ allowedAccess: ['abi.read_write'], parent: ['${workspaceFolder}'] }] },
  },
  {
    name: 'threads',
    description: 'Creating and synchronising threads (pthreads, thread pools).',
    syscalls: grants(THREADS),
  },
  {
    name: 'subprocess',
    description: 'Starting other programs (fork/exec, posix_spawn), waiting for them and piping to them. The pids limit still applies.',
    syscalls: grants(SUBPROCESS),
  },
  {
    name: 'python',
    description: 'What the CPython 3 interpreter needs to start, import modules and run a script (with core and threads).',
    fragments: ['core', 'threads'],
    syscalls: grants(PYTHON),
  },
  {
    name: 'node',
    description: 'What Node.js needs to start and run its event loop and thread pool (with core and threads).',
    fragments: ['core', 'threads'],
    syscalls: grants(NODE),
  },
  {
    name: 'shell',
    description: 'What a POSIX shell (sh, dash, bash) needs to run a script that starts commands (with core and subprocess).',
    fragments: ['core', 'subprocess'],
    syscalls: grants(SHELL),
  },
];

const byName = new Map(BUILTIN_FRAGMENTS.map((f) => [f.name, f]));

export function builtinFragment(name: string): BuiltinFragment | undefined {
  return byName.get(name);
}

export function builtinFragmentNames(): string[] {
  return BUILTIN_FRAGMENTS.map((f) => f.name);
}
