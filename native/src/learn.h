/*
 * Learn mode (--learn FD|FILE): the workload runs under a seccomp filter that reports EVERY syscall to a
 * user-notify listener; the helper — outside the sandbox — answers each with CONTINUE, counts it per
 * (audit arch, number), keeps the decisive argument of the syscalls whose risk depends on it, and writes
 * the recording as JSON when the run ends. See docs/learn-mode.md.
 *
 * Hand-off without a hole: the filter is one instruction (RET USER_NOTIF, nothing is allowed), installed by
 * the workload as the very last step before execve. Before installing it the workload tells the helper its
 * listener's fd number (MSG_LEARN over the sync channel); the helper then takes the listener out of the
 * workload with pidfd_getfd(2). The workload itself never passes the fd on — it could not: its next syscall
 * already waits for the listener to be read.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* main.c: --learn FD|FILE (digits: an fd the caller opened; else a file path, created or truncated at the end). */
void learn_configure(const char *arg);
bool learn_enabled(void);

/* workload.c, in the workload: installed on top of --seccomp-bpf (the runtime's learn deny layer, whose ERRNO
 * answers win over USER_NOTIF). 0 or -1 with *failed_call set (errno kept). */
int learn_install_listener(const char **failed_call);

/* supervisor.c, in the helper: MSG_LEARN arrived; takes the listener out of the workload (its host pid). */
void learn_attach(pid_t workload_host_pid, int listener_fd_in_workload);
/* The listener fd to poll, or -1 before learn_attach / after POLLHUP. */
int learn_poll_fd(void);
/* The listener is readable (or hung up): answer one notification. */
void learn_handle(short revents);

/* main.c: after the supervision, write the recording (exit_code is the helper's exit status). */
void learn_finish(int exit_code);
