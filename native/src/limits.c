/*
 * Step 7: resource limits. For now rlimits, set in the workload just before execve; a cgroup step
 * (v2 where controllers are delegated, v1 on hybrid hosts) will be added in supervisor.c between the
 * clone and MSG_GO, and describe_limits() will then say which mechanism holds each limit.
 */
#define _GNU_SOURCE
#include "report.h"
#include "sandbox.h"

#include <inttypes.h>
#include <sys/resource.h>

void describe_limits(const struct sandbox_config *cfg) {
  if (cfg->memory_bytes)
    note("memory limit %" PRIu64 " bytes enforced with RLIMIT_AS (address space per process, not resident memory)",
         cfg->memory_bytes);
  if (cfg->pids)
    note("process limit %" PRIu64 " enforced with RLIMIT_NPROC (counted per sandbox user in its own user namespace)",
         cfg->pids);
  if (cfg->cpu_seconds)
    note("CPU limit %" PRIu64 " s enforced with RLIMIT_CPU (per process: SIGXCPU, then SIGKILL)", cfg->cpu_seconds);
}

static int set_limit(int resource, uint64_t value) {
  struct rlimit rl = {.rlim_cur = (rlim_t)value, .rlim_max = (rlim_t)value};
  return setrlimit(resource, &rl);
}

int apply_rlimits(const struct sandbox_config *cfg, const char **failed_call) {
  if (cfg->memory_bytes && set_limit(RLIMIT_AS, cfg->memory_bytes) < 0) {
    *failed_call = "setrlimit(RLIMIT_AS)";
    return -1;
  }
  if (cfg->pids && set_limit(RLIMIT_NPROC, cfg->pids) < 0) {
    *failed_call = "setrlimit(RLIMIT_NPROC)";
    return -1;
  }
  if (cfg->cpu_seconds) {
    /* Soft limit sends SIGXCPU, the hard limit one second later SIGKILL. */
    struct rlimit rl = {.rlim_cur = (rlim_t)cfg->cpu_seconds, .rlim_max = (rlim_t)cfg->cpu_seconds + 1};
    if (setrlimit(RLIMIT_CPU, &rl) < 0) {
      *failed_call = "setrlimit(RLIMIT_CPU)";
      return -1;
    }
  }
  return 0;
}
