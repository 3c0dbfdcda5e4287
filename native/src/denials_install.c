/*
 * Denial reporting, the workload's side (denials.h): the installed copy of the profile's program, whose refusals
 * notify the helper, and the hand-off of its listener. Runs in the sandbox, before the command's execve.
 */
#define _GNU_SOURCE
#include "denials.h"
#include "denials_arch.h"
#include "denials_net.h"

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


/* ---- in the workload ---- */

/* The installed copy: every ERRNO answer but ENOSYS becomes USER_NOTIF. libseccomp emits only `RET K`. */
static struct sock_filter *notify_copy(const struct sandbox_config *cfg) {
  struct sock_filter *p = malloc(cfg->seccomp_len * sizeof *p);
  if (!p) return NULL;
  memcpy(p, cfg->seccomp_filter, cfg->seccomp_len * sizeof *p);
  for (size_t i = 0; i < cfg->seccomp_len; i++) {
    if (p[i].code != (BPF_RET | BPF_K)) continue;
    if ((p[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO && (p[i].k & SECCOMP_RET_DATA) != ENOSYS)
      p[i].k = SECCOMP_RET_USER_NOTIF;
  }
  return p;
}

static int install(struct sandbox_config *cfg, const struct sock_filter *prog, size_t len, unsigned int extra_flags) {
  struct sock_fprog fprog = {.len = (unsigned short)len, .filter = (struct sock_filter *)prog};
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, cfg->seccomp_flags | extra_flags, &fprog);
}

static bool send_listener(int sync_fd, int listener) {
  struct msg m;
  memset(&m, 0, sizeof m);
  m.type = MSG_DENIALS;
  m.value = -1;
  struct iovec iov = {.iov_base = &m, .iov_len = sizeof m};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } ctl;
  memset(&ctl, 0, sizeof ctl);
  struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &listener, sizeof listener);
  ssize_t n;
  do n = sendmsg(sync_fd, &mh, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t)sizeof m;
}

/* Whether the cold hand-off's wait (recv on the sync channel, after the install) really waits for the helper under
 * the profile: it is allowed, or refused with an errno other than ENOSYS (notified, so the helper answers it). A
 * profile that kills it (a KILL or TRAP default) would kill the workload before its execve. */
static bool wait_survives(const struct sandbox_config *cfg) {
  long v = seccomp_verdict((const struct sock_filter *)cfg->seccomp_filter, cfg->seccomp_len, __NR_recvfrom, NATIVE_ARCH);
  if (v < 0) return false; /* depends on the arguments: not worth the risk */
  uint32_t action = (uint32_t)v & SECCOMP_RET_ACTION_FULL;
  /* An ENOSYS answer stays plain ERRNO in the notifying copy: the recv would not wait for the helper to take the
   * listener, the execve would close it first, and every notified call would then get ENOSYS from the kernel. */
  if (action == SECCOMP_RET_ERRNO) return ((uint32_t)v & SECCOMP_RET_DATA) != ENOSYS;
  return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG;
}

int denials_install(struct sandbox_config *cfg, const char **failed_call) {
  static const long handoff[] = {SYS_sendmsg};
  bool can_send = seccomp_allows_always(cfg, handoff, 1);
  if (!can_send && (zygote_enabled() || !wait_survives(cfg))) {
    /* The primed workload shares init's memory (and so its dumpable flag) until execve: pidfd_getfd would need
     * it dumpable, which would expose init. A profile that kills recvfrom would kill the cold hand-off's wait.
     * The plain program then; the run says why it reports nothing. */
    note(zygote_enabled()
             ? "seccomp denials are not reported for this zygote run: the profile refuses sendmsg, which hands the "
               "supervisor its listener (a cold run reports them)"
             : "seccomp denials are not reported for this run: the profile refuses sendmsg and kills recvfrom or "
               "answers it ENOSYS, the calls that hand the supervisor its listener");
    if (install(cfg, cfg->seccomp_filter, cfg->seccomp_len, 0) < 0) {
      *failed_call = "seccomp(SECCOMP_SET_MODE_FILTER, flags, filter)";
      return -1;
    }
    return 0;
  }
  struct sock_filter *prog = notify_copy(cfg);
  if (!prog) {
    *failed_call = "malloc(the notifying copy of the seccomp filter)";
    errno = ENOMEM;
    return -1;
  }
  int sync_fd = report_child_channel();
  size_t prog_len = cfg->seccomp_len;
  if (cfg->net != NET_HOST || denials_explain_file()) {
    /* Network refusals and --explain (denials_net.h): the namespace and Landlock enforce; the supervisor only reads
     * where an allowed call went, and lets it run as the profile's ALLOW would. */
    size_t net_len = 0;
    struct sock_filter *net = denials_branch_program(prog, cfg->seccomp_len, sync_fd, cfg->net != NET_HOST, denials_explain_file() != NULL, &net_len);
    if (net) {
      free(prog);
      prog = net;
      prog_len = net_len;
    } else {
      note("%s not reported for this run: the seccomp program is too long to add the branch that reads them (%zu "
           "instructions)", denials_explain_file() ? "network refusals and the --explain paths are" : "network refusals are", cfg->seccomp_len);
    }
  }
  if (!can_send) {
    /* Cold: the helper takes the listener with pidfd_getfd; an unprivileged helper may only do that to a
     * dumpable process. This forked workload has its own memory and is about to execve (which sets the flag
     * again for the program anyway). Tell the helper the fd number first: after the install, a refused call of
     * ours would wait for it. */
    if (prctl(PR_SET_DUMPABLE, 1) < 0) {
      *failed_call = "prctl(PR_SET_DUMPABLE, 1) for the denial supervisor";
      return -1;
    }
    int probe = dup(0);
    if (probe < 0) probe = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (probe < 0) {
      *failed_call = "dup(0) to find the listener's fd number";
      return -1;
    }
    close(probe);
    if (!channel_send(sync_fd, MSG_DENIALS, sync_fd, probe, "denials", NULL)) {
      *failed_call = "send(MSG_DENIALS) to the helper";
      return -1;
    }
  }
  int fd = install(cfg, prog, prog_len, SECCOMP_FILTER_FLAG_NEW_LISTENER);
  free(prog);
  if (fd < 0) {
    *failed_call = "seccomp(SECCOMP_SET_MODE_FILTER, flags|NEW_LISTENER, filter)";
    return -1;
  }
  /* The listener is close-on-exec (the kernel opens it so): the program never sees it. */
  if (can_send && !send_listener(sync_fd, fd)) {
    *failed_call = "sendmsg(SCM_RIGHTS listener) to the helper";
    return -1;
  }
  if (!can_send) {
    /* Wait until the helper has taken it: execve would close it first. If the profile refuses recvfrom, this
     * very call waits for the helper, which answers it (and does not count it); either way we go on after. */
    struct msg ack;
    ssize_t n;
    do n = recv(sync_fd, &ack, sizeof ack, 0);
    while (n < 0 && errno == EINTR);
  }
  return 0;
}

