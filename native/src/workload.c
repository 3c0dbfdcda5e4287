/*
 * The workload process (started by init): its last steps, then execve. Failures are written to the
 * close-on-exec exec pipe (end of file there means execve succeeded) and init reports them.
 * prepare_workload: default signals, own session (no controlling terminal), rlimits, cwd, Landlock (the ruleset the child
 * built), the set-id guard.
 * finish_workload: the CPU limit, the precompiled seccomp filter (after no_new_privs, set by the child), execve.
 * On the cold path one runs after the other; a zygote's primed workload (init.c) waits for its command between
 * them.
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"
#include "learn.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>


void workload_failed(int fd, int code, int err, const char *call) {
  struct exec_failure f = {.err = err, .code = code};
  strncpy(f.call, call, sizeof f.call - 1);
  ssize_t n = write(fd, &f, sizeof f);
  (void)n; /* init treats a short report as "died before reporting" */
  _exit(code);
}

void prepare_workload(const struct sandbox_config *cfg, int exec_err_fd) {
  /* Init blocked and caught signals; the workload starts with the defaults. */
  static const int sigs[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], SIG_DFL);
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, NULL);

  /* A session of its own (and so its own process group, which init forwards a Ctrl-C to): the workload has no
   * controlling terminal. A terminal it still holds as stdin/stdout/stderr stays readable and writable, but
   * TIOCSTI (pushing input) needs it to be the controlling terminal or CAP_SYS_ADMIN on the host, and
   * tcsetpgrp (taking the foreground) fails with ENOTTY — bubblewrap's --new-session, its answer to
   * CVE-2017-5226. */
  if (setsid() < 0) workload_failed(exec_err_fd, EXIT_SETUP_FAILED, errno, "setsid()");

  const char *call = NULL;
  if (apply_rlimits(cfg, &call) < 0) workload_failed(exec_err_fd, EXIT_SETUP_FAILED, errno, call);
  if (chdir(cfg->cwd) < 0) workload_failed(exec_err_fd, EXIT_SETUP_FAILED, errno, "chdir(cwd)");
  /* Landlock now: the rest of this process's life (waiting for a zygote's command included) is inside it. */
  if (restrict_landlock(cfg, &call) < 0) workload_failed(exec_err_fd, EXIT_SETUP_FAILED, errno, call);
  /* Whatever the profile allows, no set-id file can be made (setid_guard.c); before the wait of a zygote. */
  if (install_setid_guard(&call) < 0) workload_failed(exec_err_fd, EXIT_SETUP_FAILED, errno, call);
}

void finish_workload(struct sandbox_config *cfg, int exec_err_fd) {
  const char *call = NULL;
  if (apply_cpu_limit(cfg, &call) < 0) workload_failed(exec_err_fd, EXIT_SETUP_FAILED, errno, call);
  /* The seccomp filter LAST: after it only execve runs, which the filter must allow (a primed workload may have
   * installed it already, init.c). In learn mode --seccomp-bpf is the runtime's fixed deny layer and the
   * notify-everything filter (learn.c) goes on top of it: the kernel runs both and ERRNO beats USER_NOTIF, so
   * what the deny layer refuses never reaches the supervisor, which could only CONTINUE it. */
  if (install_seccomp_filter(cfg, &call) < 0) workload_failed(exec_err_fd, EXIT_SETUP_FAILED, errno, call);
  if (learn_enabled() && learn_install_listener(&call) < 0) workload_failed(exec_err_fd, EXIT_SETUP_FAILED, errno, call);

  execve(cfg->argv[0], cfg->argv, cfg->envp);
  int err = errno;
  workload_failed(exec_err_fd, err == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE, err, "execve");
}

void exec_workload(struct sandbox_config *cfg, int exec_err_fd) {
  prepare_workload(cfg, exec_err_fd);
  finish_workload(cfg, exec_err_fd);
}
