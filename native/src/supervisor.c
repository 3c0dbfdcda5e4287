/*
 * The helper side of a cold start: idmapped mounts, clone into new namespaces, uid/gid maps, MSG_GO,
 * then supervision — forwarding signals, the wall-time limit, and turning the child's messages into
 * stderr text, JSON status lines and the exit status.
 */
#define _GNU_SOURCE
#include "channel.h"
#include "report.h"
#include "sandbox.h"
#include "zygote.h"
#include "learn.h"
#include "denials.h"
#include "audit_landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

static const char clone_hint[] =
    "user namespaces may be restricted: check sysctl user.max_user_namespaces, "
    "kernel.unprivileged_userns_clone (Debian), kernel.apparmor_restrict_unprivileged_userns (Ubuntu 23.10+); "
    "inside a container its seccomp profile may forbid it";

/* The workload's pid as the host sees it: the only child of init when execve has just succeeded. */
static long workload_host_pid(pid_t init) {
  char path[64], buf[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", init, init);
  return read_small_file(path, buf, sizeof buf) < 0 ? -1 : strtol(buf, NULL, 10);
}

/* The sandbox being supervised: its cgroup's stall totals go out with the exit report. */
static const struct sandbox_config *supervised;

static int exit_status_event(int code, int sig, bool timed_out) {
  if (supervised) report_group_pressure(supervised);
  audit_landlock_report();
  denials_report(); /* before the exit line: the runtime has them when it learns the run is over */
  if (!learn_enabled()) report_release_stdio(); /* learn mode may still have something to say on stderr */
  char name[32], codebuf[16];
  snprintf(codebuf, sizeof codebuf, "%d", code);
  status_event("\"event\":\"exit\",\"code\":%s,\"signal\":%s%s%s,\"timeout\":%s", sig ? "null" : codebuf,
               sig ? "\"" : "", sig ? signal_name(sig, name, sizeof name) : "null", sig ? "\"" : "",
               timed_out ? "true" : "false");
  return sig ? 128 + sig : code;
}

/* The child is gone without an exit report: it failed (already reported) or was killed. */
static int reap_silent_child(pid_t pid, bool timed_out, int exec_error_code) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (timed_out) return exit_status_event(-1, SIGKILL, true);
  if (exec_error_code) return exec_error_code;
  char text[256], name[32];
  if (WIFSIGNALED(status))
    snprintf(text, sizeof text, "the sandbox init was killed by %s before reporting an exit status",
             signal_name(WTERMSIG(status), name, sizeof name));
  else
    snprintf(text, sizeof text, "the sandbox init exited with %d before reporting an exit status", WEXITSTATUS(status));
  report_error("init", EXIT_SETUP_FAILED, text);
  return EXIT_SETUP_FAILED;
}

static int start_timer(double seconds) {
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (tfd < 0) die_step("timeout", errno, NULL, "timerfd_create(CLOCK_MONOTONIC)");
  struct itimerspec its = {0};
  its.it_value.tv_sec = (time_t)seconds;
  its.it_value.tv_nsec = (long)((seconds - floor(seconds)) * 1e9);
  if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
  if (timerfd_settime(tfd, 0, &its, NULL) < 0) die_step("timeout", errno, NULL, "timerfd_settime(%g s)", seconds);
  return tfd;
}

int supervise_sandbox(struct sandbox_config *cfg) {
  supervised = cfg;
  uint64_t t0 = monotonic_us();
  prepare_cgroups(cfg);
  describe_limits(cfg);
  prepare_bind_trees(cfg);
  prepare_placeholders(cfg); /* before the clone: the sandbox finds them as present paths to protect */
  denials_set_answer(cfg->seccomp_filter, cfg->seccomp_len, (int)cfg->net); /* never modified: the workload installs a copy */
  /* Landlock's denial records, where audit is on and readable (audit_landlock.c): before the clone, so the workload
   * inherits the logging flags and no record of the run is missed. */
  audit_landlock_open(cfg->landlock != NULL && !learn_enabled());

  /* Blocked before the clone so none is lost; the child inherits the mask and init reads its own signalfd. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGQUIT);
  if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) die_step("supervise", errno, NULL, "sigprocmask(SIG_BLOCK)");
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) die_step("supervise", errno, NULL, "signalfd(SIGINT|SIGTERM|SIGHUP|SIGQUIT)");

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    die_step("sync_channel", errno, NULL, "socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC)");

  int flags = sandbox_clone_flags(cfg);
  /* Into the run's v2 group at birth when there is one (limits on pure v2 hosts, accounting on hybrid ones). */
  bool born_in_v2_group = false;
  pid_t pid = -1;
  int group_fd = cfg->cgroup_procs[0][0] ? open(cfg->cgroup_procs[0], O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  if (group_fd >= 0) {
    pid = raw_clone_into_cgroup((unsigned long)flags, group_fd);
    born_in_v2_group = pid >= 0;
    close(group_fd);
  }
  if (!born_in_v2_group) pid = raw_clone((unsigned long)flags | SIGCHLD);
  if (pid < 0) {
    char names[160];
    clone_flags_string(flags, names, sizeof names);
    die_step("clone_namespaces", errno, clone_hint, "clone(%s)", names);
  }
  if (pid == 0) {
    close(sv[0]);
    close(sfd);
    audit_landlock_child();
    sandbox_child_main(cfg, sv[1]);
  }
  close(sv[1]);
  for (size_t i = 0; i < cfg->nbinds; i++)
    if (cfg->binds[i].tree_fd >= 0) close(cfg->binds[i].tree_fd);

  write_id_maps(pid, cfg);
  if (!channel_send(sv[0], MSG_GO, 0, 0, NULL, NULL)) die_step("sync_channel", errno, NULL, "send(MSG_GO)");
  /* While the child mounts its view: the join can wait for an RCU grace period (cgroup.c). The child forks
   * nothing (no init, no workload) before MSG_LIMITS, so every process of the sandbox is born inside the limits. */
  if (enter_cgroups(cfg, pid, born_in_v2_group) && !channel_send(sv[0], MSG_LIMITS, 0, 0, NULL, NULL) && errno != EPIPE && errno != ECONNRESET)
    die_step("sync_channel", errno, NULL, "send(MSG_LIMITS)");
  reap_children_later(); /* the idmap namespace holders, the cgroup lock warm-up (util.c); again at MSG_EXEC */
  /* Zygote: the sandbox is ready before the command; wait for it (zygote.c), then supervise as cold. */
  if (zygote_enabled()) t0 = zygote_wait_for_request(cfg, sv[0], sfd, pid, t0);

  int tfd = cfg->timeout_seconds > 0 ? start_timer(cfg->timeout_seconds) : -1;
  bool timed_out = false;
  int exec_error_code = 0;
  /* pfd[3]: the learn-mode listener (learn.c), -1 until the workload hands it over; poll skips negative fds. */
  /* pfd[4]: the denial listener (denials.c), -1 until handed over. pfd[5]: Landlock's audit records, or -1. */
  struct pollfd pfd[6] = {{.fd = sv[0], .events = POLLIN}, {.fd = sfd, .events = POLLIN}, {.fd = tfd, .events = POLLIN},
                          {.fd = -1, .events = POLLIN}, {.fd = -1, .events = POLLIN}, {.fd = -1, .events = POLLIN}};
  for (;;) {
    pfd[2].fd = tfd;
    pfd[3].fd = learn_poll_fd();
    pfd[4].fd = denials_poll_fd();
    pfd[5].fd = audit_landlock_poll_fd();
    if (poll(pfd, 6, -1) < 0) {
      if (errno == EINTR) continue;
      die_step("supervise", errno, NULL, "poll(sync, signals, timer)");
    }
    if (pfd[3].fd >= 0 && pfd[3].revents) learn_handle(pfd[3].revents);
    if (pfd[4].fd >= 0 && pfd[4].revents) denials_handle(pfd[4].revents);
    if (pfd[5].fd >= 0 && pfd[5].revents) audit_landlock_handle();
    if (pfd[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) kill(pid, (int)si.ssi_signo); /* init forwards it */
    }
    if (tfd >= 0 && (pfd[2].revents & POLLIN)) {
      /* SIGKILL to PID 1 of the namespace kills every process in it. */
      kill(pid, SIGKILL);
      timed_out = true;
      note("wall-time limit of %g s reached: the sandbox was killed", cfg->timeout_seconds);
      close(tfd);
      tfd = -1;
    }
    if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    struct msg m;
    int r = channel_recv(sv[0], &m);
    if (r <= 0) return reap_silent_child(pid, timed_out, exec_error_code);
    switch (m.type) {
      case MSG_NOTE: note("%s", m.text); break;
      case MSG_LEARN: learn_attach((pid_t)workload_host_pid(pid), m.value); break;
      case MSG_DENIALS: {
        int passed = channel_take_fd();
        audit_landlock_workload_of(pid); /* it waits for the hand-off: alive */
        denials_attach(passed >= 0 ? 0 : (pid_t)workload_host_pid(pid), m.value, passed, sv[0], m.code);
        break;
      }
      case MSG_EXEC:
        denials_exec();
        audit_landlock_exec(pid);
        status_event("\"event\":\"exec\",\"pid\":%ld,\"setupUs\":%llu", workload_host_pid(pid),
                     (unsigned long long)(monotonic_us() - t0));
        reap_children_later(); /* those that had not ended at MSG_LIMITS */
        break;
      case MSG_ERROR:
        if (m.code == EXIT_NOT_FOUND) {
          struct stat st;
          char *end = m.text + strlen(m.text);
          if (stat(cfg->argv[0], &st) == 0)
            snprintf(end, sizeof m.text - (size_t)(end - m.text),
                     " (it exists on the host: grant its folder with --ro)");
        }
        report_error(m.step, m.code, m.text);
        if (m.code == EXIT_SETUP_FAILED && strcmp(m.step, "workload_setup") != 0) {
          while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
          return EXIT_SETUP_FAILED;
        }
        exec_error_code = m.code; /* the workload exits with it; its exit report follows */
        break;
      case MSG_EXIT:
        if (exec_error_code) return exit_status_event(exec_error_code, 0, false);
        return exit_status_event(m.code, m.value, timed_out);
      default: break;
    }
  }
}
