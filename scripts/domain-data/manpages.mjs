// Manual pages (roff): NAME lines, SYNOPSIS prototypes, and the hand-written aliases and overrides. One step of scripts/gen-domain-data.mjs.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { MAN2 } from './common.mjs';

// ---------------------------------------------------------------------------------------------
// 4. Manual pages (section 2)
// ---------------------------------------------------------------------------------------------
export function roffUnescape(s) {
  return s
    .replace(/\\f(\[[^\]]*\]|\([A-Za-z]{2}|[A-Za-z0-9])/g, '')
    .replace(/\\\[ti\]/g, '~')
    .replace(/\\\[(em|\(em)\]|\\\(em/g, '\u2014')
    .replace(/\\\[(en)\]|\\\(en/g, '\u2013')
    .replace(/\\\[dq\]/g, '"')
    .replace(/\\\[aq\]/g, "'")
    .replace(/\\\[rs\]|\\e/g, '\\')
    .replace(/\\\[bu\]/g, '\u2022')
    .replace(/\\\[[a-z]+\]/g, '')
    .replace(/\\-/g, '-')
    .replace(/\\[~ 0]/g, ' ')
    .replace(/\\[&,/:|^%]/g, '')
    .replace(/\\\*\((lq|rq)/g, '"');
}
export function roffArgs(rest) {
  const args = [];
  let i = 0;
  while (i < rest.length) {
    while (rest[i] === ' ' || rest[i] === '\t') i++;
    if (i >= rest.length) break;
    if (rest[i] === '"') {
      let s = '';
      i++;
      while (i < rest.length) {
        if (rest[i] === '"') {
          if (rest[i + 1] === '"') { s += '"'; i += 2; continue; }
          i++;
          break;
        }
        s += rest[i++];
      }
      args.push(s);
    } else {
      let s = '';
      while (i < rest.length && rest[i] !== ' ' && rest[i] !== '\t') s += rest[i++];
      args.push(s);
    }
  }
  return args;
}
export function roffLines(src) {
  // join continuation lines (a trailing single backslash)
  const raw = src.split('\n');
  const out = [];
  let acc = null;
  for (const line of raw) {
    const cont = /(^|[^\\])\\$/.test(line);
    const piece = cont ? line.slice(0, -1) : line;
    acc = acc === null ? piece : acc + ' ' + piece.replace(/^\s+/, '');
    if (!cont) { out.push(acc); acc = null; }
  }
  if (acc !== null) out.push(acc);
  return out;
}
export function roffText(line) {
  if (/^[.'][\\]"/.test(line)) return null; // comment
  const m = /^\.([A-Za-z]+)\s*(.*)$/.exec(line);
  if (!m) return roffUnescape(line);
  const [, macro, rest] = m;
  if (['B', 'I', 'SM', 'SB'].includes(macro)) return roffUnescape(roffArgs(rest).join(' '));
  if (['BI', 'BR', 'IB', 'IR', 'RB', 'RI'].includes(macro)) return roffUnescape(roffArgs(rest).join(''));
  return null;
}
export function sections(src) {
  const secs = new Map();
  let cur = null;
  for (const line of roffLines(src)) {
    const h = /^\.SH\s+"?([^"]*)"?\s*$/.exec(line);
    if (h) { cur = h[1].trim().toUpperCase(); secs.set(cur, []); continue; }
    if (cur) secs.get(cur).push(line);
  }
  return secs;
}

export const manCache = new Map();
export function readManPage(file) {
  if (manCache.has(file)) return manCache.get(file);
  let result = null;
  let p = path.join(MAN2, file);
  for (let hops = 0; hops < 5 && fs.existsSync(p); hops++) {
    const real = fs.realpathSync(p); // Debian turns .so pages into symlinks
    let src = zlib.gunzipSync(fs.readFileSync(real)).toString('utf8');
    const so = /^\.so\s+(?:man2\/)?(\S+)\s*$/m.exec(src);
    if (so && src.split('\n').filter((l) => l && !l.startsWith('.\\"')).length <= 2) {
      p = path.join(MAN2, path.basename(so[1]) + '.gz');
      continue;
    }
    const th = /^\.TH\s+(\S+)\s+(\S+)\s+(\S+)\s+"([^"]*)"/m.exec(src);
    const secs = sections(src);
    const nameText = (secs.get('NAME') ?? []).map(roffText).filter((x) => x !== null).join(' ').replace(/\s+/g, ' ').trim();
    const dash = nameText.indexOf(' - ');
    const pageNames = (dash >= 0 ? nameText.slice(0, dash) : nameText).split(',').map((s) => s.trim()).filter(Boolean);
    const summary = dash >= 0 ? nameText.slice(dash + 3).trim() : '';
    // SYNOPSIS: the .nf/.fi blocks before the feature-test-macro part.
    // (A few pages put the prototype outside .nf: `all` keeps every line as a fallback.)
    const syn = [];
    const all = [];
    let inNf = false;
    for (const line of secs.get('SYNOPSIS') ?? []) {
      if (/Feature Test Macro/i.test(line)) break;
      if (/^\.nf\b/.test(line)) { inNf = true; continue; }
      if (/^\.fi\b/.test(line)) { inNf = false; continue; }
      const t = roffText(line);
      if (t === null) continue;
      all.push(t);
      if (inNf) syn.push(t);
    }
    result = {
      page: `${path.basename(real, '.2.gz')}(2)`,
      title: th ? th[4] : '',
      pageNames,
      summary,
      prototypes: prototypes(syn),
      looseProtos: prototypes(all),
    };
    break;
  }
  manCache.set(file, result);
  return result;
}
export function prototypes(lines) {
  const body = lines
    .filter((l) => !/^\s*#/.test(l))
    .filter((l) => !/^\s*\/\*.*\*\/\s*$/.test(l))
    .join('\n');
  return body
    .split(';')
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => /\(/.test(s))
    .map((s) =>
      s
        .replace(/^(\s*\/\*[\s\S]*?\*\/)+\s*/, '') // a comment before the prototype
        .replace(/\b_Nullable\b|\b_Nonnull\b/g, '')
        .replace(/\s+/g, ' ')
        .replace(/ \* +/g, ' *')
        .replace(/\s+([,)\]])/g, '$1')
        .replace(/\(\s+/g, '(')
        .trim(),
    );
}
export function splitParams(inner) {
  const out = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
    cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
// Returns {sig, params, viaSyscall, fn} for `name` in a prototype list, or null.
export function findPrototype(protos, name) {
  let best = null;
  for (const p of protos) {
    const esc = name.replace(/[$]/g, '\\$');
    let m = new RegExp(`^(.*?)\\bsyscall\\(\\s*SYS_${esc}\\s*(?:,\\s*(.*))?\\)\\s*$`).exec(p);
    let cand;
    if (m) {
      const ret = m[1].trim();
      const params = m[2] ? splitParams(m[2]) : [];
      cand = { sig: `${ret} ${name}(${params.length ? params.join(', ') : 'void'});`, params, viaSyscall: true, fn: name };
    } else {
      m = new RegExp(`^(.*?[\\s*])${esc}\\s*\\((.*)\\)\\s*$`).exec(p);
      if (!m || /\bsyscall\(/.test(m[1])) continue;
      const inner = m[2].trim();
      const params = inner === 'void' || inner === '' ? [] : splitParams(inner);
      cand = { sig: `${p};`, params, viaSyscall: false, fn: name };
    }
    if (!best || cand.params.length > best.params.length) best = cand;
  }
  return best;
}
export function stems(name) {
  const out = [name];
  const add = (s) => { if (s && !out.includes(s)) out.push(s); };
  for (const s of [...out]) add(s.replace(/^_+/, ''));
  for (const s of [...out]) add(s.replace(/^rt_/, ''));
  for (const s of [...out]) add(s.replace(/^(new|old|u)/, ''));
  for (const s of [...out]) add(s.replace(/(_time64|64_64|64|32|_time32)$/, ''));
  for (const s of [...out]) add(s.replace(/[0-9]+$/, ''));
  return out;
}

// Pages whose file name differs from the syscall and that Debian does not link.
export const MAN_ALIAS = {
  io_pgetevents: 'io_getevents.2.gz',
  arm_sync_file_range: 'sync_file_range.2.gz',
  sync_file_range2: 'sync_file_range.2.gz',
  fadvise64_64: 'posix_fadvise.2.gz',
  arm_fadvise64_64: 'posix_fadvise.2.gz',
  fstatat64: 'fstatat.2.gz',
  newfstatat: 'fstatat.2.gz',
  oldfstat: 'stat.2.gz',
  oldlstat: 'stat.2.gz',
  oldstat: 'stat.2.gz',
  oldolduname: 'uname.2.gz',
  olduname: 'uname.2.gz',
  oldumount: 'umount.2.gz',
  _sysctl: 'sysctl.2.gz',
  ugetrlimit: 'getrlimit.2.gz',
  sendfile64: 'sendfile.2.gz',
  waitpid: 'wait.2.gz',
  recv: 'recv.2.gz',
  send: 'send.2.gz',
  epoll_wait_old: 'epoll_wait.2.gz',
  epoll_ctl_old: 'epoll_ctl.2.gz',
  clock_gettime64: 'clock_gettime.2.gz',
  clock_settime64: 'clock_settime.2.gz',
  clock_getres_time64: 'clock_getres.2.gz',
  clock_nanosleep_time64: 'clock_nanosleep.2.gz',
  clock_adjtime64: 'clock_adjtime.2.gz',
  timer_gettime64: 'timer_gettime.2.gz',
  timer_settime64: 'timer_settime.2.gz',
  timerfd_gettime64: 'timerfd_gettime.2.gz',
  timerfd_settime64: 'timerfd_settime.2.gz',
  utimensat_time64: 'utimensat.2.gz',
  pselect6_time64: 'pselect6.2.gz',
  ppoll_time64: 'ppoll.2.gz',
  io_pgetevents_time64: 'io_getevents.2.gz',
  recvmmsg_time64: 'recvmmsg.2.gz',
  mq_timedsend_time64: 'mq_timedsend.2.gz',
  mq_timedreceive_time64: 'mq_timedreceive.2.gz',
  semtimedop_time64: 'semtimedop.2.gz',
  rt_sigtimedwait_time64: 'rt_sigtimedwait.2.gz',
  futex_time64: 'futex.2.gz',
  sched_rr_get_interval_time64: 'sched_rr_get_interval.2.gz',
  rt_sigsuspend: 'sigsuspend.2.gz',
  rt_sigpending: 'sigpending.2.gz',
  rt_sigprocmask: 'sigprocmask.2.gz',
  rt_sigtimedwait: 'sigwaitinfo.2.gz',
  cacheflush: 'cacheflush.2.gz',
  fanotify_init: 'fanotify_init.2.gz',
  s390_guarded_storage: 's390_guarded_storage.2.gz',
  s390_pci_mmio_read: 's390_pci_mmio_write.2.gz',
  riscv_flush_icache: 'riscv_flush_icache.2.gz',
  spu_create: 'spu_create.2.gz',
  newuname: 'uname.2.gz',
  mmap2: 'mmap2.2.gz',
  signalfd4: 'signalfd.2.gz',
  eventfd2: 'eventfd.2.gz',
  pipe2: 'pipe.2.gz',
  dup3: 'dup.2.gz',
  inotify_init1: 'inotify_init.2.gz',
  epoll_create1: 'epoll_create.2.gz',
  accept4: 'accept.2.gz',
  faccessat2: 'faccessat.2.gz',
  umount2: 'umount.2.gz',
  renameat2: 'rename.2.gz',
  wait4: 'wait4.2.gz',
  getdents64: 'getdents.2.gz',
  preadv2: 'readv.2.gz',
  pwritev2: 'readv.2.gz',
  clone3: 'clone.2.gz',
  mlock2: 'mlock.2.gz',
  epoll_pwait2: 'epoll_wait.2.gz',
};

// Syscalls documented under the glibc function they implement, when the name does not say so.
export const PROTO_ALIAS = {
  exit: '_exit',
  fadvise64: 'posix_fadvise',
  fadvise64_64: 'posix_fadvise',
  arm_fadvise64_64: 'posix_fadvise',
  arm_sync_file_range: 'sync_file_range',
  io_pgetevents_time64: 'io_pgetevents',
};
// Argument counts strace's tables do not give under these names (ARM register pairs for 64-bit args).
export const ARGC_OVERRIDE = {
  arm_fadvise64_64: 6, // fd, advice, offset (2 registers), len (2 registers)
  arm_sync_file_range: 6, // fd, flags, offset (2 registers), nbytes (2 registers)
};

// Hand-written descriptions and prototypes for syscalls manpages-dev 6.03 does not document.
// Prototypes follow the kernel's SYSCALL_DEFINE / the later man-pages where they exist.
export const NO_MAN = {
  cachestat: ['query the page cache statistics of a file range', 'int cachestat(unsigned int fd, struct cachestat_range *cstat_range, struct cachestat *cstat, unsigned int flags);'],
  fchmodat2: ['change permissions of a file relative to a directory fd, with flags (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH)', 'int fchmodat2(int dirfd, const char *pathname, mode_t mode, unsigned int flags);'],
  map_shadow_stack: ['allocate a new shadow stack (x86 CET user shadow stacks)', 'void *map_shadow_stack(unsigned long addr, unsigned long size, unsigned int flags);'],
  futex_wake: ['wake waiters on a futex (futex2 interface)', 'long futex_wake(void *uaddr, unsigned long mask, int nr, unsigned int flags);'],
  futex_wait: ['wait on a futex (futex2 interface)', 'long futex_wait(void *uaddr, unsigned long val, unsigned long mask, unsigned int flags, struct __kernel_timespec *timeout, clockid_t clockid);'],
  futex_requeue: ['wake waiters on one futex and requeue others to a second futex (futex2 interface)', 'long futex_requeue(struct futex_waitv *waiters, unsigned int flags, int nr_wake, int nr_requeue);'],
  futex_waitv: ['wait on several futexes at once', 'long futex_waitv(struct futex_waitv *waiters, unsigned int nr_futexes, unsigned int flags, struct __kernel_timespec *timeout, clockid_t clockid);'],
  statmount: ['get information about a mount by its unique mount ID', 'int statmount(const struct mnt_id_req *req, struct statmount *buf, size_t bufsize, unsigned int flags);'],
  listmount: ['list the mount IDs beneath a mount', 'ssize_t listmount(const struct mnt_id_req *req, uint64_t *mnt_ids, size_t nr_mnt_ids, unsigned int flags);'],
  lsm_get_self_attr: ['get an attribute of the calling process from the Linux security modules', 'int lsm_get_self_attr(unsigned int attr, struct lsm_ctx *ctx, uint32_t *size, uint32_t flags);'],
  lsm_set_self_attr: ['set an attribute of the calling process in a Linux security module', 'int lsm_set_self_attr(unsigned int attr, struct lsm_ctx *ctx, uint32_t size, uint32_t flags);'],
  lsm_list_modules: ['list the Linux security modules active on the system', 'int lsm_list_modules(uint64_t *ids, uint32_t *size, uint32_t flags);'],
  mseal: ['seal a range of virtual memory against further changes (mprotect, munmap, mremap, ...)', 'int mseal(void *addr, size_t len, unsigned long flags);'],
  setxattrat: ['set an extended attribute of a file relative to a directory fd', 'int setxattrat(int dirfd, const char *pathname, unsigned int at_flags, const char *name, const struct xattr_args *args, size_t size);'],
  getxattrat: ['get an extended attribute of a file relative to a directory fd', 'ssize_t getxattrat(int dirfd, const char *pathname, unsigned int at_flags, const char *name, struct xattr_args *args, size_t size);'],
  listxattrat: ['list the extended attribute names of a file relative to a directory fd', 'ssize_t listxattrat(int dirfd, const char *pathname, unsigned int at_flags, char *list, size_t size);'],
  removexattrat: ['remove an extended attribute of a file relative to a directory fd', 'int removexattrat(int dirfd, const char *pathname, unsigned int at_flags, const char *name);'],
  open_tree_attr: ['open_tree() that also applies mount attributes to the new detached mount', 'int open_tree_attr(int dirfd, const char *pathname, unsigned int flags, struct mount_attr *attr, size_t size);'],
  file_getattr: ['get inode attributes (fsxattr: flags, extent size, project ID) of a file', 'int file_getattr(int dirfd, const char *pathname, struct file_attr *attr, size_t size, unsigned int at_flags);'],
  file_setattr: ['set inode attributes (fsxattr: flags, extent size, project ID) of a file', 'int file_setattr(int dirfd, const char *pathname, struct file_attr *attr, size_t size, unsigned int at_flags);'],
  listns: ['list namespaces visible to the caller', 'ssize_t listns(const struct ns_id_req *req, uint64_t *ns_ids, size_t nr_ns_ids, unsigned int flags);'],
  rseq_slice_yield: ['yield the CPU at the end of an rseq time-slice extension', 'int rseq_slice_yield(void);'],
  uprobe: ['internal: trampoline of x86-64 uprobes (returns ENXIO when called from elsewhere)', 'long uprobe(void);'],
  uretprobe: ['internal: trampoline of x86-64 return uprobes (returns ENXIO when called from elsewhere)', 'long uretprobe(void);'],
  riscv_hwprobe: ['query RISC-V hardware capabilities (extensions, CPU properties)', 'int riscv_hwprobe(struct riscv_hwprobe *pairs, size_t pair_count, size_t cpusetsize, cpu_set_t *cpus, unsigned int flags);'],
  riscv_flush_icache: ['synchronize the instruction cache with the data cache (RISC-V)', 'int riscv_flush_icache(void *start, void *end, unsigned long flags);'],
  io_pgetevents: ['read asynchronous I/O events from the completion queue, with a signal mask', 'int io_pgetevents(aio_context_t ctx_id, long min_nr, long nr, struct io_event *events, struct timespec *timeout, const struct __aio_sigset *usig);'],
  memfd_secret: ['create an anonymous RAM-based file whose memory is removed from the kernel direct map', 'int memfd_secret(unsigned int flags);'],
  process_mrelease: ['release the memory of a dying process early', 'int process_mrelease(int pidfd, unsigned int flags);'],
  set_mempolicy_home_node: ['set the home NUMA node of a memory range', 'long set_mempolicy_home_node(unsigned long start, unsigned long len, unsigned long home_node, unsigned long flags);'],
  quotactl_fd: ['manipulate disk quotas of the filesystem an open fd is on', 'int quotactl_fd(unsigned int fd, unsigned int cmd, qid_t id, void *addr);'],
  landlock_create_ruleset: ['create a new Landlock ruleset', 'int landlock_create_ruleset(const struct landlock_ruleset_attr *attr, size_t size, uint32_t flags);'],
  landlock_add_rule: ['add a new Landlock rule to a ruleset', 'int landlock_add_rule(int ruleset_fd, enum landlock_rule_type rule_type, const void *rule_attr, uint32_t flags);'],
  landlock_restrict_self: ['enforce a Landlock ruleset on the calling thread', 'int landlock_restrict_self(int ruleset_fd, uint32_t flags);'],
  epoll_pwait2: ['wait for an I/O event on an epoll fd, with a nanosecond timeout and signal mask', 'int epoll_pwait2(int epfd, struct epoll_event *events, int maxevents, const struct timespec *timeout, const sigset_t *sigmask, size_t sigsetsize);'],
  io_uring_setup: ['set up an io_uring submission and completion queue', 'int io_uring_setup(uint32_t entries, struct io_uring_params *p);'],
  io_uring_enter: ['submit io_uring requests and/or wait for completions', 'int io_uring_enter(unsigned int fd, unsigned int to_submit, unsigned int min_complete, unsigned int flags, const void *argp, size_t argsz);'],
  io_uring_register: ['register files, buffers or other resources with an io_uring instance', 'int io_uring_register(unsigned int fd, unsigned int opcode, void *arg, unsigned int nr_args);'],
  fsopen: ['open a filesystem context to configure a new mount (new mount API)', 'int fsopen(const char *fsname, unsigned int flags);'],
  fsconfig: ['configure a filesystem context (new mount API)', 'int fsconfig(int fd, unsigned int cmd, const char *key, const void *value, int aux);'],
  fsmount: ['create a detached mount from a configured filesystem context (new mount API)', 'int fsmount(int fsfd, unsigned int flags, unsigned int attr_flags);'],
  fspick: ['open a filesystem context for reconfiguring an existing mount (new mount API)', 'int fspick(int dirfd, const char *pathname, unsigned int flags);'],
  move_mount: ['move or attach a mount (new mount API)', 'int move_mount(int from_dirfd, const char *from_pathname, int to_dirfd, const char *to_pathname, unsigned int flags);'],
  open_tree: ['open a mount or clone a mount tree as a detached mount (new mount API)', 'int open_tree(int dirfd, const char *pathname, unsigned int flags);'],
  rseq: ['register or unregister a restartable sequences area for the calling thread', 'int rseq(struct rseq *rseq, uint32_t rseq_len, int flags, uint32_t sig);'],
  io_pgetevents_time64: ['read asynchronous I/O events, with a signal mask (64-bit time_t variant for 32-bit ABIs)', 'int io_pgetevents_time64(aio_context_t ctx_id, long min_nr, long nr, struct io_event *events, struct __kernel_timespec *timeout, const struct __aio_sigset *usig);'],
  process_madvise: ['give advice about the use of memory to another process', 'ssize_t process_madvise(int pidfd, const struct iovec *iovec, size_t vlen, int advice, unsigned int flags);'],
};
// Terse descriptions for syscalls with a page but a NAME line that does not describe them.
export const DESC_OVERRIDE = {
  get_tls: 'get the thread pointer (ARM private syscall)',
  set_tls: 'set the thread pointer (ARM private syscall)',
  breakpoint: 'raise a breakpoint trap (ARM private syscall)',
  usr26: 'switch to 26-bit user mode (ARM private syscall, obsolete)',
  usr32: 'switch to 32-bit user mode (ARM private syscall, obsolete)',
  cachectl: 'control the instruction/data caches (MIPS)',
  sysmips: 'MIPS-specific machine operations (obsolete)',
  multiplexer: 'reserved PowerPC syscall slot (not implemented)',
  rtas: 'call the firmware Run-Time Abstraction Services (PowerPC)',
  swapcontext: 'switch user contexts in the kernel (PowerPC)',
  switch_endian: 'switch the endianness of the calling thread (PowerPC)',
  sys_debug_setcontext: 'set the user context with debug settings (PowerPC)',
  timerfd: 'first timerfd interface (Linux 2.6.22 only), superseded by timerfd_create',
  ftime: 'reserved syscall slot, not implemented by Linux (ftime(3) is a library function)',
  profil: 'reserved syscall slot, not implemented by Linux (profil(3) is a library function)',
  ulimit: 'reserved syscall slot, not implemented by Linux (ulimit(3) is a library function)',
};

export function manInfo(name) {
  const files = [`${name}.2.gz`];
  if (MAN_ALIAS[name]) files.push(MAN_ALIAS[name]);
  for (const s of stems(name).slice(1)) files.push(`${s}.2.gz`);
  for (const f of files) {
    const pg = readManPage(f);
    if (!pg) continue;
    let proto = null;
    const fns = PROTO_ALIAS[name] ? [name, PROTO_ALIAS[name]] : stems(name);
    for (const list of [pg.prototypes, pg.looseProtos]) {
      for (const s of fns) {
        proto = findPrototype(list, s);
        if (proto) { proto.fn = s; break; }
      }
      if (proto) break;
    }
    return { page: pg.page, summary: pg.summary, proto };
  }
  return null;
}
