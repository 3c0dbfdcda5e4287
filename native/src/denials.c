/* Denial reporting: see denials.h for the design, docs/sandbox.md ("Denials") for what a user sees. */
#define _GNU_SOURCE
#include "denials.h"
#include "denials_arch.h"
#include "target.h"
#include "denials_net.h"
#include "learn_paths.h"

#include "channel.h"
#include "learn.h"
#include "report.h"
#include "sandbox.h"
#include "zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
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
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif

#define MAX_DENIALS 128
#define PATH_BYTES 512

struct denial {
  uint32_t arch;
  int32_t nr;
  int32_t err;
  bool has_arg;
  uint64_t arg;
  char path[PATH_BYTES]; /* for a network denial: the address ("host:port") */
  bool net;             /* a call the profile allows, towards an address the network mode cannot reach */
  uint64_t count;
};

static struct {
  bool off;
  int listener;
  bool hung_up;
  const struct sock_filter *answer; /* the runtime's program, ERRNO answers intact */
  size_t answer_len;
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  size_t req_size, resp_size;
  struct denial list[MAX_DENIALS];
  size_t n;
  uint64_t dropped; /* beyond MAX_DENIALS distinct ones: counted, not itemised */
  pid_t handoff_pid; /* until the workload's execve: its wait for the hand-off's end is not a denial */
  int handoff_fd;
  int net_mode; /* DENIALS_NET_*: the --net the sandbox was made with */
  const char *explain_file; /* --explain FILE: the path syscalls are recorded (learn_paths.c) and written there */
} D; /* zero-initialized: in .bss (see denials_defaults) */

/* The non-zero defaults, set at start-up rather than by an initializer: an initialized struct would sit in .data,
 * whose pages are mapped from the file (fault-around maps 64 KiB at each first touch) and counted in every waiting
 * zygote's resident memory; zero-initialized, its untouched pages cost nothing. */
__attribute__((constructor)) static void denials_defaults(void) {
  D.listener = -1;
  D.net_mode = DENIALS_NET_HOST;
}

void denials_configure(bool on) { D.off = !on; }

const char *denials_explain_file(void) { return D.explain_file; }

void denials_explain(const char *file) {
  D.explain_file = file;
  learn_paths_exact();
}

bool denials_wanted(const struct sandbox_config *cfg) { return !D.off && cfg->seccomp_filter && !learn_enabled(); }

/* ---- in the helper ---- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int take_by_number(pid_t pid, int target_fd) {
  int pidfd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
  if (pidfd < 0) return -1;
  int found = -1;
  uint64_t deadline = now_ns() + 5000000000ull;
  for (;;) {
    int fd = (int)syscall(SYS_pidfd_getfd, pidfd, target_fd, 0);
    if (fd >= 0) {
      char link[64], target[128] = "";
      snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
      ssize_t n = readlink(link, target, sizeof target - 1);
      if (n > 0) target[n] = '\0';
      if (strstr(target, "seccomp")) {
        found = fd;
        break;
      }
      close(fd); /* not the listener yet */
    } else if (errno != EBADF) break;
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    if (poll(&p, 1, 0) > 0 || now_ns() > deadline) break;
    usleep(20);
  }
  close(pidfd);
  return found;
}

void denials_attach(pid_t workload_pid, int target_fd, int passed_fd, int sync_fd, int workload_sync_fd) {
  int fd = passed_fd >= 0 ? passed_fd : take_by_number(workload_pid, target_fd);
  if (fd >= 0 && passed_fd < 0) {
    /* The workload waits for this (denials_install); its recvfrom may itself be a refused call: not counted. */
    D.handoff_pid = workload_pid;
    D.handoff_fd = workload_sync_fd;
    if (!channel_send(sync_fd, MSG_DENIALS, 0, 0, NULL, NULL)) {} /* the workload is gone: the run reports it */
  }
  if (fd < 0) {
    /* Without the listener a refused call would wait forever: stop the run instead of hanging it. */
    char text[200];
    snprintf(text, sizeof text, "cannot take the workload's seccomp listener (pidfd_getfd of pid %d, fd %d): %s", (int)workload_pid,
             target_fd, errno_name(errno));
    report_error("denials", EXIT_SETUP_FAILED, text);
    if (workload_pid > 0) kill(workload_pid, SIGKILL);
    return;
  }
  if (D.listener >= 0) close(D.listener);
  D.listener = fd;
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0) die_step("denials", errno, NULL, "seccomp(SECCOMP_GET_NOTIF_SIZES)");
  D.req_size = sizes.seccomp_notif > sizeof *D.req ? sizes.seccomp_notif : sizeof *D.req;
  D.resp_size = sizes.seccomp_notif_resp > sizeof *D.resp ? sizes.seccomp_notif_resp : sizeof *D.resp;
  free(D.req);
  free(D.resp);
  D.req = calloc(1, D.req_size);
  D.resp = calloc(1, D.resp_size);
  if (!D.req || !D.resp) die_step("denials", ENOMEM, NULL, "calloc(notification buffers)");
  (void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP); /* 6.6+; optional */
}

void denials_exec(void) { D.handoff_pid = 0; }

int denials_poll_fd(void) { return D.hung_up ? -1 : D.listener; }

void denials_set_answer(const void *prog, size_t len, int net_mode) {
  D.answer = prog;
  D.answer_len = len;
  D.net_mode = net_mode == NET_NONE ? DENIALS_NET_NONE : net_mode == NET_LOOPBACK ? DENIALS_NET_LOOPBACK : DENIALS_NET_HOST;
}

/* The argument that says what a refused call wanted: a number (socket family, ioctl request, clone flags, prctl
 * option) or, for a path syscall, the index of its path argument (read from the target's memory). */
struct arg_kind {
  int nr;
  int index;
  bool path;
};

static const struct arg_kind kinds[] = {
    {__NR_socket, 0, false}, {__NR_ioctl, 1, false}, {__NR_clone, 0, false}, {__NR_prctl, 0, false},
    {__NR_personality, 0, false}, {__NR_unshare, 0, false}, {__NR_openat, 1, true}, {__NR_mkdirat, 1, true},
    {__NR_unlinkat, 1, true}, {__NR_renameat2, 1, true}, {__NR_linkat, 1, true}, {__NR_symlinkat, 2, true},
    {__NR_fchmodat, 1, true}, {__NR_fchownat, 1, true}, {__NR_newfstatat, 1, true}, {__NR_statx, 1, true},
    {__NR_faccessat, 1, true}, {__NR_faccessat2, 1, true}, {__NR_execve, 0, true}, {__NR_execveat, 1, true},
    {__NR_mknodat, 1, true}, {__NR_chdir, 0, true}, {__NR_chroot, 0, true}, {__NR_readlinkat, 1, true},
    {__NR_utimensat, 1, true}, {__NR_truncate, 0, true}, {__NR_mount, 1, true}, {__NR_umount2, 0, true},
    {__NR_setxattr, 0, true}, {__NR_getxattr, 0, true}, {__NR_removexattr, 0, true}, {__NR_statfs, 0, true},
#if defined(__x86_64__)
    {__NR_open, 0, true}, {__NR_mkdir, 0, true}, {__NR_rmdir, 0, true}, {__NR_unlink, 0, true},
    {__NR_rename, 0, true}, {__NR_link, 0, true}, {__NR_symlink, 1, true}, {__NR_chmod, 0, true},
    {__NR_chown, 0, true}, {__NR_lchown, 0, true}, {__NR_stat, 0, true}, {__NR_lstat, 0, true},
    {__NR_access, 0, true}, {__NR_mknod, 0, true}, {__NR_readlink, 0, true}, {__NR_creat, 0, true},
    {__NR_renameat, 1, true},
#endif
};

/* A relative path made absolute against the directory it is relative to (the task's cwd, or its dirfd), as the
 * sandbox sees it: binds keep their host paths, so that is the path the user knows. */
static void absolute_path(pid_t pid, bool at_dirfd, uint64_t dirfd, char *path, size_t size) {
  if (!path[0] || path[0] == '/') return;
  char base[PATH_BYTES];
  if (!target_base_dir(pid, at_dirfd ? (int)dirfd : AT_FDCWD, base, sizeof base)) return; /* unknown: the path stays as the call gave it */
  char joined[PATH_BYTES];
  int len = snprintf(joined, sizeof joined, "%s%s%s", base, strcmp(base, "/") ? "/" : "", path);
  if (len > 0 && (size_t)len < size) memcpy(path, joined, (size_t)len + 1);
}

static void record(const struct seccomp_notif *req, int err, const char *address) {
  const struct seccomp_data *d = &req->data;
  struct denial key = {.arch = d->arch, .nr = d->nr, .err = err};
  if (address) {
    key.net = true;
    snprintf(key.path, sizeof key.path, "%s", address);
  } else if (d->arch == NATIVE_ARCH) {
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
      if (kinds[i].nr != d->nr) continue;
      if (kinds[i].path) {
        target_read_string((pid_t)req->pid, d->args[kinds[i].index], key.path, sizeof key.path);
        bool at = kinds[i].index > 0;
#ifdef __NR_symlink
        if (d->nr == __NR_symlink) at = false; /* symlink(target, linkpath): no dirfd */
#endif
        absolute_path((pid_t)req->pid, at, d->nr == __NR_symlinkat ? d->args[1] : d->args[0], key.path, sizeof key.path);
      } else {
        key.has_arg = true;
        key.arg = d->nr == __NR_clone ? d->args[0] : d->args[kinds[i].index] & 0xffffffffull; /* int arguments */
      }
      break;
    }
    /* The string may have been read after the task went away and its pid was reused: keep it only if the
     * notification is still the one we answer. */
  }
  if (key.path[0] && ioctl(D.listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0) {
    if (key.net) return; /* the address was read from another task: nothing to report */
    key.path[0] = '\0';
  }
  for (size_t i = 0; i < D.n; i++) {
    struct denial *x = &D.list[i];
    if (x->arch == key.arch && x->nr == key.nr && x->err == key.err && x->has_arg == key.has_arg && x->arg == key.arg && x->net == key.net &&
        strcmp(x->path, key.path) == 0) {
      x->count++;
      return;
    }
  }
  if (D.n == MAX_DENIALS) {
    D.dropped++;
    return;
  }
  key.count = 1;
  D.list[D.n++] = key;
}

void denials_handle(short revents) {
  if (revents & POLLIN) {
    memset(D.req, 0, D.req_size); /* RECV fails with EINVAL on a dirty buffer */
    if (ioctl(D.listener, SECCOMP_IOCTL_NOTIF_RECV, D.req) < 0) return; /* the task went away first */
    /* The profile's own answer for exactly this call (the program the runtime compiled, ERRNO intact). */
    long verdict = D.answer ? seccomp_run(D.answer, D.answer_len, &D.req->data) : -1;
    if (verdict >= 0 && ((uint32_t)verdict & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW) {
      /* A call the profile ALLOWS (copy B of denials_net.h): the namespace and Landlock decide, not us. Record where
       * it went, then let the kernel run it exactly as the ALLOW would have: CONTINUE only ever follows the
       * profile's own ALLOW for this very call. */
      char address[80];
      if (D.explain_file) learn_paths_record(D.listener, D.req);
      if (denials_net_call(&D.req->data) && denials_net_unreachable((pid_t)D.req->pid, &D.req->data, D.net_mode, address, sizeof address))
        record(D.req, 0, address);
      memset(D.resp, 0, D.resp_size);
      D.resp->id = D.req->id;
      D.resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      (void)ioctl(D.listener, SECCOMP_IOCTL_NOTIF_SEND, D.resp); /* ENOENT: the task died meanwhile */
      return;
    }
    int err = verdict >= 0 && ((uint32_t)verdict & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO
                  ? (int)((uint32_t)verdict & SECCOMP_RET_DATA)
                  : EPERM; /* only ERRNO answers were turned into notifications: not reached */
    const struct seccomp_data *d = &D.req->data;
    bool handoff = D.handoff_pid > 0 && (pid_t)D.req->pid == D.handoff_pid && d->arch == NATIVE_ARCH &&
                   d->nr == __NR_recvfrom && d->args[0] == (uint64_t)D.handoff_fd;
    if (handoff) D.handoff_pid = 0;
    else record(D.req, err, NULL);
    memset(D.resp, 0, D.resp_size);
    D.resp->id = D.req->id;
    D.resp->error = -err; /* refused as the profile says: never CONTINUE */
    /* ENOENT: the task died (was killed) while it waited: nothing to answer. */
    (void)ioctl(D.listener, SECCOMP_IOCTL_NOTIF_SEND, D.resp);
    return;
  }
  if (revents & (POLLHUP | POLLERR)) D.hung_up = true;
}

void denials_report(void) {
  /* Refused calls still waiting (a process of the sandbox other than the workload): answered and counted. */
  while (D.listener >= 0 && !D.hung_up) {
    struct pollfd p = {.fd = D.listener, .events = POLLIN};
    if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) break;
    denials_handle(p.revents);
  }
  for (size_t i = 0; i < D.n; i++) {
    const struct denial *x = &D.list[i];
    char path[PATH_BYTES * 6 + 1] = "", arg[32] = "";
    if (x->path[0]) json_escape(path, sizeof path, x->path);
    if (x->has_arg) snprintf(arg, sizeof arg, "%llu", (unsigned long long)x->arg);
    const char *key = x->net ? ",\"address\":\"" : ",\"path\":\"";
    status_event("\"event\":\"denial\",\"arch\":%u,\"nr\":%d,\"errno\":%d,\"count\":%llu%s%s%s%s%s%s", x->arch, x->nr,
                 x->err, (unsigned long long)x->count, x->has_arg ? ",\"arg\":\"" : "", arg, x->has_arg ? "\"" : "",
                 x->path[0] ? key : "", path, x->path[0] ? "\"" : "");
  }
  if (D.dropped) status_event("\"event\":\"denial\",\"arch\":0,\"nr\":-1,\"errno\":0,\"count\":%llu", (unsigned long long)D.dropped);
  if (D.explain_file) {
    /* The runtime made the file's folder (private, outside the sandbox); written once, at the end. */
    FILE *f = fopen(D.explain_file, "we");
    if (f) {
      fprintf(f, "{\"phantomExplain\":1,\"attached\":%s", D.listener >= 0 ? "true" : "false");
      learn_paths_write(f);
      fputs("}\n", f);
      fclose(f);
    } else {
      note("--explain: cannot write %s: %s", D.explain_file, errno_name(errno));
    }
    D.explain_file = NULL;
  }
  D.n = 0;
  D.dropped = 0;
}
