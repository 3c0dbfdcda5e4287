/*
 * --probe-audit: whether Landlock's denial records (audit, Landlock ABI 7) could be read here, as one JSON line:
 *   {"id":"audit","ok":false,"enabled":0,"readlog":true,"detail":"..."}
 * It only ASKS (AUDIT_GET, and a bind to the read-log multicast group); it never changes the system's audit
 * settings: turning audit on is the administrator's decision (docs/sandbox.md, "Denials").
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AUDIT_NLGRP_READLOG
#define AUDIT_NLGRP_READLOG 1
#endif

/* audit_status.enabled, or -errno. */
static int audit_enabled(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return -errno;
  struct {
    struct nlmsghdr h;
    char pad[16];
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = NLMSG_LENGTH(0);
  req.h.nlmsg_type = AUDIT_GET;
  req.h.nlmsg_flags = NLM_F_REQUEST;
  req.h.nlmsg_seq = 1;
  struct sockaddr_nl to = {.nl_family = AF_NETLINK};
  if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof to) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  for (int tries = 0; tries < 4; tries++) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 1000) <= 0) break;
    char buf[8192];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type == NLMSG_ERROR) {
        const struct nlmsgerr *e = NLMSG_DATA(h);
        if (e->error) {
          close(fd);
          return e->error; /* already negative */
        }
        continue; /* an ACK */
      }
      if (h->nlmsg_type == AUDIT_GET) {
        const struct audit_status *s = NLMSG_DATA(h);
        int enabled = (int)s->enabled;
        close(fd);
        return enabled;
      }
    }
  }
  close(fd);
  return -ETIMEDOUT;
}

/* Whether this process may join the read-log group (CAP_AUDIT_READ in the initial user namespace). */
static int readlog_bind(void) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return errno;
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1)};
  int err = bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ? errno : 0;
  close(fd);
  return err;
}

int run_probe_audit(void) {
  int enabled = audit_enabled();
  int bind_err = readlog_bind();
  char detail[400];
  bool ok = enabled > 0 && bind_err == 0;
  if (enabled < 0)
    snprintf(detail, sizeof detail, "AUDIT_GET: %s (asking needs CAP_AUDIT_CONTROL)", errno_name(-enabled));
  else if (enabled == 0)
    snprintf(detail, sizeof detail, "audit is disabled (AUDIT_GET: enabled=0): the kernel logs no Landlock denials");
  else if (bind_err)
    snprintf(detail, sizeof detail, "audit is enabled but its read-log group cannot be joined: %s (needs CAP_AUDIT_READ)", errno_name(bind_err));
  else
    snprintf(detail, sizeof detail, "audit is enabled (enabled=%d) and its read-log group can be joined", enabled);
  char esc[1024];
  json_escape(esc, sizeof esc, detail);
  printf("{\"id\":\"audit\",\"ok\":%s,\"enabled\":%d,\"readlog\":%s,\"detail\":\"%s\"}\n", ok ? "true" : "false", enabled,
         bind_err == 0 ? "true" : "false", esc);
  return 0;
}
