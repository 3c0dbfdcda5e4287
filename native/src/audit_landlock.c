/*
 * Landlock's own denial records (Landlock ABI 7, Linux 6.15+), read from the kernel's audit stream: exact Landlock
 * refusals without --explain (docs/sandbox.md, "Denials").
 *
 * Only where the system already allows it: audit enabled (AUDIT_GET enabled >= 1) and the read-log multicast group
 * joinable (CAP_AUDIT_READ in the initial user namespace). The helper never changes the audit settings. Then, before
 * the clone:
 *   - a NETLINK_AUDIT socket joins AUDIT_NLGRP_READLOG (every audit record of the system is multicast there);
 *   - the workload's landlock_restrict_self calls get LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF |
 *     LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (linux/landlock.h): nothing the helper's own code does before execve is
 *     logged, everything the command (and what it starts) is refused is.
 * The records kept are the run's: AUDIT_LANDLOCK_DOMAIN "domain=ID status=allocated ... pid=P" names the process
 * that restricted itself; only domains whose P is the workload's (host) pid count, and AUDIT_LANDLOCK_ACCESS
 * "domain=ID blockers=fs.read_file path=..." records of those domains become "denial" status events with kind
 * "landlock". The domain record comes with a domain's first denial, so records are kept until the pid is known.
 * Without audit: no socket, no flags — nothing changes.
 */
#define _GNU_SOURCE
#include "audit_landlock.h"
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#endif
#define AUDIT_GET_TYPE 1000
#define AUDIT_LANDLOCK_ACCESS 1423
#define AUDIT_LANDLOCK_DOMAIN 1424
#define NLGRP_READLOG 1
#define LL_LOG_SAME_EXEC_OFF (1U << 0)
#define LL_LOG_NEW_EXEC_ON (1U << 1)

#define MAX_ACCESS 128
#define MAX_DOMAINS 64
#define TEXT_BYTES 512

struct ll_access {
  uint64_t domain;
  char path[TEXT_BYTES];
  char blockers[128];
  uint64_t count;
};

static struct {
  int fd;
  bool on;
  long pid; /* the workload's host pid, once known */
  bool execed; /* the command runs: before, an overflow loses only records of others (a zygote waits unread) */
  struct ll_access list[MAX_ACCESS];
  size_t n;
  uint64_t dropped;
  struct { uint64_t id; long pid; bool ours; bool freed; } domains[MAX_DOMAINS];
  char exe[4096]; /* this helper: the process that restricts itself is the workload before its execve */
  size_t ndomains;
} A; /* zero-initialized: in .bss (see audit_defaults) */

/* The non-zero defaults, set at start-up rather than by an initializer: an initialized struct would sit in .data,
 * whose pages are mapped from the file (fault-around maps 64 KiB at each first touch) and counted in every waiting
 * zygote's resident memory; zero-initialized, its untouched pages cost nothing. */
__attribute__((constructor)) static void audit_defaults(void) {
  A.fd = -1;
}

/* audit_status.enabled (its second field), or -1 when it cannot be asked. */
static int audit_enabled_now(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return -1;
  struct nlmsghdr req = {.nlmsg_len = NLMSG_LENGTH(0), .nlmsg_type = AUDIT_GET_TYPE, .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1};
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  int result = -1;
  if (sendto(fd, &req, req.nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) >= 0) {
    for (int tries = 0; tries < 4 && result < 0; tries++) {
      struct pollfd p = {.fd = fd, .events = POLLIN};
      if (poll(&p, 1, 1000) <= 0) break;
      char buf[8192];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      bool failed = false;
      for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type == NLMSG_ERROR && ((const struct nlmsgerr *)NLMSG_DATA(h))->error) failed = true;
        if (h->nlmsg_type == AUDIT_GET_TYPE && h->nlmsg_len >= NLMSG_LENGTH(2 * sizeof(uint32_t)))
          result = (int)((const uint32_t *)NLMSG_DATA(h))[1];
      }
      if (failed) break;
    }
  }
  close(fd);
  return result;
}

void audit_landlock_open(bool wanted) {
  if (!wanted || syscall(SYS_landlock_create_ruleset, NULL, 0, 1U /* VERSION */) < 7 || audit_enabled_now() < 1) return;
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
  if (fd < 0) return;
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1u << (NLGRP_READLOG - 1)};
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    close(fd);
    return; /* no CAP_AUDIT_READ: the inferred route (--explain) stays */
  }
  int size = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size); /* best effort: a busy system's records */
  ssize_t len = readlink("/proc/self/exe", A.exe, sizeof A.exe - 1);
  A.exe[len > 0 ? len : 0] = '\0';
  A.fd = fd;
  A.on = true;
}

unsigned int audit_landlock_restrict_flags(void) { return A.on ? LL_LOG_SAME_EXEC_OFF | LL_LOG_NEW_EXEC_ON : 0; }

int audit_landlock_poll_fd(void) { return A.fd; }

void audit_landlock_child(void) {
  if (A.fd >= 0) close(A.fd); /* the sandbox never holds it (it is close-on-exec as well) */
  A.fd = -1;
}

/* The workload is init's only child; asked while it is sure to be alive (it waits for the helper's hand-off of
 * its denial listener, or, primed in a zygote, for its command), since a short command may be gone by MSG_EXEC. */
void audit_landlock_workload_of(pid_t init) {
  if (!A.on || A.pid > 0) return;
  char path[64], buf[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)init, (int)init);
  if (read_small_file(path, buf, sizeof buf) < 0) return;
  long pid = strtol(buf, NULL, 10);
  if (pid > 0) A.pid = pid;
}

void audit_landlock_exec(pid_t init) {
  audit_landlock_workload_of(init);
  A.execed = true;
}

/* The value of `key=` in an audit record: quoted, hex-encoded (a string with unusual bytes), or bare. */
static bool field(const char *text, const char *key, char *out, size_t outsz) {
  size_t klen = strlen(key);
  for (const char *p = text; (p = strstr(p, key)); p += klen) {
    if ((p != text && p[-1] != ' ') || p[klen] != '=') continue;
    const char *v = p + klen + 1;
    size_t n = 0;
    if (*v == '"') {
      for (v++; *v && *v != '"' && n + 1 < outsz; v++) out[n++] = *v;
    } else {
      const char *end = v + strcspn(v, " \n");
      bool hex = (end - v) % 2 == 0 && end > v && strspn(v, "0123456789ABCDEF") == (size_t)(end - v);
      if (hex && (strcmp(key, "path") == 0 || strcmp(key, "name") == 0 || strcmp(key, "exe") == 0)) {
        for (; v + 1 < end && n + 1 < outsz; v += 2) {
          unsigned int c;
          if (sscanf(v, "%2X", &c) != 1) break;
          out[n++] = (char)c;
        }
      } else {
        for (; v < end && n + 1 < outsz; v++) out[n++] = *v;
      }
    }
    out[n] = '\0';
    return true;
  }
  return false;
}

static bool run_domain(uint64_t id);

/* A domain whose allocation was seen and that is not the run's (the workload's pid known by then). */
static bool known_foreign(uint64_t id) {
  if (A.pid <= 0) return false;
  for (size_t i = 0; i < A.ndomains; i++)
    if (A.domains[i].id == id) return !run_domain(id);
  return false;
}

/*
 * The table of domains is full (a workload can make many, or other sandboxes run): the place of one that is not the
 * run's — a freed one first — is taken, and its refusals kept so far go with it (they are not the run's either, and
 * left unknown they could not give their places up). MAX_DOMAINS when every domain is the run's.
 */
static size_t forget_foreign_domain(void) {
  size_t slot = MAX_DOMAINS;
  for (size_t i = 0; i < A.ndomains; i++) {
    if (run_domain(A.domains[i].id) || A.pid <= 0) continue;
    if (slot == MAX_DOMAINS || A.domains[i].freed) slot = i;
    if (A.domains[i].freed) break;
  }
  if (slot == MAX_DOMAINS) return slot;
  size_t kept = 0;
  for (size_t i = 0; i < A.n; i++)
    if (A.list[i].domain != A.domains[slot].id) A.list[kept++] = A.list[i];
  A.n = kept;
  return slot;
}

static void take_record(int type, const char *text) {
  char dom[32], buf[TEXT_BYTES];
  if (!field(text, "domain", dom, sizeof dom)) return;
  uint64_t id = strtoull(dom, NULL, 16);
  if (type == AUDIT_LANDLOCK_DOMAIN) {
    if (!field(text, "status", buf, sizeof buf)) return;
    if (strcmp(buf, "deallocated") == 0) {
      for (size_t i = 0; i < A.ndomains; i++)
        if (A.domains[i].id == id) A.domains[i].freed = true;
      return;
    }
    if (strcmp(buf, "allocated") != 0 || !field(text, "pid", buf, sizeof buf)) return;
    long pid = strtol(buf, NULL, 10);
    char exe[sizeof A.exe];
    /* The restricting process was this helper's code (pid and executable): a recycled pid of another Landlock user
     * on the host does not pass for the run's. */
    bool same_exe = field(text, "exe", exe, sizeof exe) && strcmp(exe, A.exe) == 0;
    size_t slot = A.ndomains < MAX_DOMAINS ? A.ndomains++ : forget_foreign_domain();
    if (slot == MAX_DOMAINS) return; /* every one is the run's */
    A.domains[slot].id = id;
    A.domains[slot].pid = same_exe ? pid : -1;
    A.domains[slot].freed = false;
    return;
  }
  char blockers[128], path[TEXT_BYTES] = "";
  if (!field(text, "blockers", blockers, sizeof blockers)) return;
  if (!field(text, "path", path, sizeof path)) field(text, "name", path, sizeof path);
  for (size_t i = 0; i < A.n; i++) {
    struct ll_access *x = &A.list[i];
    if (x->domain == id && strcmp(x->path, path) == 0 && strcmp(x->blockers, blockers) == 0) {
      x->count++;
      return;
    }
  }
  /* A refusal by a domain known not to be the run's (one the workload nested, or another sandbox's) is never kept:
   * a workload that floods refusals in a nested domain of its own must not crowd the run's out of the list. When the
   * list is full, such an entry (known foreign by now) gives its place up to one that may be the run's. */
  if (known_foreign(id)) return;
  size_t slot = A.n;
  if (A.n == MAX_ACCESS) {
    for (slot = 0; slot < A.n && !known_foreign(A.list[slot].domain); slot++) {}
    if (slot == A.n) {
      A.dropped++;
      return;
    }
  } else {
    A.n++;
  }
  struct ll_access *x = &A.list[slot];
  x->domain = id;
  snprintf(x->path, sizeof x->path, "%s", path);
  snprintf(x->blockers, sizeof x->blockers, "%s", blockers);
  x->count = 1;
}

void audit_landlock_handle(void) {
  char buf[16384];
  for (;;) {
    ssize_t n = recv(A.fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ENOBUFS) {
      if (A.execed) note("Landlock audit records: the socket overflowed (a busy audit stream), some refusals may be missing");
      continue;
    }
    if (n <= 0) return;
    /* One record per datagram. Its nlmsg_len is the payload's length, not the message's (the kernel's
     * audit_log_end has always set it so), so the NLMSG_* walk does not apply: the datagram's size is the bound. */
    if ((size_t)n <= NLMSG_HDRLEN) continue;
    buf[n] = '\0';
    const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
    if (h->nlmsg_type == AUDIT_LANDLOCK_ACCESS || h->nlmsg_type == AUDIT_LANDLOCK_DOMAIN) take_record(h->nlmsg_type, buf + NLMSG_HDRLEN);
  }
}

static bool run_domain(uint64_t id) {
  for (size_t i = 0; i < A.ndomains; i++)
    if (A.domains[i].id == id) return A.pid > 0 && A.domains[i].pid == A.pid;
  return false;
}

/* Whether every domain of the run has been freed (its "deallocated" record follows its last denial's). */
static bool run_domains_freed(void) {
  for (size_t i = 0; i < A.ndomains; i++)
    if (run_domain(A.domains[i].id) && !A.domains[i].freed) return false;
  return true;
}

void audit_landlock_report(void) {
  if (A.fd < 0) return;
  /* kauditd sends the records a moment after the refusal: what is queued is read after a short wait, and while a
   * domain of the run that refused something is not freed yet (its last records may still come), a while longer. */
  uint64_t until = monotonic_us() + 250000;
  struct pollfd p = {.fd = A.fd, .events = POLLIN};
  while (poll(&p, 1, 20) > 0 || (!run_domains_freed() && monotonic_us() < until)) audit_landlock_handle();
  for (size_t i = 0; i < A.n; i++) {
    const struct ll_access *x = &A.list[i];
    if (!run_domain(x->domain)) continue;
    char path[TEXT_BYTES * 6 + 1], blockers[256];
    json_escape(path, sizeof path, x->path);
    json_escape(blockers, sizeof blockers, x->blockers);
    status_event("\"event\":\"denial\",\"kind\":\"landlock\",\"path\":\"%s\",\"access\":\"%s\",\"count\":%llu", path, blockers,
                 (unsigned long long)x->count);
  }
  if (A.dropped > 0)
    note("Landlock audit records: %llu refusals beyond the first %d distinct ones were not itemised: some of the run's may be missing",
         (unsigned long long)A.dropped, MAX_ACCESS);
  close(A.fd);
  A.fd = -1;
}
