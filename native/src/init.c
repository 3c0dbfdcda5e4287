/*
 * The sandbox child: runs the setup steps in order, then becomes a tiny init, PID 1 of the namespace.
 *
 * Init starts the workload, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to its process group, reaps every
 * zombie, and when the workload exits sends its status to the helper FIRST and only then exits: the
 * namespaces are torn down when PID 1 exits (hundreds of µs for a network namespace), and the helper
 * must not wait for that before reporting.
 *
 * Cold, init forks the workload when the command is already known. A zygote's init starts it ahead of time —
 * "primed": signals, process group, rlimits, cwd and Landlock done, waiting for the command on the sync channel —
 * so that a request only wakes it for the per-command steps (CPU limit, seccomp if not installed yet, execve):
 * no fork, no copy of an address space. The primed workload is cloned with CLONE_VM | CLONE_VFORK, as
 * posix_spawn does: it runs in init's memory while init is suspended until its execve (or its death), so a
 * waiting zygote keeps no third address space, and init and the workload never run at the same time before the
 * execve.
 */
#define _GNU_SOURCE
#include "channel.h"
#include "report.h"
#include "sandbox.h"
#include "zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SANDBOX_HOSTNAME "phantom"

static const int forwarded_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};


void sandbox_child_main(struct sandbox_config *cfg, int sync_fd) {
  report_set_child_channel(sync_fd);
  report_close_status_fd();
  zygote_close_control(); /* the runtime's socket never enters the sandbox */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die_step("die_with_parent", errno, NULL, "prctl(PR_SET_PDEATHSIG, SIGKILL)");

  /* Step 2: wait until the helper has written our uid/gid maps. */
  struct msg m;
  if (channel_recv(sync_fd, &m) != 1 || m.type != MSG_GO) _exit(EXIT_SETUP_FAILED);

  switch_to_sandbox_ids(cfg);
  rearm_parent_death_signal(sync_fd);
  setup_filesystem(cfg);                                                   /* step 3 */
  setup_network(cfg);                                                      /* step 4 */
  if (sethostname(SANDBOX_HOSTNAME, strlen(SANDBOX_HOSTNAME)) < 0)         /* step 5 */
    die_step("set_hostname", errno, NULL, "sethostname(\"" SANDBOX_HOSTNAME "\")");
  drop_capabilities();                                                     /* step 6 */
  set_no_new_privs();
  build_landlock_ruleset(cfg);                                             /* step 7: enforced by the workload */
  /* No process of the workload before the helper has put us in the run cgroups (limits, accounting):
   * init and the workload are born inside them. Until then only the helper's own setup code ran here. */
  if (channel_recv(sync_fd, &m) != 1 || m.type != MSG_LIMITS) _exit(EXIT_SETUP_FAILED);
  run_init(cfg, sync_fd);                                                  /* steps 9, 10 */
}

static void ignore_signal(int sig) { (void)sig; }

static void describe_exec_failure(const struct sandbox_config *cfg, const struct exec_failure *f, char *out, size_t outsz) {
  const char *path = cfg->argv ? cfg->argv[0] : "";
  const char *hint = "";
  if (f->code == EXIT_SETUP_FAILED) {
    snprintf(out, outsz, "workload_setup: %s: %s (%s)", f->call, errno_name(f->err), strerror(f->err));
    return;
  }
  switch (f->err) {
    case ENOENT:
      hint = access(path, F_OK) == 0
                 ? " — the file is there but its interpreter (#! line) or dynamic loader is not visible in the sandbox"
                 : " — command not found: it is not visible in the sandbox";
      break;
    case EACCES:
      hint = cfg->landlock ? " — not executable: no execute permission for the sandbox user, a noexec mount, or the Landlock "
                             "rules do not grant execute on it (or read_file on its interpreter)"
                           : " — not executable: no execute permission for the sandbox user, or on a noexec mount";
      break;
    case ENOEXEC: hint = " — not an executable format (a script without a #! line?)"; break;
    case ENOMEM: hint = " — the memory limit may be too small to load the program"; break;
    case EPERM:
      if (cfg->seccomp_filter) hint = " — the seccomp profile does not allow execve (or execveat)";
      break;
    default: break;
  }
  snprintf(out, outsz, "execve(\"%s\"): %s (%s)%s", path, errno_name(f->err), strerror(f->err), hint);
}

struct primed {
  struct sandbox_config *cfg;
  int exec_fd;
  int sync_fd;
  int smaps_fd;
};

/*
 * Every system call the primed workload may still make once it waits: the ready message and the request
 * (send, recv), malloc for the request, the CPU limit, execve, and reporting a failure (write, exit_group).
 * When the profile's filter allows all of them whatever their arguments, the filter is installed BEFORE the
 * wait — installing a program costs ~0.1 ms (the kernel checks and JIT-compiles it), which a run then does not
 * wait for. Otherwise it is installed after the request, as on the cold path. Either way nothing the filter
 * would deny runs: the workload's own code up to execve is the helper's.
 */
static const long await_calls[] = {
  SYS_sendto, SYS_recvfrom, SYS_brk, SYS_mmap, SYS_prlimit64,
#ifdef SYS_setrlimit
  SYS_setrlimit,
#endif
  SYS_execve, SYS_write, SYS_exit_group,
};

/* The zygote's workload (init suspended meanwhile): its own steps, the wait for the command, then the command's. */
static int primed_workload(void *arg) {
  struct primed *p = arg;
  bool filter_first = seccomp_allows_always(p->cfg, await_calls, sizeof await_calls / sizeof await_calls[0]);
  prepare_workload(p->cfg, p->exec_fd);
  zygote_shed_pages(p->smaps_fd);
  const char *call = NULL;
  if (filter_first && install_seccomp_filter(p->cfg, &call) < 0) workload_failed(p->exec_fd, EXIT_SETUP_FAILED, errno, call);
  zygote_await_command(p->cfg, p->sync_fd);
  finish_workload(p->cfg, p->exec_fd);
}

/* A primed workload's stack: it only runs our code up to execve (the request's parsing is the deepest part). */
#define PRIMED_STACK (256u * 1024u)

static pid_t start_primed_workload(struct sandbox_config *cfg, int sync_fd, int exec_fd) {
  /* Opened before Landlock applies (the profile may not grant /proc): the waiting workload sheds pages with it. */
  int smaps_fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
  void *stack = mmap(NULL, PRIMED_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) die_step("init", errno, NULL, "mmap(primed workload stack, %u bytes)", PRIMED_STACK);
  struct primed p = {.cfg = cfg, .exec_fd = exec_fd, .sync_fd = sync_fd, .smaps_fd = smaps_fd};
  /* Returns once the workload called execve or died (CLONE_VFORK); its stack is free again then. */
  pid_t pid = clone(primed_workload, (char *)stack + PRIMED_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &p);
  int err = errno;
  munmap(stack, PRIMED_STACK);
  if (smaps_fd >= 0) close(smaps_fd);
  if (pid < 0) die_step("init", err, NULL, "clone(CLONE_VM|CLONE_VFORK) of the primed workload");
  return pid;
}

void run_init(struct sandbox_config *cfg, int sync_fd) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  struct sigaction sa = {.sa_handler = ignore_signal};
  for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++) {
    /* PID 1 of a namespace never gets signals whose action is SIG_DFL; a handler (never run: the signal
     * is blocked and read from the signalfd) makes them deliverable. */
    sigaction(forwarded_signals[i], &sa, NULL);
    sigaddset(&set, forwarded_signals[i]);
  }
  if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) die_step("init", errno, NULL, "sigprocmask(SIG_BLOCK)");
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) die_step("init", errno, NULL, "signalfd(SIGCHLD|SIGINT|SIGTERM|SIGHUP|SIGQUIT)");

  /* The workload (same uid) must not ptrace init and forge its reports. */
  if (prctl(PR_SET_DUMPABLE, 0) < 0) die_step("init", errno, NULL, "prctl(PR_SET_DUMPABLE, 0)");

  /* End of file on this close-on-exec pipe means execve succeeded. */
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) < 0) die_step("init", errno, NULL, "pipe2(O_CLOEXEC)");
  pid_t workload;
  if (zygote_enabled()) {
    workload = start_primed_workload(cfg, sync_fd, exec_pipe[1]);
  } else {
    workload = fork();
    if (workload < 0) die_step("init", errno, NULL, "fork()");
    if (workload == 0) {
      close(exec_pipe[0]);
      close(sfd);
      exec_workload(cfg, exec_pipe[1]);
    }
  }
  close(exec_pipe[1]);

  /* Init keeps no copy of the workload's stdio: the caller sees end of file when the workload is done. */
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    close(devnull);
  }

  struct exec_failure failure;
  ssize_t n;
  do n = read(exec_pipe[0], &failure, sizeof failure);
  while (n < 0 && errno == EINTR);
  close(exec_pipe[0]);
  if (n == 0) {
    channel_send(sync_fd, MSG_EXEC, 0, workload, NULL, NULL);
  } else {
    char text[1024];
    if (n == (ssize_t)sizeof failure) {
      failure.call[sizeof failure.call - 1] = '\0';
      describe_exec_failure(cfg, &failure, text, sizeof text);
    } else {
      snprintf(text, sizeof text, "execve(\"%s\"): the workload died before reporting", cfg->argv ? cfg->argv[0] : "");
      failure.code = EXIT_CANNOT_EXECUTE;
      failure.err = 0;
    }
    channel_send(sync_fd, MSG_ERROR, failure.code, failure.err,
                 failure.code == EXIT_SETUP_FAILED ? "workload_setup" : "execve", text);
  }

  for (;;) {
    struct signalfd_siginfo si;
    n = read(sfd, &si, sizeof si);
    if (n < 0 && errno == EINTR) continue;
    if (n != (ssize_t)sizeof si) _exit(EXIT_SETUP_FAILED);
    if (si.ssi_signo != SIGCHLD) {
      /* Like a terminal: to the workload's whole process group, or to it alone if it left the group. */
      if (kill(-workload, (int)si.ssi_signo) < 0) kill(workload, (int)si.ssi_signo);
      continue;
    }
    int status;
    pid_t w;
    while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
      if (w != workload) continue; /* an orphan adopted by PID 1: reaped, nothing to report */
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
      channel_send(sync_fd, MSG_EXIT, code, sig, NULL, NULL);
      /* A message the workload never read (the hand-off's acknowledgement, when the profile refused its recv:
       * denials.c) would make our close reset the helper's end (ECONNRESET) before it reads MSG_EXIT. */
      struct msg unread;
      while (recv(sync_fd, &unread, sizeof unread, MSG_DONTWAIT) > 0) {}
      _exit(0); /* PID 1 exits: the kernel kills whatever is left in the namespace */
    }
  }
}
