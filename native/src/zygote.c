/*
 * Zygote mode: the sandbox is made before the command is known and waits for it (see zygote.h for the
 * request format, docs/zygotes.md for the whole design).
 *
 * Helper side (zygote_wait_for_request): after MSG_GO it forwards the child's setup notes, reports
 * {"event":"ready"} once the sandbox waits, then polls the control socket, the sync channel (a sandbox that
 * dies while waiting) and the signal fd. Sandbox side (zygote_await_command, in the primed workload that init
 * started ahead of time, init.c): reports readiness and blocks in recv() on the sync channel. The workload
 * shares init's memory until its execve, so the waiting sandbox costs one address space besides the helper's.
 *
 * Why the helper reads the request and not the sandbox: the control socket leads to the runtime, and nothing
 * inside the sandbox should hold a descriptor of the runtime's; the sandbox only ever sees the sync channel.
 */
#define _GNU_SOURCE
#include "zygote.h"
#include "audit_landlock.h"
#include "denials.h"

#include "channel.h"
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The child's "setup done, waiting" message on the sync channel. A value outside enum msg_type (channel.h)
 * so the cold path's supervisor, which ignores unknown types, never confuses it with its own messages. */
#define MSG_ZYGOTE_READY 64u
/* Largest request accepted: argv and environment of one command (the kernel's own limit is ARG_MAX-ish). */
#define MAX_REQUEST (1u << 20)

static int control_fd = -1;
static bool enabled;

void zygote_configure(int fd) {
  control_fd = fd;
  enabled = true;
}

bool zygote_enabled(void) { return enabled; }

/*
 * A waiting zygote's resident set is mostly pages it shares with every other process: the text and read-only
 * data of the helper (and of libc and ld.so in a dynamic build), mapped from the page cache. They cost the
 * machine nothing extra, but VmRSS counts them in each process. Before sleeping, each waiting process unmaps
 * such pages: every read-only, file-backed mapping WITHOUT anonymous (copy-on-write) pages — MADV_DONTNEED on it
 * only drops page-table entries, and the next touch faults the identical page back in from the page cache (a
 * minor fault, µs; measured by `phantom bench --spawn`). Whatever runs between the shedding and the sleep faults
 * its pages back (fault-around maps 64 KiB at a time), so that stretch is kept to a loop, a write and a wait. Mappings
 * with anonymous pages (RELRO after relocation, .data) are left alone: dropping them would lose their contents.
 * Also dropped: the stack below the current frame (dead: it only held finished calls' frames) and the free
 * memory of the heap (malloc_trim). Best effort: any failure just leaves the pages mapped.
 */
#define MAX_SHED 64
static void shed_shared_pages(int fd) {
  if (fd < 0) return; /* no proc: nothing shed */
  struct { unsigned long start, end; } ranges[MAX_SHED];
  size_t nranges = 0;
  unsigned long stack_start = 0;
  char buf[4096], line[512];
  size_t linelen = 0;
  unsigned long start = 0, end = 0;
  bool candidate = false;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] != '\n') {
        if (linelen < sizeof line - 1) line[linelen++] = buf[i];
        continue;
      }
      line[linelen] = '\0';
      linelen = 0;
      char perms[8];
      unsigned long a, b, inode = 0, kb = 0;
      if (sscanf(line, "%lx-%lx %7s %*s %*s %lu", &a, &b, perms, &inode) == 4) {
        /* read-only (no w), private, backed by a file (inode != 0) */
        start = a;
        end = b;
        candidate = perms[1] == '-' && perms[3] == 'p' && inode != 0;
        if (strstr(line, "[stack]")) stack_start = a;
      } else if (candidate && sscanf(line, "Anonymous: %lu kB", &kb) == 1) {
        if (kb == 0 && nranges < MAX_SHED) {
          ranges[nranges].start = start;
          ranges[nranges++].end = end;
        }
        candidate = false;
      }
    }
  }
  close(fd);
  malloc_trim(0);
  /* Everything computed before the first page goes: after it, only this loop and madvise run. Two pages of margin
   * below this frame: what madvise and the wait that follows push is refaulted as zeros. */
  unsigned long page = (unsigned long)sysconf(_SC_PAGESIZE);
  unsigned long below = ((unsigned long)__builtin_frame_address(0) & ~(page - 1)) - 2 * page;
  if (stack_start && below > stack_start) (void)madvise((void *)stack_start, below - stack_start, MADV_DONTNEED);
  for (size_t i = 0; i < nranges; i++) (void)madvise((void *)ranges[i].start, ranges[i].end - ranges[i].start, MADV_DONTNEED);
}

/* Parses the request items into cfg. The buffer stays allocated for the process's life (argv points into it).
 * Returns NULL on success, else what is wrong with the request. */
static const char *parse_request(struct sandbox_config *cfg, char *buf, size_t len) {
  size_t nargs = 0;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
    if (buf[i] == 'a') nargs++;
  if (len == 0 || buf[len - 1] != '\0') return "the request does not end with a NUL byte";
  if (nargs == 0) return "the request has no command";
  char **argv = calloc(nargs + 1, sizeof *argv);
  if (!argv) return "out of memory for the request's argv";
  size_t a = 0;
  cfg->nenv = 0;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) {
    char *item = buf + i;
    char *value = item + 1;
    switch (item[0]) {
      case 'a': argv[a++] = value; break;
      case 'e':
        if (!strchr(value, '=') || value[0] == '=') return "an environment entry is not KEY=VALUE";
        if (cfg->nenv == MAX_ENV) return "too many environment entries (at most 256)";
        cfg->envp[cfg->nenv++] = value;
        break;
      case 't': {
        char *end;
        double s = strtod(value, &end);
        if (end == value || *end || !(s >= 0)) return "the wall-time limit is not a number of seconds";
        cfg->timeout_seconds = s;
        break;
      }
      case 'c': {
        char *end;
        unsigned long long s = strtoull(value, &end, 10);
        if (end == value || *end) return "the CPU-time limit is not a whole number of seconds";
        cfg->cpu_seconds = s;
        break;
      }
      default: return "an item with an unknown tag";
    }
  }
  argv[a] = NULL;
  cfg->envp[cfg->nenv] = NULL;
  if (!strchr(argv[0], '/')) return "the command is not a path: the sandbox has no PATH lookup";
  cfg->argv = argv;
  return NULL;
}

static bool read_full(int fd, void *buf, size_t len) {
  char *p = buf;
  while (len > 0) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

/* The sandbox is no longer wanted (retired, or the runtime is gone): no status, exit 0. SIGKILL to PID 1
 * of the namespace kills everything in it; the wait makes sure it is gone before the helper is. */
__attribute__((noreturn)) static void retire(pid_t child) {
  kill(child, SIGKILL);
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
  exit(0);
}

/* The child died or failed before the command: forwards its error (if any) and exits 125. */
__attribute__((noreturn)) static void setup_failed(pid_t child, const struct msg *m) {
  if (m) report_error(m->step, m->code ? m->code : EXIT_SETUP_FAILED, m->text);
  else report_error("zygote", EXIT_SETUP_FAILED, "zygote: the sandbox init died while waiting for a command");
  kill(child, SIGKILL);
  while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
  exit(EXIT_SETUP_FAILED);
}

/* Waits for MSG_ZYGOTE_READY, forwarding notes; a setup error ends the helper (125) as on the cold path.
 * Returns the message's value: 1 when the workload installed its seccomp filter before waiting. */
static int wait_until_ready(int sync_fd, int signal_fd, pid_t child) {
  /* The control socket is watched for a hang-up only (events 0): a request that arrives early stays queued
   * until the sandbox is ready. */
  struct pollfd pfd[3] = {{.fd = sync_fd, .events = POLLIN}, {.fd = control_fd, .events = 0}, {.fd = signal_fd, .events = POLLIN}};
  for (;;) {
    if (poll(pfd, 3, -1) < 0) {
      if (errno == EINTR) continue;
      die_step("zygote", errno, NULL, "poll(sync, control, signals)");
    }
    if (pfd[2].revents & POLLIN) retire(child); /* INT/TERM/HUP/QUIT before any command: nothing to run */
    if (pfd[1].revents & (POLLHUP | POLLERR)) retire(child);
    if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    struct msg m;
    int r = channel_recv(sync_fd, &m);
    if (r <= 0) setup_failed(child, NULL);
    if (m.type == MSG_ZYGOTE_READY) {
      audit_landlock_workload_of(child); /* the primed workload waits for its command: alive */
      return m.value;
    }
    if (m.type == MSG_DENIALS) denials_attach(0, -1, channel_take_fd(), sync_fd, -1); /* a primed workload's filter (denials.h) */
    if (m.type == MSG_NOTE) note("%s", m.text);
    else if (m.type == MSG_ERROR) setup_failed(child, &m);
  }
}

uint64_t zygote_wait_for_request(struct sandbox_config *cfg, int sync_fd, int signal_fd, pid_t child, uint64_t t0) {
  /* The runtime's end of the control socket closes when it exits (end of file retires the zygote, also when
   * the runtime died before this point); the parent-death signal also covers a runtime whose socket is still
   * held open elsewhere. No getppid() check: a runtime may itself be PID 1 of a container. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die_step("zygote", errno, NULL, "prctl(PR_SET_PDEATHSIG, SIGKILL)");

  int filter_installed = wait_until_ready(sync_fd, signal_fd, child);
  /* Shed first, then "ready" (formatted before, so that only a write runs in between): a zygote the runtime
   * counts as ready is already as small as it gets. */
  char ready[160];
  size_t ready_len = status_format(ready, sizeof ready, "\"event\":\"ready\",\"setupUs\":%llu,\"initPid\":%d,\"filterInstalled\":%s",
                                   (unsigned long long)(monotonic_us() - t0), (int)child, filter_installed ? "true" : "false");
  shed_shared_pages(open("/proc/self/smaps", O_RDONLY | O_CLOEXEC));
  status_write(ready, ready_len);

  struct pollfd pfd[3] = {{.fd = control_fd, .events = POLLIN}, {.fd = sync_fd, .events = POLLIN}, {.fd = signal_fd, .events = POLLIN}};
  for (;;) {
    if (poll(pfd, 3, -1) < 0) {
      if (errno == EINTR) continue;
      die_step("zygote", errno, NULL, "poll(control, sync, signals)");
    }
    if (pfd[2].revents & POLLIN) retire(child);
    if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      struct msg m;
      int r = channel_recv(sync_fd, &m);
      if (r <= 0 || m.type == MSG_ERROR) setup_failed(child, r > 0 ? &m : NULL);
      if (m.type == MSG_NOTE) note("%s", m.text);
      if (m.type == MSG_DENIALS) denials_attach(0, -1, channel_take_fd(), sync_fd, -1);
    }
    if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) break;
  }

  uint32_t len;
  if (!read_full(control_fd, &len, sizeof len)) retire(child); /* end of file: the pool retired this zygote */
  uint64_t started = monotonic_us();
  if (len == 0 || len > MAX_REQUEST)
    die_step("zygote_request", 0, "the runtime and the helper disagree on the request format: rebuild both",
             "request of %u bytes (1..%u expected)", len, MAX_REQUEST);
  char *buf = malloc(len);
  if (!buf) die_step("zygote_request", ENOMEM, NULL, "malloc(%u)", len);
  if (!read_full(control_fd, buf, len)) retire(child);
  const char *bad = parse_request(cfg, buf, len);
  if (bad) die_step("zygote_request", 0, "the runtime and the helper disagree on the request format: rebuild both", "%s", bad);
  /* To the waiting workload first (it starts at once), then "accepted" to the runtime, which kills a zygote
   * that does not answer within ACCEPT_TIMEOUT_MS (zygoteManager.ts). */
  ssize_t n;
  do n = send(sync_fd, buf, len, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)len)
    die_step("zygote_request", n < 0 ? errno : EIO,
             n < 0 && errno == EMSGSIZE ? "argv and environment together exceed the socket's packet size" : NULL,
             "send(sync channel, request of %u bytes)", len);
  status_event("\"event\":\"accepted\"");
  close(control_fd); /* one zygote, one run: nothing more arrives */
  control_fd = -1;
  return started;
}

void zygote_close_control(void) {
  if (control_fd >= 0) close(control_fd);
  control_fd = -1;
}

void zygote_shed_pages(int smaps_fd) { shed_shared_pages(smaps_fd); }

void zygote_await_command(struct sandbox_config *cfg, int sync_fd) {
  struct msg ready = {.type = MSG_ZYGOTE_READY, .value = cfg->seccomp_installed};
  ssize_t n;
  do n = send(sync_fd, &ready, sizeof ready, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)sizeof ready) _exit(EXIT_SETUP_FAILED);

  /* Size first (MSG_TRUNC reports the whole packet), then the packet itself. */
  do n = recv(sync_fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
  while (n < 0 && errno == EINTR);
  if (n <= 0) _exit(EXIT_SETUP_FAILED); /* the helper is gone (init and everything here follow) */
  size_t len = (size_t)n;
  char *buf = malloc(len);
  if (!buf) die_step("zygote_request", ENOMEM, NULL, "malloc(%zu)", len);
  do n = recv(sync_fd, buf, len, 0);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t)len) _exit(EXIT_SETUP_FAILED);
  const char *bad = parse_request(cfg, buf, len);
  if (bad) die_step("zygote_request", 0, NULL, "%s", bad); /* the helper checked it already */
}
