/*
 * The sync channel between the helper and the sandbox child: a SOCK_SEQPACKET socketpair created with
 * SOCK_CLOEXEC, so no workload ever inherits it. One fixed-size message per packet.
 *   helper -> child: MSG_GO (uid/gid maps are written: set up the mounts, network, capabilities, Landlock), then
 *                    MSG_LIMITS (the child is in its cgroups: start the workload). The cgroup join runs while the
 *                    child sets up, since its first write to cgroup.procs can wait for an RCU grace period.
 *   child -> helper: MSG_NOTE*, then MSG_ERROR (setup failed, exit 125) or MSG_EXEC (execve succeeded)
 *                    or MSG_ERROR step "execve" (126/127), then MSG_EXIT (sent by init before it exits).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum msg_type { MSG_GO = 1, MSG_NOTE, MSG_ERROR, MSG_EXEC, MSG_EXIT,
                /* workload -> helper, learn mode: value = the fd number its seccomp listener will get (learn.h) */
                MSG_LEARN,
                /* helper -> child: the child is in its run cgroups; nothing of the workload runs before it */
                MSG_LIMITS,
                /* workload -> helper: its seccomp listener for denial reporting (denials.h), passed with
                 * SCM_RIGHTS, or value = the fd number to take with pidfd_getfd */
                MSG_DENIALS = 16 };

struct msg {
  uint32_t type;
  int32_t code;    /* MSG_ERROR: exit code; MSG_EXIT: exit code or -1 */
  int32_t value;   /* MSG_ERROR: errno; MSG_EXIT: signal number or 0; MSG_EXEC: workload pid in the ns */
  char step[32];
  char text[1024];
};

bool channel_send(int fd, enum msg_type type, int code, int value, const char *step, const char *text);
/* 1 = a message, 0 = end of file (peer gone), -1 = error (errno set). */
int channel_recv(int fd, struct msg *m);
/* The fd that came with the last message received (SCM_RIGHTS, close-on-exec), or -1; taking it clears it. */
int channel_take_fd(void);
