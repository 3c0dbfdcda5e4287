/* Step 1: which namespaces the sandbox gets, and the clone that creates them. */
#define _GNU_SOURCE
#include "sandbox.h"

#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int sandbox_clone_flags(const struct sandbox_config *cfg) {
  /* CLONE_NEWUSER gives the child capabilities over the other new namespaces (and only over them);
   * CLONE_NEWPID makes the child PID 1, so its death kills everything in the sandbox;
   * CLONE_NEWCGROUP hides the host's cgroup paths; CLONE_NEWNET unless the user asked for the host network. */
  int flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
  if (cfg->net != NET_HOST) flags |= CLONE_NEWNET;
  return flags;
}

/* fork-like clone: the child continues on a copy of our stack (as bubblewrap's raw_clone does), which
 * glibc's clone() wrapper does not offer. Argument order of the remaining (zero) arguments differs
 * between architectures, which is irrelevant when they are all zero. */
pid_t raw_clone(unsigned long flags) {
  return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

pid_t raw_clone_into_cgroup(unsigned long flags, int cgroup_fd) {
  /* No stack: fork-like, as above. Born in the group, the child never needs a cgroup.procs write, whose first one
   * waits for an RCU grace period (cgroup.c). */
  struct clone_args args = {.flags = (uint64_t)flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgroup_fd};
  return (pid_t)syscall(SYS_clone3, &args, sizeof args);
}

void clone_flags_string(int flags, char *out, size_t outsz) {
  static const struct { int flag; const char *name; } names[] = {
      {CLONE_NEWUSER, "CLONE_NEWUSER"}, {CLONE_NEWPID, "CLONE_NEWPID"}, {CLONE_NEWNS, "CLONE_NEWNS"},
      {CLONE_NEWUTS, "CLONE_NEWUTS"},   {CLONE_NEWIPC, "CLONE_NEWIPC"}, {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
      {CLONE_NEWNET, "CLONE_NEWNET"},
  };
  out[0] = '\0';
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (!(flags & names[i].flag)) continue;
    if (out[0]) strncat(out, "|", outsz - strlen(out) - 1);
    strncat(out, names[i].name, outsz - strlen(out) - 1);
  }
}
