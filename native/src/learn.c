/*
 * Learn mode: record the syscalls of a workload (see learn.h for the hand-off, docs/learn-mode.md for the
 * recording format). CONTINUE is only ever answered here, for learning: an enforced run never has a listener.
 */
#define _GNU_SOURCE
#include "learn.h"
#include "learn_paths.h"

#include "channel.h"
#include "report.h"

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
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Linux 6.6: wake the supervisor on the CPU of the task that made the syscall (the task waits anyway), which
 * avoids a cross-CPU wake-up per syscall. Newer than the installed headers. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#define NATIVE_AUDIT_ARCH 0u
#endif

/* Syscalls whose risk is decided by one argument: that argument's values are recorded. */
struct decisive_arg {
  uint32_t arch;
  int nr;
  int index;
};

static const struct decisive_arg decisive[] = {
#ifdef __NR_socket
    {NATIVE_AUDIT_ARCH, __NR_socket, 0},      /* address family */
#endif
#ifdef __NR_clone
    {NATIVE_AUDIT_ARCH, __NR_clone, 0},       /* flags (x86_64, aarch64: argument 0) */
#endif
    {NATIVE_AUDIT_ARCH, __NR_ioctl, 1},       /* request */
    {NATIVE_AUDIT_ARCH, __NR_prctl, 0},       /* option */
    {NATIVE_AUDIT_ARCH, __NR_personality, 0}, /* persona */
#if defined(__x86_64__)
    /* The i386 compat ABI, reachable from an x86_64 host. */
    {AUDIT_ARCH_I386, 359, 0}, /* socket: family */
    {AUDIT_ARCH_I386, 102, 0}, /* socketcall: which call */
    {AUDIT_ARCH_I386, 120, 0}, /* clone: flags */
    {AUDIT_ARCH_I386, 54, 1},  /* ioctl: request */
    {AUDIT_ARCH_I386, 172, 0}, /* prctl: option */
    {AUDIT_ARCH_I386, 136, 0}, /* personality */
#endif
};
#define NDECISIVE (sizeof decisive / sizeof decisive[0])
/* Beyond this many distinct values of one argument the recording says "many" (no args rule is proposed). */
#define MAX_VALUES_PER_ARG 64

#define COUNT_SLOTS 4096 /* open addressing; a workload uses a few dozen (arch, nr) pairs */
struct count_slot {
  bool used;
  uint32_t arch;
  int32_t nr;
  uint64_t count;
};

struct value_slot {
  uint64_t value;
  uint64_t count;
};

static struct {
  bool enabled;
  int out_fd;             /* --learn FD */
  const char *out_path;   /* --learn FILE */
  int listener;           /* in the helper, after learn_attach */
  bool attached;
  bool hung_up;
  char attach_error[512];
  struct seccomp_notif *req;
  struct seccomp_notif_resp *resp;
  size_t req_size, resp_size;
  uint64_t notifications;
  uint64_t continue_failed; /* SEND answered ENOENT: the task died (killed) while its syscall waited */
  uint64_t start_ns, end_ns;
  struct count_slot counts[COUNT_SLOTS];
  size_t ncounts;
  struct value_slot values[NDECISIVE][MAX_VALUES_PER_ARG];
  size_t nvalues[NDECISIVE];
  bool many[NDECISIVE];
} L; /* zero-initialized: in .bss (see learn_defaults) */

/* The non-zero defaults, set at start-up rather than by an initializer: an initialized struct would sit in .data,
 * whose pages are mapped from the file (fault-around maps 64 KiB at each first touch) and counted in every waiting
 * zygote's resident memory; zero-initialized, its untouched pages cost nothing. */
__attribute__((constructor)) static void learn_defaults(void) {
  L.out_fd = -1;
  L.listener = -1;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void learn_configure(const char *arg) {
  L.enabled = true;
  char *end;
  errno = 0;
  long fd = strtol(arg, &end, 10);
  if (*arg && !*end && !errno && fd >= 0 && fd <= INT_MAX) {
    if (fcntl((int)fd, F_GETFD) < 0)
      die_step("arguments", errno, "pass an fd the caller opened, or a file path", "--learn %ld: fcntl(F_GETFD)", fd);
    L.out_fd = (int)fd;
    /* The helper marks fds from 3 up close-on-exec: this one must not reach the workload either. */
    (void)fcntl(L.out_fd, F_SETFD, FD_CLOEXEC);
  } else {
    L.out_path = arg;
  }
}

bool learn_enabled(void) { return L.enabled; }

int learn_install_listener(const char **failed_call) {
  /* The helper takes the listener with pidfd_getfd: an unprivileged helper may only do that to a dumpable
   * process (init made itself and thus us non-dumpable). The workload is about to execve, which makes it
   * dumpable again anyway; nothing else of the sandbox can use this. */
  if (prctl(PR_SET_DUMPABLE, 1) < 0) {
    *failed_call = "prctl(PR_SET_DUMPABLE, 1) for learn mode";
    return -1;
  }
  /* The listener takes the lowest free fd: find it now and tell the helper before installing the filter —
   * after it, our every syscall waits for the helper. Nothing opens an fd in between. */
  int probe = dup(0);
  if (probe < 0) probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (probe < 0) {
    *failed_call = "dup(0) to find the listener's fd number";
    return -1;
  }
  close(probe);
  if (!channel_send(report_child_channel(), MSG_LEARN, 0, probe, "learn", NULL)) {
    *failed_call = "send(MSG_LEARN) to the helper";
    return -1;
  }
  /* ONE instruction: every syscall of every architecture, every thread and every child is reported. */
  struct sock_filter filter[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)};
  struct sock_fprog prog = {.len = 1, .filter = filter};
  int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (fd < 0) {
    *failed_call = "seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER, notify-all)";
    return -1;
  }
  /* fd == probe here; it is close-on-exec (the kernel opens listeners O_CLOEXEC): the program never sees it.
   * Our next syscall — execve — is the first one recorded. */
  return 0;
}

/* Waits (bounded) until the workload has installed its filter, then duplicates its listener. */
void learn_attach(pid_t pid, int target_fd) {
  L.attached = true;
  if (pid <= 0) {
    snprintf(L.attach_error, sizeof L.attach_error, "the workload's host pid is unknown (/proc/<init>/task/<init>/children)");
    return;
  }
  int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0) {
    snprintf(L.attach_error, sizeof L.attach_error, "pidfd_open(%d): %s", (int)pid, errno_name(errno));
    return;
  }
  uint64_t deadline = now_ns() + 5000000000ull;
  for (;;) {
    int fd = (int)syscall(SYS_pidfd_getfd, pidfd, target_fd, 0);
    if (fd >= 0) {
      char link[64], target[128] = "";
      snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
      ssize_t n = readlink(link, target, sizeof target - 1);
      if (n > 0) target[n] = '\0';
      if (strstr(target, "seccomp")) {
        L.listener = fd;
        break;
      }
      close(fd); /* not the listener yet: something else held the number for a moment */
    } else if (errno != EBADF) {
      snprintf(L.attach_error, sizeof L.attach_error, "pidfd_getfd(pid %d, fd %d): %s — %s", (int)pid, target_fd,
               errno_name(errno),
               errno == EPERM ? "ptrace access to the workload was refused (Yama ptrace_scope 3, or an LSM)" : "cannot take the listener");
      break;
    }
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    if (poll(&p, 1, 0) > 0) {
      snprintf(L.attach_error, sizeof L.attach_error, "the workload exited before installing the learn filter");
      break;
    }
    if (now_ns() > deadline) {
      snprintf(L.attach_error, sizeof L.attach_error, "the workload did not install the learn filter within 5 s");
      break;
    }
    usleep(20);
  }
  close(pidfd);
  if (L.listener < 0) {
    /* Without the listener the workload would wait forever: fail the run instead of hanging it. */
    report_error("learn", EXIT_SETUP_FAILED, L.attach_error);
    kill(pid, SIGKILL);
    return;
  }
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
    die_step("learn", errno, NULL, "seccomp(SECCOMP_GET_NOTIF_SIZES)");
  /* The kernel's structs may be larger than our headers' (newer fields): size the buffers by the kernel. */
  L.req_size = sizes.seccomp_notif > sizeof *L.req ? sizes.seccomp_notif : sizeof *L.req;
  L.resp_size = sizes.seccomp_notif_resp > sizeof *L.resp ? sizes.seccomp_notif_resp : sizeof *L.resp;
  L.req = calloc(1, L.req_size);
  L.resp = calloc(1, L.resp_size);
  if (!L.req || !L.resp) die_step("learn", ENOMEM, NULL, "calloc(notification buffers)");
  /* Ignored on failure: kernels before 6.6 lack it; recording works the same, a little slower. */
  (void)ioctl(L.listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
  L.start_ns = now_ns();
}

int learn_poll_fd(void) { return L.hung_up ? -1 : L.listener; }

static void count(uint32_t arch, int32_t nr) {
  uint64_t h = ((uint64_t)arch * 0x9E3779B97F4A7C15ull) ^ (uint64_t)(uint32_t)nr * 0xC2B2AE3D27D4EB4Full;
  for (size_t i = 0, at = (size_t)(h % COUNT_SLOTS); i < COUNT_SLOTS; i++, at = (at + 1) % COUNT_SLOTS) {
    struct count_slot *s = &L.counts[at];
    if (!s->used) {
      *s = (struct count_slot){.used = true, .arch = arch, .nr = nr, .count = 1};
      L.ncounts++;
      return;
    }
    if (s->arch == arch && s->nr == nr) {
      s->count++;
      return;
    }
  }
}

static void record_args(const struct seccomp_data *d) {
  for (size_t i = 0; i < NDECISIVE; i++) {
    if (decisive[i].arch != d->arch || decisive[i].nr != d->nr) continue;
    uint64_t v = d->args[decisive[i].index];
    /* 32-bit ABIs pass 32-bit arguments: the upper half of the register is not the caller's. */
    if (d->arch == AUDIT_ARCH_I386) v &= 0xffffffffull;
    size_t n = L.nvalues[i];
    size_t j = 0;
    while (j < n && L.values[i][j].value != v) j++;
    if (j < n) L.values[i][j].count++;
    else if (n < MAX_VALUES_PER_ARG) L.values[i][L.nvalues[i]++] = (struct value_slot){v, 1};
    else L.many[i] = true;
  }
}

void learn_handle(short revents) {
  if (revents & POLLIN) {
    memset(L.req, 0, L.req_size); /* RECV fails with EINVAL on a dirty buffer */
    if (ioctl(L.listener, SECCOMP_IOCTL_NOTIF_RECV, L.req) == 0) {
      L.notifications++;
      count(L.req->data.arch, L.req->data.nr);
      record_args(&L.req->data);
      learn_paths_record(L.listener, L.req); /* the path and port arguments, read while the task waits */
      memset(L.resp, 0, L.resp_size);
      L.resp->id = L.req->id;
      L.resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE; /* learning only: the syscall runs as without a filter */
      if (ioctl(L.listener, SECCOMP_IOCTL_NOTIF_SEND, L.resp) < 0) {
        if (errno == ENOENT) L.continue_failed++; /* the task died while it waited (e.g. killed): nothing to answer */
      }
    }
    /* RECV: ENOENT/EINTR mean the waiting task went away before we read it; the next poll tells what is left. */
    return;
  }
  if (revents & (POLLHUP | POLLERR)) {
    /* Every task using the filter has exited and been reaped. */
    L.hung_up = true;
    L.end_ns = now_ns();
  }
}

static int cmp_slots(const void *a, const void *b) {
  const struct count_slot *x = a, *y = b;
  if (x->arch != y->arch) return x->arch < y->arch ? -1 : 1;
  return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static int cmp_values(const void *a, const void *b) {
  const struct value_slot *x = a, *y = b;
  return x->value < y->value ? -1 : x->value > y->value;
}

void learn_finish(int exit_code) {
  if (!L.enabled) return;
  if (!L.end_ns) L.end_ns = now_ns();
  FILE *f = NULL;
  if (L.out_fd >= 0) f = fdopen(L.out_fd, "w");
  else if (L.out_path) f = fopen(L.out_path, "we");
  if (!f) {
    char text[PATH_MAX + 128];
    snprintf(text, sizeof text, "cannot write the recording to %s: %s", L.out_path ? L.out_path : "--learn fd", errno_name(errno));
    report_error("learn", EXIT_SETUP_FAILED, text);
    return;
  }
  struct count_slot *sorted = malloc(sizeof L.counts);
  size_t n = 0;
  if (sorted) {
    for (size_t i = 0; i < COUNT_SLOTS; i++)
      if (L.counts[i].used) sorted[n++] = L.counts[i];
    qsort(sorted, n, sizeof *sorted, cmp_slots);
  }
  char err[1100] = "";
  json_escape(err, sizeof err, L.attach_error);
  fprintf(f, "{\"phantomLearnRecording\":1,\"nativeArch\":%u,\"attached\":%s,\"exitStatus\":%d,\"notifications\":%llu,"
             "\"diedWaiting\":%llu,\"recordUs\":%llu%s%s%s,\n\"syscalls\":[",
          NATIVE_AUDIT_ARCH, L.listener >= 0 ? "true" : "false", exit_code, (unsigned long long)L.notifications,
          (unsigned long long)L.continue_failed, (unsigned long long)(L.start_ns ? (L.end_ns - L.start_ns) / 1000 : 0),
          err[0] ? ",\"error\":\"" : "", err, err[0] ? "\"" : "");
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%s\n{\"arch\":%u,\"nr\":%d,\"count\":%llu}", i ? "," : "", sorted[i].arch, sorted[i].nr,
            (unsigned long long)sorted[i].count);
  fputs("],\n\"args\":[", f);
  bool first = true;
  for (size_t i = 0; i < NDECISIVE; i++) {
    if (!L.nvalues[i]) continue;
    qsort(L.values[i], L.nvalues[i], sizeof L.values[i][0], cmp_values);
    fprintf(f, "%s\n{\"arch\":%u,\"nr\":%d,\"index\":%d,\"many\":%s,\"values\":[", first ? "" : ",", decisive[i].arch,
            decisive[i].nr, decisive[i].index, L.many[i] ? "true" : "false");
    first = false;
    for (size_t j = 0; j < L.nvalues[i]; j++)
      /* As strings: 64-bit values do not survive a JSON number in every reader. */
      fprintf(f, "%s[\"%llu\",%llu]", j ? "," : "", (unsigned long long)L.values[i][j].value,
              (unsigned long long)L.values[i][j].count);
    fputs("]}", f);
  }
  fputs("]", f);
  learn_paths_write(f);
  fputs("}\n", f);
  free(sorted);
  if (fclose(f) != 0) report_error("learn", EXIT_SETUP_FAILED, "writing the recording failed (disk full?)");
}
