/*
 * Denial reporting (docs/sandbox.md, "Denials"): the profile's refusals reach a supervisor outside the sandbox.
 *
 * The runtime compiles the profile as usual (ERRNO answers). The helper keeps that program as the ANSWER and
 * installs a copy in which every `RET ERRNO(e)` — except ENOSYS, which libraries expect and handle (clone3,
 * openat2, …) — became `RET USER_NOTIF`. Allowed calls take exactly the same path through the same program
 * (only return constants differ), so the hot path is untouched; a refused call wakes the helper, which runs the
 * ANSWER program on the call's seccomp_data to find the profile's errno, records the call (with its decisive
 * argument, or the path it names), and answers that errno. Never CONTINUE. Kill actions stay kernel kills.
 *
 * Not in learn mode: learn installs its own listener and a filter chain has only one (EBUSY).
 *
 * Hand-off of the listener (every syscall after the install that the filter refuses waits for the helper):
 *  - the filter always allows sendmsg: the workload passes the listener with SCM_RIGHTS right after installing;
 *  - else, cold path: the workload tells its listener's fd number first, then installs; the helper takes it with
 *    pidfd_getfd (as learn mode does);
 *  - else (a zygote's primed workload, whose memory is init's until execve): the plain program, with a note.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct sandbox_config;

/* main.c: --no-denials switches it off (benchmarks compare). */
void denials_configure(bool on);
/* The --explain recording's output file, or NULL (denials_explain): read by the installing side too. */
const char *denials_explain_file(void);
/* main.c: --explain FILE (phantom run --explain): record the path syscalls the profile allows (denials_net.h). */
void denials_explain(const char *file);
/* Whether this run reports denials (a profile filter, no learn mode, not switched off). */
bool denials_wanted(const struct sandbox_config *cfg);

/* seccomp.c, in the workload: installs the profile's filter with a listener and hands it over. 0 or -1 with
 * *failed_call set. */
int denials_install(struct sandbox_config *cfg, const char **failed_call);

/* supervisor.c / zygote.c, in the helper: MSG_DENIALS arrived. passed_fd: the listener (SCM_RIGHTS) or -1;
 * then target_fd is its number in the workload (workload_pid: its host pid) for pidfd_getfd. */
void denials_attach(pid_t workload_pid, int target_fd, int passed_fd, int sync_fd, int workload_sync_fd);
/* MSG_EXEC: the hand-off is over. */
void denials_exec(void);
int denials_poll_fd(void);
/* supervisor.c, before the clone: the program the runtime compiled (the profile's answers). */
void denials_set_answer(const void *prog, size_t len, int net_mode);
void denials_handle(short revents);
/* Before the exit line: one status event per distinct refused call ("event":"denial"). */
void denials_report(void);
