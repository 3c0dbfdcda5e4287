/*
 * Learn mode, Landlock side (see learn_paths.h). Cost: only the path and socket syscalls pay anything — one
 * process_vm_readv of the path (up to the end of its page, more only when the NUL is not there), a readlink of
 * /proc/PID/cwd or /proc/PID/fd/N for a relative path, and one NOTIF_ID_VALID check that the pid still is the
 * waiting task; the time spent is reported as "pathUs" next to the recording's "recordUs".
 *
 * What is read is the caller's memory while its syscall waits: another thread of the workload could change it
 * before the kernel reads it. That can only make the RECORDING wrong (it is never enforced from here): the
 * replay under the proposal shows it.
 */
#define _GNU_SOURCE
#include "learn_paths.h"
#include "target.h"

#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#if defined(__x86_64__)
#define PATHS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define PATHS_ARCH AUDIT_ARCH_AARCH64
#else
#define PATHS_ARCH 0u
#endif

/* Landlock access rights (include/uapi/linux/landlock.h), by bit. */
enum {
  LL_EXECUTE = 1 << 0, LL_WRITE_FILE = 1 << 1, LL_READ_FILE = 1 << 2, LL_READ_DIR = 1 << 3, LL_REMOVE_DIR = 1 << 4,
  LL_REMOVE_FILE = 1 << 5, LL_MAKE_CHAR = 1 << 6, LL_MAKE_DIR = 1 << 7, LL_MAKE_REG = 1 << 8, LL_MAKE_SOCK = 1 << 9,
  LL_MAKE_FIFO = 1 << 10, LL_MAKE_BLOCK = 1 << 11, LL_MAKE_SYM = 1 << 12, LL_REFER = 1 << 13, LL_TRUNCATE = 1 << 14,
};
/* --explain only: the path did not exist in the sandbox when the call was made (not a Landlock right). */
#define LL_MISSING (1u << 31)
#define LL_BIND_TCP 1
#define LL_CONNECT_TCP 2

#define PATH_SLOTS 8192 /* open addressing; the table is full at 3/4 and then says "pathsMany" */
struct path_slot {
  char *path; /* NULL: free */
  uint64_t hash;
  uint32_t access;
  uint64_t count;
};
#define MAX_PORTS 256
struct port_slot {
  uint16_t port;
  uint32_t access;
  uint64_t count;
};

static struct {
  bool disabled;
  bool exact; /* --explain: only the accesses the kernel will check (learn_paths_exact) */
  struct path_slot paths[PATH_SLOTS];
  size_t npaths;
  bool paths_many;
  struct port_slot ports[MAX_PORTS];
  size_t nports;
  bool ports_many;
  uint64_t unreadable; /* path arguments that could not be read or resolved */
  uint64_t ns;
} P;

static uint64_t fnv(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

static void add_path(const char *path, uint32_t access) {
  uint64_t h = fnv(path);
  for (size_t i = 0, at = (size_t)(h % PATH_SLOTS); i < PATH_SLOTS; i++, at = (at + 1) % PATH_SLOTS) {
    struct path_slot *s = &P.paths[at];
    if (!s->path) {
      if (P.npaths >= PATH_SLOTS * 3 / 4 || !(s->path = strdup(path))) {
        P.paths_many = true;
        return;
      }
      s->hash = h, s->access = access, s->count = 1;
      P.npaths++;
      return;
    }
    if (s->hash == h && strcmp(s->path, path) == 0) {
      s->access |= access;
      s->count++;
      return;
    }
  }
}

/* `rel` joined to `base` and normalised lexically ("." and ".." and repeated slashes; links are not followed:
 * Landlock opens a rule's path the same way, through the links). */
static void join_normal(const char *base, const char *rel, char *out) {
  char tmp[PATH_MAX * 2];
  if (rel[0] == '/') snprintf(tmp, sizeof tmp, "%s", rel);
  else snprintf(tmp, sizeof tmp, "%s/%s", base, rel);
  size_t o = 0;
  out[0] = '\0';
  for (char *save = NULL, *part = strtok_r(tmp, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
    if (strcmp(part, ".") == 0) continue;
    if (strcmp(part, "..") == 0) {
      while (o > 0 && out[o - 1] != '/') o--;
      if (o > 0) o--;
      out[o] = '\0';
      continue;
    }
    size_t len = strlen(part);
    if (o + 1 + len >= PATH_MAX) break;
    out[o++] = '/';
    memcpy(out + o, part, len);
    o += len;
    out[o] = '\0';
  }
  if (o == 0) strcpy(out, "/");
}

static bool resolve(pid_t pid, int dirfd, uint64_t addr, char *out) {
  char rel[PATH_MAX], base[PATH_MAX] = "/";
  if (!target_read_string(pid, addr, rel, sizeof rel)) return false;
  if (rel[0] == '\0') { /* AT_EMPTY_PATH: the dirfd itself */
    if (!target_base_dir(pid, dirfd, base, sizeof base)) return false;
    strcpy(rel, ".");
  } else if (rel[0] != '/' && !target_base_dir(pid, dirfd, base, sizeof base)) {
    return false;
  }
  join_normal(base, rel, out);
  return true;
}

static void parent_of(const char *path, char *out) {
  snprintf(out, PATH_MAX, "%s", path);
  char *slash = strrchr(out, '/');
  if (slash && slash != out) *slash = '\0';
  else strcpy(out, "/");
}

/* Whether `path` exists in the task's view (its root), not following a last link. */
static bool exists_in(pid_t pid, const char *path) {
  struct stat st;
  return target_stat(pid, path, false, &st);
}

#define LL_MAKE_ANY (LL_MAKE_CHAR | LL_MAKE_DIR | LL_MAKE_REG | LL_MAKE_SOCK | LL_MAKE_FIFO | LL_MAKE_BLOCK | LL_MAKE_SYM)
#define LL_REMOVE_ANY (LL_REMOVE_DIR | LL_REMOVE_FILE)

/* One path argument: `access` on the path itself, `parent_access` on its directory. */
static void record_path(pid_t pid, int dirfd, uint64_t addr, uint32_t access, uint32_t parent_access, char *resolved) {
  char path[PATH_MAX];
  if (!resolve(pid, dirfd, addr, path)) {
    P.unreadable++;
    if (resolved) resolved[0] = '\0';
    return;
  }
  if (P.exact) {
    /* What the kernel will check, seen while the call waits: a missing path fails with ENOENT before Landlock, an
     * existing one is not made again (EEXIST, or O_CREAT opens it), a missing one is not removed. */
    bool there = exists_in(pid, path);
    /* Missing in the sandbox: the view hides it (or it does not exist at all; the runtime tells them apart). */
    if (!there && access) add_path(path, access | LL_MISSING);
    if (!there) access = 0;
    parent_access &= there ? ~(uint32_t)LL_MAKE_ANY : ~(uint32_t)LL_REMOVE_ANY;
    if (!there && parent_access) {
      char parent[PATH_MAX];
      parent_of(path, parent);
      /* Its folder is missing too: the call fails with ENOENT before Landlock looks at the folder's make_* right.
       * The folder is what is missing (hidden by the view, or absent everywhere: the runtime tells them apart). */
      if (!exists_in(pid, parent)) {
        add_path(parent, parent_access | LL_MISSING);
        parent_access = 0;
      }
    }
  }
  if (access) add_path(path, access);
  if (parent_access) {
    char parent[PATH_MAX];
    parent_of(path, parent);
    add_path(parent, parent_access);
  }
  if (resolved) snprintf(resolved, PATH_MAX, "%s", path);
}

static void record_fd(pid_t pid, int fd, uint32_t access) {
  char path[PATH_MAX];
  if (fd < 0 || !target_base_dir(pid, fd, path, sizeof path)) return;
  add_path(path, access);
}

static uint32_t open_access(uint64_t flags) {
  uint32_t a = 0;
  switch (flags & O_ACCMODE) {
  case O_RDONLY: a = (flags & O_DIRECTORY) ? LL_READ_DIR : LL_READ_FILE; break;
  case O_WRONLY: a = LL_WRITE_FILE; break;
  default: a = LL_WRITE_FILE | LL_READ_FILE; break;
  }
  if (flags & O_PATH) return 0; /* O_PATH opens check no right */
  if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) a |= LL_TRUNCATE;
  return a;
}

/* A plain O_RDONLY open of a directory (no O_DIRECTORY) needs read_dir, not read_file: asked of the kernel only
 * for the opens that succeed... we cannot see the result, so the path's kind is looked up in the sandbox. */
static uint32_t fix_dir(pid_t pid, const char *path, uint32_t access) {
  if (!(access & LL_READ_FILE) || !path[0]) return access;
  struct stat st;
  if (target_stat(pid, path, true, &st) && S_ISDIR(st.st_mode)) return (access & ~(uint32_t)LL_READ_FILE) | LL_READ_DIR;
  return access;
}

static uint32_t mknod_access(uint64_t mode) {
  switch (mode & S_IFMT) {
  case S_IFCHR: return LL_MAKE_CHAR;
  case S_IFBLK: return LL_MAKE_BLOCK;
  case S_IFIFO: return LL_MAKE_FIFO;
  case S_IFSOCK: return LL_MAKE_SOCK;
  default: return LL_MAKE_REG;
  }
}

static void add_port(uint16_t port, uint32_t access) {
  for (size_t i = 0; i < P.nports; i++)
    if (P.ports[i].port == port) {
      P.ports[i].access |= access;
      P.ports[i].count++;
      return;
    }
  if (P.nports < MAX_PORTS) P.ports[P.nports++] = (struct port_slot){port, access, 1};
  else P.ports_many = true;
}

/* bind/connect: the port of an AF_INET/AF_INET6 address, when the socket is TCP (its type asked of a copy of
 * the fd taken with pidfd_getfd: only these two syscalls pay for it). */
static void record_sockaddr(pid_t pid, int fd, uint64_t addr, uint64_t len, uint32_t access) {
  struct sockaddr_in6 sa;
  if (len < sizeof(sa_family_t) + 2) return;
  size_t want = len < sizeof sa ? (size_t)len : sizeof sa;
  memset(&sa, 0, sizeof sa);
  struct iovec local = {&sa, want}, remote = {(void *)(uintptr_t)addr, want};
  if (process_vm_readv(pid, &local, 1, &remote, 1, 0) < (ssize_t)(sizeof(sa_family_t) + 2)) return;
  if (sa.sin6_family != AF_INET && sa.sin6_family != AF_INET6) return;
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) return;
  int copy = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
  close(pidfd);
  if (copy < 0) return;
  int type = 0;
  socklen_t tl = sizeof type;
  int proto = 0;
  socklen_t pl = sizeof proto;
  bool tcp = getsockopt(copy, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM &&
             getsockopt(copy, SOL_SOCKET, SO_PROTOCOL, &proto, &pl) == 0 && proto == IPPROTO_TCP;
  close(copy);
  if (tcp) add_port(ntohs(sa.sin6_port), access); /* sin_port and sin6_port are at the same offset */
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void learn_paths_disable(void) { P.disabled = true; }
void learn_paths_exact(void) { P.exact = true; }

void learn_paths_record(int listener, const struct seccomp_notif *req) {
  const struct seccomp_data *d = &req->data;
  if (P.disabled || d->arch != PATHS_ARCH) return; /* the compat ABI is refused by the deny layer's arch check */
  const __u64 *a = d->args;
  pid_t pid = (pid_t)req->pid;
  int nr = d->nr;
  uint64_t t0 = now_ns();
  char path[PATH_MAX];
  switch (nr) {
#ifdef __NR_open
  case __NR_open:
    record_path(pid, AT_FDCWD, a[0], 0, (a[1] & O_CREAT) ? LL_MAKE_REG : 0, path);
    if (path[0] && open_access(a[1])) {
      if (!P.exact || exists_in(pid, path)) add_path(path, fix_dir(pid, path, open_access(a[1])));
      else if (!(a[1] & O_CREAT)) add_path(path, open_access(a[1]) | LL_MISSING);
    }
    break;
#endif
#ifdef __NR_creat
  case __NR_creat: record_path(pid, AT_FDCWD, a[0], LL_WRITE_FILE | LL_TRUNCATE, LL_MAKE_REG, NULL); break;
#endif
  case __NR_openat:
    record_path(pid, (int)a[0], a[1], 0, (a[2] & O_CREAT) ? LL_MAKE_REG : 0, path);
    if (path[0] && open_access(a[2])) {
      if (!P.exact || exists_in(pid, path)) add_path(path, fix_dir(pid, path, open_access(a[2])));
      else if (!(a[2] & O_CREAT)) add_path(path, open_access(a[2]) | LL_MISSING);
    }
    break;
  case __NR_execve: record_path(pid, AT_FDCWD, a[0], LL_EXECUTE | LL_READ_FILE, 0, NULL); break;
  case __NR_execveat: record_path(pid, (int)a[0], a[1], LL_EXECUTE | LL_READ_FILE, 0, NULL); break;
#ifdef __NR_mkdir
  case __NR_mkdir: record_path(pid, AT_FDCWD, a[0], 0, LL_MAKE_DIR, NULL); break;
#endif
  case __NR_mkdirat: record_path(pid, (int)a[0], a[1], 0, LL_MAKE_DIR, NULL); break;
#ifdef __NR_unlink
  case __NR_unlink: record_path(pid, AT_FDCWD, a[0], 0, LL_REMOVE_FILE, NULL); break;
#endif
#ifdef __NR_rmdir
  case __NR_rmdir: record_path(pid, AT_FDCWD, a[0], 0, LL_REMOVE_DIR, NULL); break;
#endif
  case __NR_unlinkat:
    record_path(pid, (int)a[0], a[1], 0, (a[2] & AT_REMOVEDIR) ? LL_REMOVE_DIR : LL_REMOVE_FILE, NULL);
    break;
#ifdef __NR_rename
  case __NR_rename: {
    char to[PATH_MAX];
    record_path(pid, AT_FDCWD, a[0], 0, LL_REMOVE_FILE, path);
    record_path(pid, AT_FDCWD, a[1], 0, LL_MAKE_REG, to);
    char pf[PATH_MAX], pt[PATH_MAX];
    parent_of(path, pf), parent_of(to, pt);
    if (path[0] && to[0] && strcmp(pf, pt) != 0) add_path(pf, LL_REFER), add_path(pt, LL_REFER);
    break;
  }
#endif
#ifdef __NR_renameat
  case __NR_renameat:
#endif
  case __NR_renameat2: {
    char to[PATH_MAX];
    record_path(pid, (int)a[0], a[1], 0, LL_REMOVE_FILE, path);
    record_path(pid, (int)a[2], a[3], 0, LL_MAKE_REG, to);
    char pf[PATH_MAX], pt[PATH_MAX];
    parent_of(path, pf), parent_of(to, pt);
    if (path[0] && to[0] && strcmp(pf, pt) != 0) add_path(pf, LL_REFER), add_path(pt, LL_REFER);
    break;
  }
#ifdef __NR_link
  case __NR_link: {
    char to[PATH_MAX];
    record_path(pid, AT_FDCWD, a[0], 0, 0, path);
    record_path(pid, AT_FDCWD, a[1], 0, LL_MAKE_REG, to);
    char pf[PATH_MAX], pt[PATH_MAX];
    parent_of(path, pf), parent_of(to, pt);
    if (path[0] && to[0] && strcmp(pf, pt) != 0) add_path(pf, LL_REFER), add_path(pt, LL_REFER);
    break;
  }
#endif
  case __NR_linkat: {
    char to[PATH_MAX];
    record_path(pid, (int)a[0], a[1], 0, 0, path);
    record_path(pid, (int)a[2], a[3], 0, LL_MAKE_REG, to);
    char pf[PATH_MAX], pt[PATH_MAX];
    parent_of(path, pf), parent_of(to, pt);
    if (path[0] && to[0] && strcmp(pf, pt) != 0) add_path(pf, LL_REFER), add_path(pt, LL_REFER);
    break;
  }
#ifdef __NR_symlink
  case __NR_symlink: record_path(pid, AT_FDCWD, a[1], 0, LL_MAKE_SYM, NULL); break;
#endif
  case __NR_symlinkat: record_path(pid, (int)a[1], a[2], 0, LL_MAKE_SYM, NULL); break;
  case __NR_truncate: record_path(pid, AT_FDCWD, a[0], LL_TRUNCATE, 0, NULL); break;
  case __NR_ftruncate: record_fd(pid, (int)a[0], LL_TRUNCATE); break;
#ifdef __NR_mknod
  case __NR_mknod: record_path(pid, AT_FDCWD, a[0], 0, mknod_access(a[1]), NULL); break;
#endif
  case __NR_mknodat: record_path(pid, (int)a[0], a[1], 0, mknod_access(a[2]), NULL); break;
  case __NR_getdents64: record_fd(pid, (int)a[0], LL_READ_DIR); break;
#ifdef __NR_getdents
  case __NR_getdents: record_fd(pid, (int)a[0], LL_READ_DIR); break;
#endif
  case __NR_bind: record_sockaddr(pid, (int)a[0], a[1], a[2], LL_BIND_TCP); break;
  case __NR_connect: record_sockaddr(pid, (int)a[0], a[1], a[2], LL_CONNECT_TCP); break;
  default: return; /* not a path syscall: no cost beyond this switch */
  }
  /* The pid could have been reused if the task died meanwhile: then what was read is not its. */
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0) P.unreadable++;
  P.ns += now_ns() - t0;
}

static int cmp_paths(const void *a, const void *b) {
  const struct path_slot *x = a, *y = b;
  return strcmp(x->path, y->path);
}

static int cmp_ports(const void *a, const void *b) {
  const struct port_slot *x = a, *y = b;
  return (int)x->port - (int)y->port;
}

void learn_paths_write(FILE *f) {
  struct path_slot *sorted = malloc(sizeof P.paths);
  size_t n = 0;
  if (sorted) {
    for (size_t i = 0; i < PATH_SLOTS; i++)
      if (P.paths[i].path) sorted[n++] = P.paths[i];
    qsort(sorted, n, sizeof *sorted, cmp_paths);
  }
  fprintf(f, ",\n\"pathUs\":%llu,\"pathsMany\":%s,\"pathsUnreadable\":%llu,\"paths\":[", (unsigned long long)(P.ns / 1000),
          P.paths_many || !sorted ? "true" : "false", (unsigned long long)P.unreadable);
  for (size_t i = 0; i < n; i++) {
    char esc[PATH_MAX * 2 + 8];
    json_escape(esc, sizeof esc, sorted[i].path);
    fprintf(f, "%s\n{\"path\":\"%s\",\"access\":%u,\"count\":%llu}", i ? "," : "", esc, sorted[i].access,
            (unsigned long long)sorted[i].count);
  }
  free(sorted);
  qsort(P.ports, P.nports, sizeof P.ports[0], cmp_ports);
  fprintf(f, "],\n\"portsMany\":%s,\"ports\":[", P.ports_many ? "true" : "false");
  for (size_t i = 0; i < P.nports; i++)
    fprintf(f, "%s{\"port\":%u,\"access\":%u,\"count\":%llu}", i ? "," : "", P.ports[i].port, P.ports[i].access,
            (unsigned long long)P.ports[i].count);
  fputs("]", f);
}
